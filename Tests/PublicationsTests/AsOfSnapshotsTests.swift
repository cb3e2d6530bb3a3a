import Catalog
import Demo
import Foundation
import Indicators
import Postgres
import Projections
import Publications
import TestDatabase
import Testing

/// Indicators as of a past position are computed once and kept (`AsOfSnapshots`): the kept answer is
/// the replayed one value for value, on random histories; a different question is computed anew.
@Suite(.needsDatabase) struct AsOfSnapshotsTests {
    @Test(arguments: [3, 11]) func aKeptAsOfAnswerEqualsTheReplayedOne(seed: UInt64) async throws {
        var random = SeededRandom(seed: seed)
        let world = try await ProjectionWorld.make()
        let today = CalendarDate("2024-12-31")!
        _ = try await DemoRunner(handler: world.handler, seed: seed, people: random.int(10...30), today: today, workers: 2).run()
        let position = try await world.store.headPosition()
        // Activity after the position changes nothing of what the log held at it.
        _ = try await DemoRunner(handler: world.handler, seed: seed + 100, people: random.int(3...10), today: today, workers: 2).run()
        let fichas = try IndicatorDefinition.loadAll(directory: AsOfTests.fichas)
        let asOf = CalendarDate("2025-01-15")!
        let compute = { (years: [Int]) in
            try await IndicatorsAsOf(projector: world.projector(), history: IndicatorDefinitionHistory(pool: world.owner))
                .compute(position: position, years: years, today: asOf, current: fichas)
        }
        let replayed = try await compute(Array(2019...2024))
        let kept = try await compute(Array(2019...2024))
        #expect(!replayed.kept && kept.kept, "la segunda respuesta sale de indicadores_al_dia")
        #expect(kept.results == replayed.results, "la respuesta guardada es la calculada, cifra por cifra")
        #expect(kept.withoutRecordedDefinition == replayed.withoutRecordedDefinition)
        #expect(replayed.results.contains { $0.value != nil }, "hay cifras que comparar")
        #expect(try await world.value(Int64.self, "SELECT count(*) FROM indicadores_al_dia") == 1)

        // Another question (one year) at the same position is no replay either: the first one kept every
        // ficha's variables there (`KeptIndicators`); it equals the same year of the whole answer.
        let year = random.int(2019...2024)
        let one = try await compute([year])
        #expect(one.kept && one.results == replayed.results.filter { $0.year == year })
        #expect(try await world.value(Int64.self, "SELECT count(*) FROM indicadores_al_dia") == 1)
        // A reproduction computes, whatever was kept, and gives the same.
        let reproduced = try await IndicatorsAsOf(projector: world.projector(), history: IndicatorDefinitionHistory(pool: world.owner))
            .compute(position: position, years: [year], today: asOf, current: fichas, recompute: true)
        #expect(!reproduced.kept && reproduced.results == one.results)
    }
}
