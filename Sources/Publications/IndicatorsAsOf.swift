import Catalog
import Indicators
import Postgres
import Projections

/// Indicators as they stood at a past position of the log: the projections rebuilt up to that
/// position in scratch schemas, and each ficha in the version that was in force there.
public struct IndicatorsAsOf: Sendable {
    let projector: Projector
    let history: IndicatorDefinitionHistory

    public init(projector: Projector, history: IndicatorDefinitionHistory) {
        self.projector = projector
        self.history = history
    }

    public struct Computation: Sendable {
        public let results: [IndicatorResult]
        /// Fichas that had no recorded version at that position, computed with today's file instead.
        public let withoutRecordedDefinition: [String]
        /// True when the answer, or every variable of it, was kept from an earlier computation
        /// (`AsOfSnapshots`, `KeptIndicators`), not replayed now.
        public var kept = false
    }

    /// The fichas in force at `position` (the version adopted last at or before it), and those of
    /// `current` the log had not recorded yet there, which are used as they are (the second list).
    func definitions(at position: Int64, current: [IndicatorDefinition],
                     only ids: Set<String>?) async throws -> (all: [IndicatorDefinition], notRecorded: [IndicatorDefinition]) {
        let recorded = try await history.inForce(at: position)
        let recordedIds = Set(recorded.map(\.id))
        let fallback = current.filter { !recordedIds.contains($0.id) && (ids?.contains($0.id) ?? true) }
        return ((recorded + fallback).sorted { $0.id.compare($1.id, options: .numeric) == .orderedAscending }, fallback)
    }

    /// `current` supplies the fichas the log had not recorded yet at `position` (a log older than
    /// the fichas' own history); the result names them so no reader mistakes them for the old rule.
    /// `recompute`: replay even when the answer or its variables were kept — a reproduction (does the
    /// log still give what was published?) must compute, never read back what was kept.
    public func compute(position: Int64, years: [Int], today: CalendarDate, current: [IndicatorDefinition],
                        only ids: Set<String>? = nil, recompute: Bool = false) async throws -> Computation {
        let (definitions, fallback) = try await self.definitions(at: position, current: current, only: ids)
        let snapshots = AsOfSnapshots(pool: projector.pool)
        let replayed: Set<String> = ["hechos", "expedientes"]
        let key = AsOfSnapshots.key(position: position, today: today, years: years, only: ids, definitions: definitions,
                                    projections: projector.projections.filter { replayed.contains($0.name) })
        if !recompute, let kept = try await snapshots.load(key) { return kept }
        // Computed at this very position before (the projector keeps each still position and each day's
        // last): the fichas' variables are looked up, no replay.
        let engine = IndicatorEngine(pool: projector.pool, indicators: definitions, kept: KeptIndicators(projector: projector))
        if !recompute, let results = try await engine.kept(at: position, years: years, today: today, only: ids) {
            return Computation(results: results, withoutRecordedDefinition: fallback.map(\.id), kept: true)
        }
        // Unique per call: two auditors asking about the same position must not share scratch schemas.
        let label = "asof_\(position)_\(UInt32.random(in: 0...UInt32.max))"
        let computation = try await projector.withReplay(until: position, label: label, only: replayed) { [projector] schemas in
            guard let hechos = schemas["hechos"], let expedientes = schemas["expedientes"] else {
                throw PublicationError.missingProjections
            }
            // A reproduction neither reads what was kept nor keeps: the replay's own SQL only.
            let replaying = recompute ? IndicatorEngine(pool: projector.pool, indicators: definitions) : engine
            let results = try await replaying.compute(years: years, source: .init(schemas: [hechos, expedientes], position: position),
                                                      today: today, only: ids, keep: true)
            return Computation(results: results, withoutRecordedDefinition: fallback.map(\.id))
        }
        try await snapshots.store(key, position: position, today: today, computation)
        return computation
    }
}
