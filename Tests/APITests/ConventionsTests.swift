import API
import CanonicalJSON
import Foundation
import TestDatabase
import Testing

/// The HTTP conventions: idempotency keys, optimistic concurrency, problem+json for every client
/// mistake (never a 500), limits, health and metrics.
@Suite(.needsDatabase) struct ConventionsTests {
    @Test func clientMistakesGetTheirStatusWithEveryProblemAndWriteNothing() async throws {
        let world = try await APIWorld.make()
        try await world.account("cap.a", "FGE-07", [.capturista])
        let (statuses, before): ([String: Int], Int64) = try await world.test { client in
            let token = try await client.login("cap.a")
            let before = try await world.database.store().head().count  // after the login, which is recorded
            var seen: [String: Int] = [:]
            seen["json roto"] = try await client.call(.post, "/v1/comandos/registrar-persona", token: token, raw: #"{"sexo": "mujer", "sexo": "hombre"}"#,
                                                      headers: ["Idempotency-Key": "a"]).status
            seen["sin clave"] = try await client.call(.post, "/v1/comandos/registrar-persona", token: token, body: persona()).status
            seen["demasiado grande"] = try await client.call(.post, "/v1/comandos/registrar-persona", token: token,
                                                             raw: "{\"nombre\": \"" + String(repeating: "x", count: 1_100_000) + "\"}",
                                                             headers: ["Idempotency-Key": "b"]).status
            let invalid = try await client.command("registrar-persona", ["sexo": "x", "edad": "veinte"], token: token)
            seen["inválido"] = invalid.status
            seen["rutas del inválido"] = invalid.json["problemas"]?.arrayValue?.contains { $0["ruta"] == "datos.edad" } == true ? 1 : 0
            seen["token falso"] = try await client.call(.get, "/v1/expedientes", token: "sintra_at_falso").status
            seen["flujo inexistente"] = try await client.command("registrar-atencion", atencion(), stream: "expediente-no-existe", token: token).status
            seen["parámetro desconocido"] = try await client.call(.get, "/v1/expedientes?colorFavorito=azul", token: token).status
            seen["posición futura"] = try await client.call(.get, "/v1/expedientes?posicion=999999999", token: token).status
            return (seen, before)
        }
        #expect(statuses == ["json roto": 400, "sin clave": 400, "demasiado grande": 413, "inválido": 422, "rutas del inválido": 1,
                             "token falso": 401, "flujo inexistente": 404, "parámetro desconocido": 400, "posición futura": 400])
        #expect(try await world.database.store().head().count == before, "nada se escribió")
    }

    @Test func aRetryNeverDuplicatesAndAStaleIfMatchGets412WithTheCurrentVersion() async throws {
        let world = try await APIWorld.make()
        try await world.account("cap.a", "FGE-07", [.capturista])
        let before = try await world.test { client in
            let token = try await client.login("cap.a")
            let before = try await world.database.store().head().count  // after the login, which is recorded
            let first = try await client.command("registrar-persona", persona(), token: token, key: "fge07/2024/1")
            let retry = try await client.command("registrar-persona", persona(), token: token, key: "fge07/2024/1")
            #expect(first.status == 201 && retry.status == 200)
            #expect(first.json["flujo"] == retry.json["flujo"] && retry.json["repetido"] == true)
            let stream = try #require(first.json["flujo"]?.stringValue)
            #expect(first.headers[.eTag] == "\"1\"")
            let attended = try await client.command("registrar-atencion", atencion(), stream: stream, token: token, headers: ["If-Match": "\"1\""])
            #expect(attended.status == 201 && attended.headers[.eTag] == "\"2\"")
            let stale = try await client.command("registrar-atencion", atencion("2024-03-06"), stream: stream, token: token, headers: ["If-Match": "\"1\""])
            #expect(stale.status == 412 && stale.json["versionActual"] == 2 && stale.headers[.eTag] == "\"2\"")
            let reused = try await client.command("registrar-atencion", atencion("2024-03-07"), stream: stream, token: token, key: "fge07/2024/1")
            #expect(reused.status == 422 && reused.json["problemas"]?[0]?["codigo"] == "clave-de-idempotencia-reutilizada")
            return before
        }
        #expect(try await world.database.store().head().count == before + 2, "el registro y una atención: ni el reintento ni el 412 escribieron")
    }

    /// Writes that are not commands keep their first answer by account and key; the table holds a
    /// keyed digest of the request, never its body (which may carry a name or a password).
    @Test func anAdministrationRetryGetsTheFirstAnswerAndActsOnce() async throws {
        let world = try await APIWorld.make()
        try await world.account("admin.nacional", "SEGOB", [.administrador])
        try await world.catchUp()
        let accountsBefore = try await world.services.accounts.directory.accounts().count
        try await world.test { client in
            let token = try await client.login("admin.nacional")
            let person: JSONValue = ["usuario": "maria.ficticia", "nombre": "María Ficticia Ejemplar", "institucion": "SEGOB",
                                     "roles": ["capturista"], "contrasena": "una frase de paso bastante larga"]
            let first = try await client.call(.post, "/v1/admin/usuarios", token: token, body: person, headers: ["Idempotency-Key": "alta-1"])
            #expect(first.status == 201, "\(first.text)")
            let retry = try await client.call(.post, "/v1/admin/usuarios", token: token, body: person, headers: ["Idempotency-Key": "alta-1"])
            #expect(retry.status == 200 && retry.json == first.json, "\(retry.text)")
            var other = person
            other = FieldPathEdit.set(other, "usuario", "otra.persona")
            let reused = try await client.call(.post, "/v1/admin/usuarios", token: token, body: other, headers: ["Idempotency-Key": "alta-1"])
            #expect(reused.status == 422 && reused.json["problemas"]?[0]?["codigo"] == "clave-de-idempotencia-reutilizada", "\(reused.text)")
            let missing = try await client.call(.post, "/v1/admin/usuarios", token: token, body: other)
            #expect(missing.status == 400 && missing.json["problemas"]?[0]?["ruta"] == "encabezados.Idempotency-Key", "\(missing.text)")
            // A refused write leaves the key free for the corrected request.
            let refused = try await client.call(.post, "/v1/admin/usuarios/usuario-no-existe/suspension", token: token, body: ["motivo": "Prueba."],
                                                headers: ["Idempotency-Key": "suspension-1"])
            #expect(refused.status == 404)
            let user = try #require(first.json["usuario"]?.stringValue)
            let suspended = try await client.call(.post, "/v1/admin/usuarios/\(user)/suspension", token: token, body: ["motivo": "Prueba."],
                                                  headers: ["Idempotency-Key": "suspension-1"])
            #expect(suspended.status == 200 && suspended.json["activa"] == false, "\(suspended.text)")
            let again = try await client.call(.post, "/v1/admin/usuarios/\(user)/suspension", token: token, body: ["motivo": "Prueba."],
                                              headers: ["Idempotency-Key": "suspension-1"])
            #expect(again.status == 200 && again.json == suspended.json, "\(again.text)")
        }
        #expect(try await world.services.accounts.directory.accounts().count == accountsBefore + 1, "una sola cuenta nueva")
        let stored = try await world.database.store().pool.query("SELECT request_digest, response FROM api_idempotency")
        let text = try stored.map { try $0.decode(String?.self, 1) ?? "" }.joined()
        #expect(stored.count == 2 && !text.contains("María") && !text.contains("maria.ficticia") && !text.contains("frase de paso"), "\(text)")
    }

    @Test func tooManyRequestsGet429WithRetryAfter() async throws {
        var configuration = APIServer.Configuration()
        // One request per 100 s after a burst of 3: no token comes back while the test runs, however slow the machine.
        configuration.perAccount = (0.01, 3)
        let world = try await APIWorld.make(configuration: configuration)
        try await world.account("cap.a", "FGE-07", [.capturista])
        try await world.catchUp()
        let statuses: [Int] = try await world.test { client in
            let token = try await client.login("cap.a")
            var statuses: [Int] = []
            for _ in 0..<5 { statuses.append(try await client.call(.get, "/v1/expedientes", token: token).status) }
            let limited = try await client.call(.get, "/v1/expedientes", token: token)
            #expect(limited.headers[.retryAfter] != nil)
            return statuses
        }
        #expect(statuses.prefix(3).allSatisfy { $0 == 200 } && statuses.suffix(2).allSatisfy { $0 == 429 }, "\(statuses)")
    }

    @Test func healthReadinessAndMetrics() async throws {
        var configuration = APIServer.Configuration()
        configuration.metricsToken = "token-de-metricas"
        let world = try await APIWorld.make(configuration: configuration)
        try await world.catchUp()
        try await world.test { client in
            #expect(try await client.call(.get, "/health").status == 200)
            #expect(try await client.call(.get, "/ready").status == 200)
            try await world.account("cap.a", "FGE-07", [.capturista])  // the projections now lag behind the log
            let behind = try await client.call(.get, "/ready")
            #expect(behind.status == 503 && behind.headers[.retryAfter] != nil)
            let metrics = try await client.call(.get, "/metrics", token: "token-de-metricas")
            #expect(metrics.status == 200 && metrics.text.contains("sintra_proyeccion_retraso_eventos{proyeccion=\"expedientes\"}"))
            try await world.catchUp()
            #expect(try await client.call(.get, "/ready").status == 200)
        }
    }

    @Test func aLiveServerOverTCPAnswersTheSameWay() async throws {
        let world = try await APIWorld.make()
        try await world.account("cap.a", "FGE-07", [.capturista])
        try await world.catchUp()
        try await world.test(live: true) { client in
            #expect(try await client.call(.get, "/health").status == 200)
            let token = try await client.login("cap.a")
            let created = try await client.command("registrar-persona", persona(), token: token)
            #expect(created.status == 201 && created.headers[.location]?.hasPrefix("/v1/expedientes/expediente-") == true)
            let missing = try await client.call(.get, "/v1/no-existe")
            #expect(missing.status == 404 && missing.headers[.contentType]?.hasPrefix("application/problem+json") == true)
        }
    }
}
