import Catalog
import Indicators
import Postgres

/// The annex computed once per position of the projections it reads (and per day: «today» decides
/// the p/ mark), per set of years: the indicators page costs one indexed read of `projection_state`
/// while nothing new is recorded, however many people open it. A new fact moves the position and
/// the next request computes again (or looks up what the projector kept there, `KeptIndicators`), so
/// the page never shows a stale figure.
actor IndicatorCache {
    private struct Key: Hashable {
        let position: Int64
        let today: CalendarDate
        let years: [Int]
    }

    private var entries: [Key: Task<[IndicatorResult], any Error>] = [:]

    func results(years: [Int], today: CalendarDate, indicators: [IndicatorDefinition], pool: ConnectionPool,
                 kept: KeptIndicators) async throws -> [IndicatorResult] {
        let position = try await pool.query("""
            SELECT coalesce(min(position), 0) FROM projection_state WHERE name IN ('hechos', 'expedientes')
            """).first?.decode(Int64.self, 0) ?? 0
        let key = Key(position: position, today: today, years: years)
        if let known = entries[key] {
            do { return try await known.value } catch { entries[key] = nil; throw error }
        }
        // Only the newest position is worth keeping.
        entries = entries.filter { $0.key.position == position && $0.key.today == today }
        let task = Task { try await IndicatorEngine(pool: pool, indicators: indicators, kept: kept).compute(years: years, today: today) }
        entries[key] = task
        do { return try await task.value } catch { entries[key] = nil; throw error }
    }
}
