import Catalog
import Demo
import Foundation
import Indicators
import Postgres
import Projections
import Publications
import TestDatabase
import Testing

/// Every finished day's indicators, kept in one pass over the log (`DayEndIndicators`): afterwards an
/// as-of question for any of those days is a lookup, and gives what replaying the log to the day's end
/// gives, value for value.
@Suite(.needsDatabase) struct DayEndIndicatorsTests {
    @Test func everyPastDayIsKeptInOnePassAndEqualsItsReplay() async throws {
        var random = SeededRandom(seed: 41)
        let world = try await ProjectionWorld.make()
        _ = try await DemoRunner(handler: world.handler, seed: 41, people: random.int(10...20), today: CalendarDate("2024-12-31")!, workers: 2).run()
        let head = try await world.store.headPosition()
        // The log as if recorded over three days: the first events three days ago, the next two days ago,
        // the rest today. (recorded_at is the database's clock at the append; the test moves it, as superuser,
        // past the immutability trigger.)
        let first = Int64(random.int(Int(head) / 4...Int(head) / 2))
        let second = Int64(random.int(Int(first) + 1...Int(head) - 1))
        _ = try await world.owner.withConnection { connection in
            try await connection.withTransaction { connection in
                _ = try await connection.query("SET LOCAL session_replication_role = replica")
                _ = try await connection.query("UPDATE events SET recorded_at = recorded_at - interval '3 days' WHERE position <= $1", [.int64(first)])
                _ = try await connection.query("""
                    UPDATE events SET recorded_at = recorded_at - interval '2 days' WHERE position > $1 AND position <= $2
                    """, [.int64(first), .int64(second)])
            }
        }
        let projector = world.projector()
        try await projector.start()
        let fichas = try IndicatorDefinition.loadAll(directory: AsOfTests.fichas)
        let today = CalendarDate.today()
        let years = Array(2019...2024)
        let days = DayEndIndicators(projector: projector, current: fichas, years: years)
        #expect(try await days.dayEnds(before: today) == [first, second], "el último evento de cada día terminado")

        let pass = try await days.keepMissing(today: today)
        #expect(pass.computed == [first, second] && pass.through == second)
        #expect(try await days.keepMissing(today: today).computed == [], "lo guardado no se calcula otra vez")
        #expect(try await days.dayEnds(before: today, after: first) == [second], "después de una posición, sólo los días posteriores")
        for (offset, end) in [(-3, first), (-2, second)] {
            let day = today.adding(days: offset)
            let position = try await projector.position(recordedAtOrBefore: try #require(Timestamp(endOfDay: day.description)))
            #expect(position == end, "al día \(day) corresponde la posición \(end)")
            let asOf = try await IndicatorsAsOf(projector: projector, history: IndicatorDefinitionHistory(pool: world.owner))
                .compute(position: position, years: years, today: day, current: fichas)
            let reference = try await KeptIndicatorsTests.replayed(world, fichas, at: position, today: day)
            #expect(asOf.kept, "al \(day): una consulta, sin reconstrucción")
            #expect(asOf.results == reference, "al \(day): lo guardado es lo que da la reconstrucción")
        }
        #expect(try await world.value(Int64.self, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'replay_cierres_%'") == 0,
                "los esquemas de trabajo se borran")
    }
}
