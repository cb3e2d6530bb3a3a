import API
import CanonicalJSON
import EventLog
import Foundation
import HTTPTypes
import TestDatabase
import Testing

/// SINTRA Capacitación (issue 16): everything a training instance answers says so. The header is set by the
/// outermost middleware, so it is on successes, on every kind of problem and on routes that do not exist.
@Suite(.needsDatabase) struct EnvironmentHeaderTests {
    @Test func everyResponseOfATrainingInstanceCarriesTheHeader() async throws {
        var configuration = APIServer.Configuration()
        configuration.environment = .capacitacion
        let world = try await APIWorld.make(configuration: configuration)
        try await world.account("cap.a", "FGE-07", [.capturista])
        let answers = try await world.test { client in
            let token = try await client.login("cap.a")
            var seen: [(String, Answer)] = []
            seen.append(("health", try await client.call(.get, "/health")))
            seen.append(("ready", try await client.call(.get, "/ready")))
            seen.append(("contrato", try await client.call(.get, "/openapi.json")))
            seen.append(("estadísticas sin sesión", try await client.call(.get, "/v1/estadisticas")))
            seen.append(("ruta inexistente", try await client.call(.get, "/no-existe")))
            seen.append(("sin sesión", try await client.call(.get, "/v1/expedientes")))
            seen.append(("token falso", try await client.call(.get, "/v1/expedientes", token: "sintra_at_falso")))
            seen.append(("json roto", try await client.call(.post, "/v1/comandos/registrar-persona", token: token, raw: "{",
                                                           headers: ["Idempotency-Key": "a"])))
            seen.append(("inválido", try await client.command("registrar-persona", ["sexo": "x"], token: token)))
            seen.append(("registrado", try await client.command("registrar-persona", persona(), token: token)))
            seen.append(("expedientes", try await client.call(.get, "/v1/expedientes", token: token)))
            return seen
        }
        #expect(Set(answers.map(\.1.status)).isSuperset(of: [200, 400, 401, 404, 422]), "\(answers.map { ($0.0, $0.1.status) })")
        for (name, answer) in answers {
            #expect(answer.headers[.init("SINTRA-Ambiente")!] == "capacitacion", "\(name) (\(answer.status)) sin SINTRA-Ambiente")
        }
    }

    @Test func aProductionInstanceSaysProduction() async throws {
        let world = try await APIWorld.make()
        let answers = try await world.test { client in
            [try await client.call(.get, "/health"), try await client.call(.get, "/no-existe"), try await client.call(.get, "/v1/expedientes")]
        }
        for answer in answers { #expect(answer.headers[.init("SINTRA-Ambiente")!] == "produccion", "\(answer.status)") }
    }
}
