import Catalog
import Indicators
import Postgres
import Projections

/// The indicators as of the end of every finished UTC day of the log, kept (`KeptIndicators`) in one
/// pass: the projections are replayed once, stopping at each day's last position
/// (`Projector.replay(stoppingAt:)`), and the fichas in force there are computed and kept. After it,
/// "as of any past date" is a lookup, not a replay of the log per question (issue 21: 8 s per as-of
/// answer on a million events).
///
/// The instance that leads the projections runs it in the background (`AsOfPrecomputeService`), so a
/// log loaded from elsewhere or recorded before this release gets its past days too; `sintra indicators
/// --guardar-cierres` runs it by hand. Days already kept are skipped, so it costs nothing once done.
public struct DayEndIndicators: Sendable {
    let projector: Projector
    let current: [IndicatorDefinition]
    let years: [Int]

    public init(projector: Projector, current: [IndicatorDefinition], years: [Int]) {
        self.projector = projector
        self.current = current
        self.years = years
    }

    /// For each day (in Mexico City, as `Timestamp(endOfDay:)` cuts it) before `today` with events, the position an as-of question for that day reads:
    /// the last recorded at or before the day's end (`Projector.position(recordedAtOrBefore:)`). Only
    /// those after `position`, reading only the events after it.
    public func dayEnds(before today: CalendarDate, after position: Int64 = 0) async throws -> [Int64] {
        guard let end = Timestamp(endOfDay: today.adding(days: -1).description) else { return [] }
        return try await projector.pool.query("""
            SELECT DISTINCT max(last) OVER (ORDER BY day) AS position
              FROM (SELECT (recorded_at AT TIME ZONE 'America/Mexico_City')::date AS day, max(position) AS last
                      FROM events WHERE position > $2 AND recorded_at <= $1 GROUP BY 1) days
             ORDER BY 1
            """, [.timestamp(end), .int64(position)]).map { try $0.decode(Int64.self, 0) }
    }

    /// Computes and keeps every day end before `today` (after `position`) not kept yet. Returns the
    /// positions computed, and the last day end looked at (`position` when there was none): a caller
    /// that asks again later passes it, and only newer days are looked at.
    @discardableResult
    public func keepMissing(today: CalendarDate, after position: Int64 = 0) async throws -> (computed: [Int64], through: Int64) {
        let asOf = IndicatorsAsOf(projector: projector, history: IndicatorDefinitionHistory(pool: projector.pool))
        let kept = KeptIndicators(projector: projector)
        let ends = try await dayEnds(before: today, after: position)
        var missing: [Int64] = []
        for end in ends {
            let definitions = try await asOf.definitions(at: end, current: current, only: nil).all
            if try await IndicatorEngine(pool: projector.pool, indicators: definitions, kept: kept).kept(at: end, years: years, today: today) == nil {
                missing.append(end)
            }
        }
        let through = ends.last ?? position
        guard !missing.isEmpty else { return ([], through) }
        let years = years
        try await projector.replay(stoppingAt: missing, label: "cierres_\(UInt32.random(in: 0...UInt32.max))", only: ["hechos", "expedientes"]) {
            [projector] schemas, stop in
            guard let hechos = schemas["hechos"], let expedientes = schemas["expedientes"] else { throw PublicationError.missingProjections }
            let definitions = try await asOf.definitions(at: stop, current: current, only: nil).all
            _ = try await IndicatorEngine(pool: projector.pool, indicators: definitions, kept: kept)
                .compute(years: years, source: .init(schemas: [hechos, expedientes], position: stop), today: today, keep: true)
        }
        return (missing, through)
    }
}
