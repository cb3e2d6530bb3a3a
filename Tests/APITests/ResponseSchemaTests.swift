import CanonicalJSON
import Foundation
import HTTPTypes
import Testing
import TestDatabase

/// The typed answers of the contract are true: real answers of the main reads, validated by the
/// reference implementation (Python jsonschema, 2020-12) against the component the contract declares.
@Suite(.needsDatabase) struct ResponseSchemaTests {
    @Test func realAnswersMatchTheirDeclaredSchemas() async throws {
        let world = try await APIWorld.make()
        try await world.account("capturista.fge", "FGE-07", [.capturista])
        try await world.account("auditoria.asf", "SEGOB", [.auditor])
        let samples: [JSONValue] = try await world.test { client in
            let token = try await client.login("capturista.fge")
            let created = try await client.command("registrar-persona", persona(), token: token)
            let stream = try #require(created.json["flujo"]?.stringValue)
            #expect(try await client.command("registrar-atencion", atencion(), stream: stream, token: token).status == 201)
            try await world.catchUp()
            let training = try #require(repositoryDefinitions.latest("CapacitacionImpartida")?.examples.first)
            #expect(try await client.command("registrar-capacitacion", training, token: token).status == 201)
            try await world.catchUp()
            var samples: [JSONValue] = []
            func sample(_ schema: String, _ method: HTTPRequestMethodName, _ uri: String, body: JSONValue? = nil, token: String? = nil) async throws {
                let answer = try await client.call(method.method, uri, token: token, body: body)
                #expect(answer.status == 200, "\(uri): \(answer.status) \(answer.text.prefix(300))")
                samples.append(["esquema": .string(schema), "ruta": .string("\(method.method.rawValue) \(uri)"), "cuerpo": answer.json])
            }
            try await sample("ListaDeExpedientes", .get, "/v1/expedientes", token: token)
            try await sample("Expediente", .get, "/v1/expedientes/\(stream)", token: token)
            try await sample("Indicadores", .get, "/v1/indicadores?anio=2023&asOf=2024-01-01", token: token)
            try await sample("Estadisticas", .get, "/v1/estadisticas/vigentes", token: token)
            try await sample("Reporte", .post, "/v1/reportes/ejecutar", body: ["titulo": "T", "fuente": "CapacitacionImpartida", "filas": "modalidad",
                                                                               "columnas": "anio", "medida": "registros"], token: token)
            try await sample("EventoDelRegistro", .get, "/v1/auditoria/eventos/1", token: try await client.login("auditoria.asf"))
            try await sample("Estado", .get, "/health")
            try await sample("Catalogo", .get, "/v1/catalogos/sexo")
            try await sample("ListaDeCatalogos", .get, "/v1/catalogos")
            try await sample("ListaDeDefiniciones", .get, "/v1/definiciones")
            return samples
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("respuestas-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(CanonicalJSON.serialize(.array(samples))).write(to: file)
        let root = TestDatabase.repositoryRoot
        let (status, output) = try await runProgram(URL(fileURLWithPath: "/usr/bin/env"),
                                              ["python3", root.appendingPathComponent("ops/check-responses.py").path,
                                               root.appendingPathComponent("events/openapi.json").path, file.path])
        #expect(status == 0 && output.contains("\(samples.count) respuestas contra su esquema, 0 discrepancias"), "\(output)")
    }
}

/// The two methods the samples use, named so the call sites read as HTTP.
enum HTTPRequestMethodName {
    case get, post
    var method: HTTPRequest.Method { self == .get ? .get : .post }
}
