import CanonicalJSON
import Foundation
import TestDatabase
import Testing

/// Changing one's own password: problems name the fields the client sent, and the contract
/// declares the length the server enforces.
@Suite(.needsDatabase) struct PasswordChangeTests {
    @Test func problemsNameTheFieldsOfTheBodyAndTheContractDeclaresTheServersMinimum() async throws {
        let world = try await APIWorld.make()
        try await world.account("cap.clave", "FGE-07", [.capturista])
        try await world.test { client in
            let token = try await client.login("cap.clave")
            func change(_ body: JSONValue) async throws -> Answer {
                try await client.call(.put, "/v1/sesiones/actual/contrasena", token: token, body: body, headers: ["Idempotency-Key": UUID().uuidString])
            }
            let short = try await change(["actual": .string(APIWorld.password), "nueva": "corta"])
            #expect(short.status == 422 && short.json["problemas"]?[0]?["ruta"] == "datos.nueva", "\(short.text)")
            let wrong = try await change(["actual": "no es la actual", "nueva": "una frase nueva y bastante larga"])
            #expect(wrong.status == 422 && wrong.json["problemas"]?[0]?["ruta"] == "datos.actual", "\(wrong.text)")
            #expect(try await change(["actual": .string(APIWorld.password), "nueva": "una frase nueva y bastante larga"]).status == 204)
        }
        let nueva = world.server.contract["paths"]?["/v1/sesiones/actual/contrasena"]?["put"]?["requestBody"]?["content"]?["application/json"]?["schema"]?["properties"]?["nueva"]
        #expect(nueva?["minLength"] == 12, "\(String(describing: nueva))")
    }
}
