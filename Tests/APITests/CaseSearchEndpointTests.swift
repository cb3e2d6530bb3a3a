import Accounts
import CanonicalJSON
import Commands
import Foundation
import TestDatabase
import Testing

/// `POST /v1/expedientes/busqueda`: by name or CURP in the body, narrowed to the caller's scope,
/// with the duplicate warning; a bad request is a 400 in Spanish, never a 500.
@Suite(.needsDatabase) struct CaseSearchEndpointTests {
    static let curp = "LOAM900303MCSPLR0" + String(CURP.checkDigit("LOAM900303MCSPLR0")!)

    /// `persona()` with this name (and, for MARÍA LÓPEZ, her CURP and birth date).
    static func named(_ nombre: String, _ apellido: String, curp: String? = nil, entidad: String = "07", municipio: String = "07101") -> JSONValue {
        var members = (persona(entidad: entidad, municipio: municipio).objectValue ?? []).filter { !["nombre", "primerApellido", "edad"].contains($0.key) }
        members += [JSONMember(key: "nombre", value: .string(nombre)), JSONMember(key: "primerApellido", value: .string(apellido)),
                    JSONMember(key: "edad", value: 33)]
        if let curp { members += [JSONMember(key: "curp", value: .string(curp)), JSONMember(key: "fechaDeNacimiento", value: "1990-03-03")] }
        return .object(members)
    }

    @Test func findsByNameOrCURPWithinScopeAndAnswers400ToBadRequests() async throws {
        let world = try await APIWorld.make()
        try await world.account("cap.a", "FGE-07", [.capturista])
        try await world.account("cap.b", "FGE-20", [.capturista])
        try await world.account("secretaria.st", "SEGOB", [.secretariaTecnica])
        try await world.test { client in
            let a = try await client.login("cap.a"), b = try await client.login("cap.b"), st = try await client.login("secretaria.st")
            let x = try #require(try await client.command("registrar-persona", Self.named("MARÍA", "LÓPEZ", curp: Self.curp), token: a).json["flujo"]?.stringValue)
            let y = try #require(try await client.command("registrar-persona", Self.named("María", "Gómez", entidad: "20", municipio: "20067"), token: b)
                .json["flujo"]?.stringValue)
            try await world.catchUp()
            func search(_ body: JSONValue, _ token: String) async throws -> Answer {
                try await client.call(.post, "/v1/expedientes/busqueda", token: token, body: body)
            }
            func ids(_ answer: Answer) -> [String] { answer.json["expedientes"]?.arrayValue?.compactMap { $0["expediente"]?.stringValue }.sorted() ?? [] }

            let found = try await search(["nombre": "Maria Lopez"], a)
            #expect(found.status == 200 && ids(found) == [x], "\(found.text)")
            #expect(found.json["expedientes"]?.arrayValue?.first?["posibleDuplicadoEnOtraInstitucion"] == false)
            #expect(found.json["alcance"] == "institucion" && found.headers[.cacheControl] == "no-store")
            #expect(!found.text.contains("LÓPEZ") && !found.text.contains("MARÍA"), "no personal field in the answer")
            #expect(ids(try await search(["nombre": "maría"], a)) == [x], "FGE-20's María is outside FGE-07's scope")
            #expect(ids(try await search(["nombre": "maría"], st)) == [x, y].sorted())
            #expect(ids(try await search(["curp": .string(Self.curp.lowercased())], a)) == [x])
            #expect(ids(try await search(["curp": .string(Self.curp)], b)).isEmpty)
            let paged = try await search(["nombre": "maria", "limite": 1], st)
            #expect(paged.json["expedientes"]?.arrayValue?.count == 1 && paged.json["siguiente"]?.int64Value != nil)

            // FGE-20 registers MARÍA LÓPEZ again (same CURP): the Secretaría sees both flagged.
            _ = try await client.command("registrar-persona", Self.named("Maria", "Lopez", curp: Self.curp, entidad: "20", municipio: "20067"), token: b)
            try await world.catchUp()
            let twice = try await search(["nombre": "lopez maria"], st)
            #expect(twice.json["expedientes"]?.arrayValue?.count == 2, "\(twice.text)")
            #expect(twice.json["expedientes"]?.arrayValue?.allSatisfy { $0["posibleDuplicadoEnOtraInstitucion"] == true } == true)

            let bad: [(String, String?, String)] = [
                ("{}", nil, "indique «curp» o «nombre»"),
                (#"{"nombre": ""}"#, "datos.nombre", "escriba el nombre que busca"),
                (#"{"nombre": "   "}"#, "datos.nombre", "escriba el nombre que busca"),
                (#"{"nombre": "12 34"}"#, "datos.nombre", "no tiene ninguna letra"),
                (#"{"nombre": "de la"}"#, "datos.nombre", "al menos una palabra"),
                (#"{"nombre": 5}"#, "datos.nombre", "debe ser un texto"),
                (#"{"curp": "ABC"}"#, "datos.curp", "18 letras y dígitos"),
                (#"{"curp": "LOAM900303MCSPLR01", "nombre": "María"}"#, nil, "no los dos"),
                (#"{"nombre": "María", "color": "azul"}"#, "datos.color", "campo desconocido"),
                (#"{"nombre": "María", "limite": 0}"#, "datos.limite", "entero de 1"),
                ("[]", nil, "objeto JSON"),
                ("no es json", nil, "no es JSON válido"),
                ("", nil, "se esperaba un cuerpo JSON"),
            ]
            for (raw, path, message) in bad {
                let answer = try await client.call(.post, "/v1/expedientes/busqueda", token: a, raw: raw)
                #expect(answer.status == 400 && answer.text.contains(message), "\(raw): \(answer.status) \(answer.text)")
                #expect(answer.headers[.contentType]?.hasPrefix("application/problem+json") == true)
                if let path { #expect(answer.json["problemas"]?.arrayValue?.contains { $0["ruta"]?.stringValue == path } == true, "\(raw): \(answer.text)") }
            }
            #expect(try await search(["nombre": "María"], "sintra_at_falso").status == 401)
            #expect(try await client.call(.post, "/v1/expedientes/busqueda", body: ["nombre": "María"]).status == 401)
            // The case page is still routed beside the search.
            #expect(try await client.call(.get, "/v1/expedientes/\(x)", token: a).status == 200)
        }
    }
}
