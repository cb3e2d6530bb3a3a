import Catalog
import Demo
import Foundation
import Indicators
import Postgres
import Projections
import Publications
import TestDatabase
import Testing

/// The fichas' variables kept at a position (`KeptIndicators`, table `indicadores_calculados`) give,
/// value for value, what today's computation gives — the fichas' SQL over the projections replayed
/// to that position — on random histories; they are read only where the projections stood exactly.
@Suite(.needsDatabase) struct KeptIndicatorsTests {
    static let years = Array(2019...2024)

    /// Today's computation: the projections replayed to `position` in scratch schemas, the fichas' SQL over them.
    static func replayed(_ world: ProjectionWorld, _ fichas: [IndicatorDefinition], at position: Int64, today: CalendarDate) async throws -> [IndicatorResult] {
        try await world.projector().withReplay(until: position, label: "ref_\(UInt32.random(in: 0...UInt32.max))", only: ["hechos", "expedientes"]) { schemas in
            try await IndicatorEngine(pool: world.projectorPool, indicators: fichas)
                .compute(years: years, source: .init(schemas: [schemas["hechos"]!, schemas["expedientes"]!], position: position), today: today)
        }
    }

    @Test(arguments: [5, 17, 29]) func keptFiguresEqualTodaysComputationOnRandomHistories(seed: UInt64) async throws {
        var random = SeededRandom(seed: seed)
        let world = try await ProjectionWorld.make()
        let demoDay = CalendarDate("2024-12-31")!
        _ = try await DemoRunner(handler: world.handler, seed: seed, people: random.int(8...25), today: demoDay, workers: 2).run()
        let projector = world.projector(batchSize: Int64(random.int(50...400)))
        try await projector.start()
        _ = try await DemoRunner(handler: world.handler, seed: seed + 1_000, people: random.int(3...12), today: demoDay, workers: 2).run()
        let head = try await world.store.headPosition()
        let fichas = try IndicatorDefinition.loadAll(directory: AsOfTests.fichas)
        let kept = KeptIndicators(projector: projector)
        let engine = IndicatorEngine(pool: world.projectorPool, indicators: fichas, kept: kept)
        // Read on a day where some figures are final and others still p/.
        let today = CalendarDate("2025-0\(random.int(1...9))-15")!

        // The live projections brought to a random position inside the log, and kept there.
        let start = try #require(try await world.value(Int64.self, "SELECT position FROM projection_state WHERE name = 'hechos'"))
        let position = Int64(random.int(Int(start) + 1...Int(head)))
        for name in ["hechos", "expedientes"] { try await projector.catchUp(try #require(projector.projection(name)), through: position) }
        let computed = try await engine.compute(years: Self.years, today: today, keep: true)
        #expect(computed.allSatisfy { $0.logPosition == position })
        let rows = try await world.value(Int64.self, "SELECT count(*) FROM indicadores_calculados WHERE posicion = $1", [.int64(position)])
        let expected = fichas.reduce(0) { total, ficha in total + ficha.variables.count * Self.years.filter { ficha.baselineYear <= $0 }.count }
        #expect(rows == Int64(expected),
                "una fila por variable de cada ficha y año desde su línea base")

        // Later: the log has moved on, yet the figures at that position are looked up, and equal the replay's.
        for name in ["hechos", "expedientes"] { try await projector.catchUp(try #require(projector.projection(name))) }
        let looked = try #require(try await engine.kept(at: position, years: Self.years, today: today), "todo quedó guardado en la posición")
        let reference = try await Self.replayed(world, fichas, at: position, today: today)
        #expect(looked == reference, "lo guardado es, cifra por cifra, lo que da la reconstrucción")
        #expect(computed == reference)
        #expect(reference.contains { $0.value != nil } && reference.contains { $0.variables.contains { !$0.positions.isEmpty } }, "hay cifras que comparar")
        // The figures alone (the pages and the annex in Markdown, HTML or CSV): the same, without the positions.
        let figures = try #require(try await engine.kept(at: position, years: Self.years, today: today, provenance: false))
        #expect(figures == reference.map { $0.withoutPositions() } && figures.allSatisfy { $0.variables.allSatisfy { $0.positions.isEmpty } },
                "sin procedencia: las mismas cifras, sin posiciones")

        // An as-of answer at that position is the lookup, no replay.
        let asOf = try await IndicatorsAsOf(projector: projector, history: IndicatorDefinitionHistory(pool: world.owner))
            .compute(position: position, years: Self.years, today: today, current: fichas)
        #expect(asOf.kept && asOf.results == reference)

        // Kept again at the head, the same UTC day: only the day's last position stays; the earlier one is replayed
        // (and kept, as every as-of computation) and still equals the reference.
        // Computed there without provenance, yet kept with it: the later reading with positions is whole.
        let atHead = try await engine.compute(years: Self.years, today: today, keep: true, provenance: false)
        let referenceAtHead = try await Self.replayed(world, fichas, at: head, today: today)
        #expect(atHead == referenceAtHead.map { $0.withoutPositions() })
        #expect(try await engine.kept(at: head, years: Self.years, today: today) == referenceAtHead)
        #expect(try await world.value(Int64.self, "SELECT count(DISTINCT posicion) FROM indicadores_calculados") == 1)
        #expect(try await engine.kept(at: position, years: Self.years, today: today) == nil)
        let anotherDate = CalendarDate("2026-01-01")!
        let replayedAgain = try await IndicatorsAsOf(projector: projector, history: IndicatorDefinitionHistory(pool: world.owner))
            .compute(position: position, years: Self.years, today: anotherDate, current: fichas)
        let referenceAgain = try await Self.replayed(world, fichas, at: position, today: anotherDate)
        #expect(!replayedAgain.kept && replayedAgain.results == referenceAgain)
        #expect(try await engine.kept(at: position, years: Self.years, today: anotherDate) == replayedAgain.results)
    }

    /// With `hechos` ahead of `expedientes` the live projections are a picture of no position: nothing is
    /// kept or read there; and a changed ficha never reads the figures of the one it replaced.
    @Test func nothingIsKeptWhileTheProjectionsStandApartNorReadByAnotherFicha() async throws {
        let world = try await ProjectionWorld.make()
        _ = try await DemoRunner(handler: world.handler, seed: 7, people: 6, today: CalendarDate("2024-12-31")!, workers: 1).run()
        let projector = world.projector()
        try await projector.start()
        _ = try await DemoRunner(handler: world.handler, seed: 8, people: 3, today: CalendarDate("2024-12-31")!, workers: 1).run()
        try await projector.catchUp(try #require(projector.projection("hechos")))
        let fichas = try IndicatorDefinition.loadAll(directory: AsOfTests.fichas)
        let kept = KeptIndicators(projector: projector)
        let today = CalendarDate("2025-06-01")!
        _ = try await IndicatorEngine(pool: world.projectorPool, indicators: fichas, kept: kept).compute(years: Self.years, today: today, keep: true)
        #expect(try await world.value(Int64.self, "SELECT count(*) FROM indicadores_calculados") == 0)

        try await projector.catchUp(try #require(projector.projection("expedientes")))
        let head = try await world.store.headPosition()
        _ = try await IndicatorEngine(pool: world.projectorPool, indicators: fichas, kept: kept).compute(years: Self.years, today: today, keep: true)
        #expect(try await world.value(Int64.self, "SELECT count(DISTINCT posicion) FROM indicadores_calculados") == 1)
        #expect(try await IndicatorEngine(pool: world.projectorPool, indicators: fichas, kept: kept).kept(at: head, years: Self.years, today: today) != nil)

        // The same ficha under another projections' version, or with another query, has another key.
        let other = KeptIndicators(projectionsFingerprint: "otra versión de las proyecciones")
        #expect(try await IndicatorEngine(pool: world.projectorPool, indicators: fichas, kept: other).kept(at: head, years: Self.years, today: today) == nil)
        #expect(Set(fichas.map(kept.key)).count == fichas.count && fichas.allSatisfy { kept.key($0) != other.key($0) })
    }
}
