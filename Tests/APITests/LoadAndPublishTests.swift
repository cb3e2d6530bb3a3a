import Accounts
import CanonicalJSON
import Foundation
import TestDatabase
import Testing

/// Bulk loads and publications through the API, in the name of the signed-in account.
@Suite(.needsDatabase) struct LoadAndPublishTests {
    @Test func aLoadRunsEachCommandAsTheAccountWithItsPermissions() async throws {
        let world = try await APIWorld.make()
        let user = try await world.account("cap.carga", "FGE-07", [.capturista])
        try await world.test { client in
            let token = try await client.login("cap.carga")
            let load: JSONValue = ["comandos": [
                ["comando": "registrar-persona", "claveDeIdempotencia": "carga/1", "flujo": "expediente-carga-1", "datos": persona()],
                ["comando": "registrar-atencion", "claveDeIdempotencia": "carga/2", "flujo": "expediente-carga-1", "datos": ["fecha": "2024-03-05"]],
                ["comando": "establecer-contrasena", "claveDeIdempotencia": "carga/3", "datos": ["fecha": "2024-03-05", "forma": "cambiada-por-la-persona"]],
            ]]
            let first = try await client.call(.post, "/v1/cargas", token: token, body: load)
            #expect(first.status == 200 && first.json["aceptados"] == 1 && first.json["rechazados"] == 2, "\(first.text)")
            #expect(first.json["lineas"]?[1]?["problemas"]?.arrayValue?.isEmpty == false)
            #expect(first.json["lineas"]?[2]?["problemas"]?[0]?["codigo"] == "comando-interno")
            let again = try await client.call(.post, "/v1/cargas", token: token, body: load)
            #expect(again.json["aceptados"] == 0 && again.json["yaAplicados"] == 1, "a repeated load changes nothing: \(again.text)")
            let empty = try await client.call(.post, "/v1/cargas", token: token, body: ["comandos": []])
            #expect(empty.status == 422 && empty.text.contains("datos.comandos"), "\(empty.text)")
        }
        let authors = try await world.database.store().pool.query("""
            SELECT metadata->>'userId', metadata->>'institutionId', metadata->>'client' FROM events WHERE stream_id = 'expediente-carga-1'
            """).map { [try $0.decode(String.self, 0), try $0.decode(String.self, 1), try $0.decode(String.self, 2)] }
        #expect(authors == [[user, "FGE-07", "api/1/cargas"]])
    }

    @Test func publishingNeedsThePermissionAndIsRecordedInTheAccountsName() async throws {
        let world = try await APIWorld.make(statisticsThreshold: 1)
        try await world.account("cap.pub", "FGE-07", [.capturista])
        let st = try await world.account("st.pub", "SEGOB", [.secretariaTecnica])
        try await world.catchUp()
        try await world.test { client in
            let capturista = try await client.login("cap.pub"), secretaria = try await client.login("st.pub")
            let refused = try await client.call(.post, "/v1/publicaciones/indicadores", token: capturista, body: ["desde": 2023, "hasta": 2023])
            #expect(refused.status == 403, "\(refused.text)")
            let bad = try await client.call(.post, "/v1/publicaciones/indicadores", token: secretaria, body: ["desde": 2024, "hasta": 2023, "otro": 1])
            #expect(bad.status == 422 && bad.text.contains("datos.hasta") && bad.text.contains("datos.otro"), "\(bad.text)")
            let published = try await client.call(.post, "/v1/publicaciones/indicadores", token: secretaria, body: ["desde": 2023, "hasta": 2023])
            #expect(published.status == 201 && published.json["tipo"] == "anexo-de-indicadores" && published.json["institucion"] == "SEGOB", "\(published.text)")
            let stream = try #require(published.json["publicacion"]?.stringValue)
            let author = try await world.database.store().pool.query("SELECT metadata->>'userId' FROM events WHERE stream_id = $1", [.text(stream)])
                .first?.decode(String.self, 0)
            #expect(author == st)
            // The statistics release uses the server's threshold: a client cannot ask for another one.
            let release = try await client.call(.post, "/v1/publicaciones/estadisticas", token: secretaria, body: ["anio": 2023])
            #expect(release.status == 201 && release.json["umbral"] == 1, "\(release.text)")
            let threshold = try await client.call(.post, "/v1/publicaciones/estadisticas", token: secretaria, body: ["anio": 2023, "umbral": 0])
            #expect(threshold.status == 422 && threshold.text.contains("datos.umbral"), "\(threshold.text)")
        }
    }
}
