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
        let newer = try await StreamHistory.read(streamId, after: known?.version ?? 0, omitting: typesRulesIgnore, from: store.pool)
        guard newer.exists else { return known ?? newer }
        let history = StreamHistory(streamId: streamId, streamType: newer.streamType, version: newer.version,
                                    entries: (known?.entries ?? []) + newer.entries)
        cache.set(streamId, history, keepExisting: { $0.version >= history.version })
        return history
    }
}
