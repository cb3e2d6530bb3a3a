// A smoke run of SINTRA's API through the Swift client that swift-openapi-generator made from
// `events/openapi.json` at build time: only generated code talks HTTP here.
//
// Usage: SintraClienteSmoke BASE_URL USER PASSWORD PAYLOADS.json
// PAYLOADS.json holds {"persona": {...}, "atencion": {...}}. Prints one JSON line with each step's
// status; exits 1 when a step does not answer as documented.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import OpenAPIRuntime
import OpenAPIURLSession

/// Sends the session's token on every request, as the contract's `bearer` scheme says.
struct BearerToken: ClientMiddleware {
    let token: String
    func intercept(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
                   next: (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(token)"
        return try await next(request, body, baseURL)
    }
}

enum SmokeFailure: Error { case step(String, String) }

let arguments = CommandLine.arguments
guard arguments.count == 5, let base = URL(string: arguments[1]) else {
    FileHandle.standardError.write(Data("uso: SintraClienteSmoke URL_BASE USUARIO CONTRASEÑA DATOS.json\n".utf8))
    exit(2)
}
let (user, password) = (arguments[2], arguments[3])
let payloads = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: arguments[4]))) as! [String: Any]
/// A payload of the file as the generated type of its request body (the contract's schema, decoded).
func decode<T: Decodable>(_ type: T.Type, _ key: String, from payloads: [String: Any]) throws -> T {
    try JSONDecoder().decode(type, from: JSONSerialization.data(withJSONObject: payloads[key]!))
}

var steps: [String: Int] = [:]
let anonymous = Client(serverURL: base, transport: URLSessionTransport())
let login = try await anonymous.iniciarSesion(body: .json(.init(contrasena: password, usuario: user)))
guard case .created(let session) = login else { throw SmokeFailure.step("iniciarSesion", "\(login)") }
steps["iniciarSesion"] = 201
let client = Client(serverURL: base, transport: URLSessionTransport(), middlewares: [BearerToken(token: try session.body.json.tokenDeAcceso)])

let registered = try await client.registrarPersona(headers: .init(idempotencyKey: UUID().uuidString),
                                                   body: .json(try decode(Components.Schemas.VictimaRegistrada_v1.self, "persona", from: payloads)))
guard case .created(let person) = registered else { throw SmokeFailure.step("registrarPersona", "\(registered)") }
steps["registrarPersona"] = 201
let caseId = try person.body.json.flujo

let attention = try await client.registrarAtencion(path: .init(flujo: caseId), headers: .init(idempotencyKey: UUID().uuidString),
                                                   body: .json(try decode(Components.Schemas.AtencionOtorgada_v2.self, "atencion", from: payloads)))
guard case .created(let recorded) = attention else { throw SmokeFailure.step("registrarAtencion", "\(attention)") }
steps["registrarAtencion"] = 201
let written = try recorded.body.json.posicion

/// As a client should: a 503 (projections catching up) is retried after a moment.
func patiently<T>(_ call: () async throws -> T, unavailable: (T) -> Bool) async throws -> T {
    for _ in 0..<20 {
        let answer = try await call()
        if !unavailable(answer) { return answer }
        try await Task.sleep(for: .milliseconds(500))
    }
    return try await call()
}
let read = try await patiently({ try await client.leerExpediente(path: .init(expediente: caseId), query: .init(posicion: written)) }) {
    if case .serviceUnavailable = $0 { true } else { false }
}
guard case .ok(let file) = read else { throw SmokeFailure.step("leerExpediente", "\(read)") }
steps["leerExpediente"] = 200
steps["lineaDeTiempo"] = try file.body.json.lineaDeTiempo.count

let list = try await client.listarExpedientes(query: .init(posicion: written))
if case .ok = list { steps["listarExpedientes"] = 200 }
let indicators = try await patiently({ try await client.calcularIndicadores(query: .init(anio: 2024)) }) {
    if case .serviceUnavailable = $0 { true } else { false }
}
if case .ok(let answer) = indicators { steps["calcularIndicadores"] = 200; steps["indicadores"] = try answer.body.json.ahora.count }
let statistics = try await client.estadisticasVigentes()
if case .ok = statistics { steps["estadisticasVigentes"] = 200 }
if case .ok = try await anonymous.salud() { steps["salud"] = 200 }

let line = try JSONSerialization.data(withJSONObject: steps, options: [.sortedKeys])
print(String(decoding: line, as: UTF8.self))
let expected = ["iniciarSesion": 201, "registrarPersona": 201, "registrarAtencion": 201, "leerExpediente": 200,
                "listarExpedientes": 200, "calcularIndicadores": 200, "estadisticasVigentes": 200, "salud": 200, "lineaDeTiempo": 2]
exit(expected.allSatisfy { steps[$0.key] == $0.value } ? 0 : 1)
