import Postgres

extension EventStore {
    /// Every event after `position`, in order, exactly once: first the backlog, then new
    /// events as they are committed, for as long as the consumer iterates.
    ///
    /// The table is the truth. NOTIFY on `sintra_events` only wakes the subscriber early;
    /// a poll every `pollInterval` covers lost notifications, and a lost connection is
    /// reopened and reading resumes after the last delivered position. Because positions
    /// are gapless and committed in order, "position > last delivered" never skips an event.
    public func subscribe(after position: Int64 = 0, pollInterval: Duration = .seconds(1), pageSize: Int = 1_000) -> EventSubscription {
        EventSubscription(store: self, after: position, pollInterval: pollInterval, pageSize: pageSize)
    }
}

public struct EventSubscription: AsyncSequence, Sendable {
    public typealias Element = RecordedEvent
    let store: EventStore
    let after: Int64
    let pollInterval: Duration
    let pageSize: Int

    public func makeAsyncIterator() -> Iterator { Iterator(subscription: self) }

    public struct Iterator: AsyncIteratorProtocol {
        let subscription: EventSubscription
        /// The last position handed to the consumer.
        public private(set) var lastPosition: Int64
        var buffer: [RecordedEvent] = []
        var index = 0
        var listener: PostgresConnection?

        init(subscription: EventSubscription) {
            self.subscription = subscription
            self.lastPosition = subscription.after
        }

        public mutating func next() async throws -> RecordedEvent? {
            while true {
                if index < buffer.count {
                    let event = buffer[index]
                    index += 1
                    lastPosition = event.position
                    return event
                }
                try Task.checkCancellation()
                do {
                    // Listen before reading, so a commit between the read and the wait still wakes us.
                    if listener == nil {
                        let connection = try await PostgresConnection.connect(subscription.store.pool.connectionString)
                        try await connection.listen("sintra_events")
                        listener = connection
                    }
                    buffer = try await subscription.store.readPage(after: lastPosition, limit: subscription.pageSize)
                    index = 0
                    if buffer.isEmpty, let listener {
                        _ = try await listener.notifications(timeout: subscription.pollInterval)
                    }
                } catch let error as PostgresError where error.isConnectionLoss || error.kind == .poolExhausted {
                    // Transient: reconnect and resume after the last delivered position.
                    listener = nil
                    try await Task.sleep(for: subscription.pollInterval)
                }
            }
        }
    }
}
