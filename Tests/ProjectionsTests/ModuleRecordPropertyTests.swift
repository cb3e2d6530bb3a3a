import CanonicalJSON
import Catalog
import Commands
import Definitions
import Demo
import Foundation
import Indicators
import Projections
import TestDatabase
import Testing

/// Random lives of module records — registered, corrected (fields and dates, across years),
/// annulled — over three modules: the `hechos` projection kept incrementally in tiny batches equals
/// a rebuild, and the indicators equal those of a log holding only the surviving records, recorded
/// directly in their final form.
@Suite(.needsDatabase) struct ModuleRecordPropertyTests {
    struct Kind: Sendable {
        let command: String
        let example: JSONValue
        let correction: @Sendable (inout SeededRandom) -> JSONValue
    }

    static let kinds: [Kind] = [
        Kind(command: "registrar-espacio-de-participacion", example: repositoryDefinitions.definition(forCommand: "registrar-espacio-de-participacion")!.examples[0]) { random in
            random.int(0...1) == 0 ? ["relacionadoConLaReforma": .bool(random.int(0...1) == 0)]
                : ["fecha": .string(["2021-05-10", "2022-09-02", "2023-02-01"][random.int(0...2)])]
        },
        Kind(command: "registrar-operativo", example: repositoryDefinitions.definition(forCommand: "registrar-operativo")!.examples[0]) { random in
            ["inmueblesAsegurados": .number(Double(random.int(0...4)))]
        },
        Kind(command: "registrar-capacitacion", example: repositoryDefinitions.definition(forCommand: "registrar-capacitacion")!.examples[0]) { random in
            ["duracionEnHoras": .number(Double(random.int(1...80)))]
        },
    ]

    @Test(arguments: [UInt64(1), 2, 3])
    func randomLivesProjectAsARebuildAndAsTheSurvivingRecords(seed: UInt64) async throws {
        var random = SeededRandom(seed: seed)
        let world = try await ProjectionWorld.make()
        let projector = world.projector(batchSize: 2)
        try await projector.start()
        let hechos = try #require(projector.projection("hechos")), statistics = try #require(projector.projection("estadisticas"))
        // stream → (kind, data as it stands); annulled ones leave the dictionary.
        var live: [String: (kind: Int, data: JSONValue)] = [:]
        var order: [String] = []
        var (corrected, annulled) = (0, 0)
        // At least 14 steps, and on until the history holds a correction and an annulment (bounded).
        var steps = 0
        while steps < 14 || ((corrected == 0 || annulled == 0) && steps < 80) {
            steps += 1
            let streams = order.filter { live[$0] != nil }
            let choice = streams.isEmpty ? 0 : random.int(0...5)
            if choice <= 2 {
                let kind = random.int(0...2)
                let stream = try await world.run(Self.kinds[kind].command, Self.kinds[kind].example, institution: "SEGOB").streamId
                live[stream] = (kind, Self.kinds[kind].example)
                order.append(stream)
            } else if choice <= 4 {
                let stream = streams[random.int(0...(streams.count - 1))]
                let record = try #require(live[stream])
                let fixes = Self.kinds[record.kind].correction(&random)
                let after = ModuleRecordDecider.applying(fixes, to: record.data)
                guard after != record.data else { continue }
                try await world.run("corregir-registro", ["fecha": "2024-06-01", "motivo": "Corrección de prueba.", "correcciones": fixes],
                                    stream: stream, institution: "SEGOB")
                live[stream] = (record.kind, after)
                corrected += 1
            } else {
                let stream = streams[random.int(0...(streams.count - 1))]
                try await world.run("anular-registro", ["fecha": "2024-06-02", "motivo": "Anulación de prueba."], stream: stream, institution: "SEGOB")
                live[stream] = nil
                annulled += 1
            }
            _ = try await projector.catchUp(hechos)
            _ = try await projector.catchUp(statistics)
        }

        #expect(corrected > 0 && annulled > 0, "each seed exercises both: \(corrected) corrections, \(annulled) annulments")

        // Incremental (batches of 2, a catch-up after every command) equals a rebuild from position 0.
        let head = try await world.store.head().position
        let incremental = try await world.snapshot(schema: "proj_hechos")
        let incrementalStatistics = try await world.snapshot(schema: "proj_estadisticas")
        let (rebuilt, rebuiltStatistics) = try await projector.withReplay(until: head, label: "reconstruido", only: ["hechos", "estadisticas"]) { _ in
            (try await world.snapshot(schema: "replay_reconstruido_hechos"), try await world.snapshot(schema: "replay_reconstruido_estadisticas"))
        }
        #expect(incremental == rebuilt)
        #expect(incrementalStatistics == rebuiltStatistics)
        #expect(incremental["hechos"]?.count == live.count, "one row per surviving record")
        let operations = live.values.filter { $0.kind == 1 }.count, trainings = live.values.filter { $0.kind == 2 }.count
        #expect(incrementalStatistics["operativos"]?.count == operations && incrementalStatistics["capacitaciones"]?.count == trainings)

        // The indicators equal those of a log with only the surviving records, recorded in their final form.
        let fichas = try IndicatorDefinition.loadAll(directory: TestDatabase.repositoryRoot.appendingPathComponent("projections/indicators"))
        let today = CalendarDate("2024-12-31")!
        let fromLives = try await IndicatorEngine(pool: world.owner, indicators: fichas).compute(years: Array(2019...2024), today: today)
        let fresh = try await ProjectionWorld.make()
        for stream in order { if let record = live[stream] { try await fresh.run(Self.kinds[record.kind].command, record.data, institution: "SEGOB") } }
        try await fresh.projector().start()
        let fromSurvivors = try await IndicatorEngine(pool: fresh.owner, indicators: fichas).compute(years: Array(2019...2024), today: today)
        #expect(fromLives.map { "\($0.id) \($0.year) \($0.display)" } == fromSurvivors.map { "\($0.id) \($0.year) \($0.display)" })
    }
}
