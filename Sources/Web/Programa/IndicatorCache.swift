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
        let provenance: Bool
    }

    private var entries: [Key: Task<[IndicatorResult], any Error>] = [:]

    func results(years: [Int], today: CalendarDate, provenance: Bool, indicators: [IndicatorDefinition], pool: ConnectionPool,
                 kept: KeptIndicators) async throws -> [IndicatorResult] {
        let position = try await pool.withConnection { try await IndicatorEngine.livePosition($0).position }
        let key = Key(position: position, today: today, years: years, provenance: provenance)
        if let known = entries[key] {
            do { return try await known.value } catch { entries[key] = nil; throw error }
        }
        // Only the newest position is worth keeping.
        entries = entries.filter { $0.key.position == position && $0.key.today == today }
        let task = Task {
            try await IndicatorEngine(pool: pool, indicators: indicators, kept: kept).compute(years: years, today: today, provenance: provenance)
        }
        entries[key] = task
        do { return try await task.value } catch { entries[key] = nil; throw error }
    }
}
