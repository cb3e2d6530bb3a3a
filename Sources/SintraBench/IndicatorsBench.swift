import Catalog
import Foundation
import Indicators
import Postgres
import Projections
import Publications

/// `sintra-bench indicators`: the 15 fichas for 2019–2024 over the live projections, in process (no
/// program start, no definitions to load): computed by their SQL, then looked up where they were kept
/// (`KeptIndicators`) with and without each variable's positions, and an as-of answer at that
/// position, looked up and replayed. Medians of `rounds`, in milliseconds.
struct IndicatorsBench {
    let url: String
    let root: URL
    let rounds: Int

    func run() async throws {
        let pool = ConnectionPool(connectionString: url, maxConnections: 2)
        let projector = Projector(pool: pool, projections: try ProjectionDefinition.loadAll(directory: root.appendingPathComponent("projections")))
        let fichas = try IndicatorDefinition.loadAll(directory: root.appendingPathComponent("projections/indicators"))
        let years = Array(2019...2024)
        let today = CalendarDate.today()
        try await projector.start()
        let computing = IndicatorEngine(pool: pool, indicators: fichas)
        let keeping = IndicatorEngine(pool: pool, indicators: fichas, kept: KeptIndicators(projector: projector))
        _ = try await pool.query("DELETE FROM indicadores_calculados")

        var reference: [IndicatorResult] = []
        let computed = try await median(max(1, rounds / 2)) { reference = try await computing.compute(years: years, today: today) }
        let keep = try await median(1) { _ = try await keeping.compute(years: years, today: today, keep: true) }
        var looked: [IndicatorResult] = []
        let lookedUp = try await median(rounds * 4) { looked = try await keeping.compute(years: years, today: today) }
        // The figures alone, as the annex in Markdown, HTML or CSV and the indicators page read them.
        var figures: [IndicatorResult] = []
        let figuresLookedUp = try await median(rounds * 4) { figures = try await keeping.compute(years: years, today: today, provenance: false) }
        let position = try await pool.query("SELECT min(position) FROM projection_state WHERE name IN ('hechos', 'expedientes')")
            .first?.decode(Int64.self, 0) ?? 0
        let asOf = try await median(rounds * 4) {
            _ = try await IndicatorsAsOf(projector: projector, history: IndicatorDefinitionHistory(pool: pool))
                .compute(position: position, years: years, today: today, current: fichas)
        }
        // Without anything kept there: the projections replayed to the position, the fichas' SQL over them.
        let replayed = try await median(1) {
            _ = try await IndicatorsAsOf(projector: projector, history: IndicatorDefinitionHistory(pool: pool))
                .compute(position: position, years: years, today: today, current: fichas, recompute: true)
        }
        await pool.close()
        print("RESULT indicators_computed_ms \(computed)")
        print("RESULT indicators_keep_ms \(keep)")
        print("RESULT indicators_kept_ms \(lookedUp)")
        print("RESULT indicators_kept_figures_ms \(figuresLookedUp)")
        print("RESULT indicators_asof_kept_ms \(asOf)")
        print("RESULT indicators_asof_replayed_ms \(replayed)")
        // The projections did not move meanwhile (the bench's log is still): the lookup must be the computation.
        print("RESULT indicators_kept_equal \(looked == reference)")
        print("RESULT indicators_kept_figures_equal \(figures == reference.map { $0.withoutPositions() })")
    }

    /// The median wall time of `count` runs of `body`, in milliseconds with one decimal.
    private func median(_ count: Int, _ body: () async throws -> Void) async throws -> String {
        var times: [Double] = []
        for _ in 0..<count {
            let started = ContinuousClock.now
            try await body()
            let elapsed = ContinuousClock.now - started
            times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        return String(format: "%.1f", times.sorted()[times.count / 2])
    }
}
