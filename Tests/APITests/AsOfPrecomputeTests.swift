import API
import CanonicalJSON
import Catalog
import Foundation
import Indicators
import Logging
import Postgres
import Publications
import TestDatabase
import Testing

/// The leader keeps each finished day's indicators (`AsOfPrecomputeService`): the row appears without
/// any request, and `GET /v1/indicadores?asOf=` for that day answers with exactly what was kept.
@Suite(.needsDatabase) struct AsOfPrecomputeTests {
    @Test func yesterdaysIndicatorsAreKeptAndServed() async throws {
        let world = try await APIWorld.make()
        try await world.account("st.al.dia", "SEGOB", [.secretariaTecnica])
        try await world.catchUp()
        let projector = try #require(world.services.projector)
        let yesterday = CalendarDate.today().adding(days: -1)
        let service = AsOfPrecomputeService(projector: projector, indicators: world.services.indicators, leadership: nil,
                                            logger: Logger(label: "pruebas"), interval: .milliseconds(50))
        let running = Task { try await service.run() }
        let admin = try await world.database.admin()
        var rows: Int64 = 0
        for _ in 0..<600 where rows == 0 {
            try await Task.sleep(for: .milliseconds(100))
            rows = try await admin.query("SELECT count(*) FROM indicadores_al_dia WHERE fecha = $1::date", [.text(yesterday.description)])[0].decode(Int64.self, 0)
        }
        running.cancel()
        await admin.close()
        #expect(rows == 1, "el día de ayer quedó guardado sin que nadie lo pidiera")

        let kept = try await AsOfPrecomputeService.keep(day: yesterday, projector: projector, indicators: world.services.indicators)
        #expect(kept.kept, "la segunda vez es una consulta, no una reconstrucción")
        let answer = try await world.test { client in
            let token = try await client.login("st.al.dia")
            return try await client.call(.get, "/v1/indicadores?asOf=\(yesterday)", token: token)
        }
        #expect(answer.status == 200, "\(answer.text.prefix(300))")
        let served = answer.json["alDia"]?["resultados"]
        #expect(served == AnnexRenderer.jsonValue(kept.results), "la API responde lo guardado: \(String(describing: served).prefix(300))")
    }
}
