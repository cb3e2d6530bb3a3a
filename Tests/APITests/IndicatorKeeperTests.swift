import API
import Catalog
import Foundation
import Indicators
import Logging
import Postgres
import Publications
import TestDatabase
import Testing

/// The leader keeps the indicators once the log goes still (`IndicatorKeeperService`): the rows appear
/// at the projections' position without any request, and the API's figures are then read from them —
/// the same figures it computed before they were kept.
@Suite(.needsDatabase) struct IndicatorKeeperTests {
    @Test func theIndicatorsAreKeptWhereTheLogStandsStillAndServedFromThere() async throws {
        let world = try await APIWorld.make()
        try await world.account("st.guardados", "SEGOB", [.secretariaTecnica])
        try await world.catchUp()
        let projector = try #require(world.services.projector)
        let ask = {
            try await world.test { client in
                let token = try await client.login("st.guardados")
                return try await client.call(.get, "/v1/indicadores", token: token)
            }
        }
        let computed = try await ask()
        #expect(computed.status == 200, "\(computed.text.prefix(300))")
        let admin = try await world.database.admin()
        #expect(try await admin.query("SELECT count(*) FROM indicadores_calculados")[0].decode(Int64.self, 0) == 0,
                "una lectura por la aplicación no guarda: guarda el proyector")

        let service = IndicatorKeeperService(projector: projector, indicators: world.services.indicators, leadership: nil,
                                             logger: Logger(label: "pruebas"), interval: .milliseconds(50))
        let running = Task { try await service.run() }
        let position = try #require(try await admin.query("SELECT position FROM projection_state WHERE name = 'hechos'")[0].decode(Int64?.self, 0))
        var rows: Int64 = 0
        for _ in 0..<600 where rows == 0 {
            try await Task.sleep(for: .milliseconds(100))
            rows = try await admin.query("SELECT count(*) FROM indicadores_calculados WHERE posicion = $1", [.int64(position)])[0].decode(Int64.self, 0)
        }
        running.cancel()
        #expect(rows > 0, "quedaron guardados en la posición de las proyecciones sin que nadie los pidiera")
        // Served from what was kept: a kept row altered by hand shows up in the answer (then put back as it was).
        let row = try #require(try await admin.query("""
            SELECT clave, anio, orden, valor FROM indicadores_calculados WHERE posicion = $1 AND anio = 2024 ORDER BY clave, orden LIMIT 1
            """, [.int64(position)]).first)
        let slot: [PostgresValue] = [.int64(position), .bytea(try row.decode([UInt8].self, 0)), .int32(try row.decode(Int32.self, 1)), .int32(try row.decode(Int32.self, 2))]
        let original = try row.decode(Double?.self, 3)
        _ = try await admin.query("UPDATE indicadores_calculados SET valor = $5 WHERE posicion = $1 AND clave = $2 AND anio = $3 AND orden = $4", slot + [.double((original ?? 0) + 1000)])
        let altered = try await ask()
        _ = try await admin.query("UPDATE indicadores_calculados SET valor = $5 WHERE posicion = $1 AND clave = $2 AND anio = $3 AND orden = $4", slot + [original.map(PostgresValue.double) ?? .null])
        let served = try await ask()
        await admin.close()
        #expect(served.json["ahora"] == computed.json["ahora"], "lo guardado es lo que se calculaba")
        #expect(altered.json["ahora"] != computed.json["ahora"], "la respuesta sale de lo guardado, no de calcular otra vez")
    }
}
