import CanonicalJSON
import Definitions
import EventLog
import Postgres

/// The streams commands are decided on, kept between commands and brought up to date on each use.
///
/// Every command on an existing stream needs its history (the rules fold it; authorisation reads
/// who owns it). Events never change once written, so what was read once stays true: each use
/// asks the log only for the events after the version already held — usually none or one — in one
/// short query. The answer is always as current as a full read, at the cost of a version check.
public final class StreamHistories: Sendable {
    let store: EventStore
    let definitions: DefinitionSet
    private let cache: BoundedCache<String, StreamHistory>

    /// Event types whose definitions say no rule reads them (`x-evento.leidoPorLasReglas: false`):
    /// they count for the version and are otherwise left out.
    private let typesRulesIgnore: [String]

    public init(store: EventStore, definitions: DefinitionSet, capacity: Int = 20_000) {
        self.store = store
        self.definitions = definitions
        self.cache = BoundedCache(capacity: capacity)
        self.typesRulesIgnore = definitions.current.filter { !$0.isReadByRules }.map(\.eventType).sorted()
    }

    /// The stream now, as the rules need it: its version, and its events but those no rule reads,
    /// with their payloads upcast to the current version. Empty (version 0) when the stream does not exist.
    public func current(_ streamId: String) async throws -> StreamHistory {
        let known = cache[streamId]
        let rows = try await store.pool.query("""
            SELECT stream_type, event_type, schema_version, version, position,
                   CASE WHEN event_type = ANY($3) THEN '{}' ELSE payload::text END,
                   coalesce(metadata->>'institutionId', ''), metadata->>'userId'
              FROM events WHERE stream_id = $1 AND version > $2 ORDER BY version
            """, [.text(streamId), .int64(known?.version ?? 0), .array(.text(typesRulesIgnore))])
        guard !rows.isEmpty else { return known ?? StreamHistory(streamId: streamId, streamType: nil, version: 0, entries: []) }
        var streamType = known?.streamType
        var version = known?.version ?? 0
        var entries = known?.entries ?? []
        for row in rows {
            streamType = try row.decode(String.self, 0)
            version = try row.decode(Int64.self, 3)
            let type = try row.decode(String.self, 1), schemaVersion = try row.decode(Int.self, 2)
            guard !typesRulesIgnore.contains(type) else { continue }
            let parsed = try StreamHistory.parse(try row.decode(String.self, 5), streamId: streamId, version: version)
            let payload = Upcasting.upcast(type, version: schemaVersion, payload: parsed, to: definitions.latest(type)?.version ?? schemaVersion).payload
            entries.append(StreamHistory.Entry(eventType: type, payload: payload, institutionId: try row.decode(String.self, 6),
                                               userId: try row.decode(String?.self, 7), version: version, position: try row.decode(Int64.self, 4)))
        }
        let history = StreamHistory(streamId: streamId, streamType: streamType, version: version, entries: entries)
        cache.set(streamId, history, keepExisting: { $0.version >= history.version })
        return history
    }
}
