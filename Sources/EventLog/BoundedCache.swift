import Postgres

/// What a long-running process keeps of streams between requests (their folded state, their
/// data keys), keyed by stream id: a lock-protected dictionary of at most `capacity` entries.
///
/// It never decides anything by itself: every reader checks what it holds against the log (a
/// stream's version) before trusting it, so an evicted or stale entry costs a read, never a wrong
/// answer. When full, an arbitrary entry makes room: simple, and cheap enough for working sets
/// that fit.
public final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    public let capacity: Int
    private let entries = Locked<[Key: Value]>([:])

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public subscript(key: Key) -> Value? { entries.withLock { $0[key] } }

    /// Stores `value` unless `keepExisting` says the entry already there is better (newer).
    public func set(_ key: Key, _ value: Value, keepExisting: (Value) -> Bool = { _ in false }) {
        let capacity = self.capacity
        entries.withLock { entries in
            if let existing = entries[key], keepExisting(existing) { return }
            if entries[key] == nil, entries.count >= capacity { entries.remove(at: entries.startIndex) }
            entries[key] = value
        }
    }

    public func remove(_ key: Key) { entries.withLock { $0[key] = nil } }

    public var count: Int { entries.withLock { $0.count } }
}
