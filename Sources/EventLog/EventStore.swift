import Postgres

/// The append-only event log: append, read, subscribe.
///
/// Connect as the application role (`sintra_app`): it can only INSERT and SELECT the log.
public final class EventStore: Sendable {
    public let pool: ConnectionPool
    private let writer: GroupCommitWriter

    /// Reads use `pool`; appends use two connections of their own, so readers that hold
    /// every pooled connection (long exports, many subscriptions) never stall the writer.
    public init(pool: ConnectionPool) {
        self.pool = pool
        self.writer = GroupCommitWriter(pool: ConnectionPool(connectionString: pool.connectionString, maxConnections: 2))
    }

    /// Closes the reading pool and the writer's connections.
    public func close() async {
        await pool.close()
        await writer.close()
    }

    /// Appends all of `request`'s events or none.
    ///
    /// Throws `EventLogError.invalidInput` (nothing written), `.conflict` with the stream's
    /// current version, `.streamTypeMismatch`, `.idempotencyKeyReused` or `.database`.
    public func append(_ request: AppendRequest) async throws(EventLogError) -> AppendResult {
        let prepared = try AppendValidation.prepare(request)
        do {
            return try await writer.submit(prepared)
        } catch let error as EventLogError {
            throw error
        } catch {
            throw .database(.init(error))
        }
    }

    public enum Direction: Sendable { case forward, backward }

    /// Events of one stream: forward from `version` (inclusive), or backward from it (default: the end).
    public func readStream(_ streamId: String, from version: Int64? = nil, direction: Direction = .forward,
                           limit: Int = 1_000) async throws -> [RecordedEvent] {
        let limit = Int64(max(0, limit))
        let rows: PostgresRows
        switch direction {
        case .forward:
            rows = try await pool.query(RecordedEvent.select("WHERE stream_id = $1 AND version >= $2 ORDER BY version LIMIT $3"),
                                        [.text(streamId), .int64(version ?? 1), .int64(limit)])
        case .backward:
            rows = try await pool.query(RecordedEvent.select("WHERE stream_id = $1 AND version <= $2 ORDER BY version DESC LIMIT $3"),
                                        [.text(streamId), .int64(version ?? .max), .int64(limit)])
        }
        return try rows.map(RecordedEvent.init(row:))
    }

    /// Up to `limit` events after `position`, in order: the building block of subscriptions.
    public func readPage(after position: Int64, limit: Int = 1_000) async throws -> [RecordedEvent] {
        let rows = try await pool.query(RecordedEvent.select("WHERE position > $1 ORDER BY position LIMIT $2"),
                                        [.int64(position), .int64(Int64(limit))])
        return try rows.map(RecordedEvent.init(row:))
    }

    /// The last `count` events, oldest first.
    public func tail(_ count: Int) async throws -> [RecordedEvent] {
        let last = SQLQuery("SELECT * FROM (\(RecordedEvent.select("ORDER BY position DESC LIMIT $1"))) AS last ORDER BY position")
        let rows = try await pool.query(last.sql, [.int64(Int64(max(0, count)))])
        return try rows.map(RecordedEvent.init(row:))
    }

    /// Streams events in (`after`, `through`] from one consistent snapshot, in constant memory,
    /// handing them to `body` a batch at a time. Used by verify, export and rebuilds.
    public func readAll(after position: Int64 = 0, through last: Int64 = .max, batchSize: Int = 1_000,
                        isolation: isolated (any Actor)? = #isolation,
                        _ body: ([RecordedEvent]) async throws -> Void) async throws {
        try await pool.withConnection { connection in
            let stream = connection.stream(RecordedEvent.select("WHERE position > $1 AND position <= $2 ORDER BY position"),
                                           [.int64(position), .int64(last)], batchSize: batchSize)
            for try await rows in stream.batches {
                try await body(try rows.map(RecordedEvent.init(row:)))
            }
        }
    }

    /// What an earlier append with this idempotency key wrote, if any. Commands ask before
    /// deciding, so a retried command returns its first result even when the stream has moved
    /// on since (a retried "close the case" must not fail because the case is now closed).
    public func priorResult(idempotencyKey key: String) async throws -> AppendResult? {
        let rows = try await pool.query("""
            SELECT stream_id, min(position), max(position), max(version)
              FROM events WHERE metadata ? 'idempotencyKey' AND metadata->>'idempotencyKey' = $1
             GROUP BY stream_id
            """, [.text(key)])
        guard let row = rows.first else { return nil }
        return AppendResult(streamId: try row.decode(String.self, 0), firstPosition: try row.decode(Int64.self, 1),
                            lastPosition: try row.decode(Int64.self, 2), streamVersion: try row.decode(Int64.self, 3), replayed: true)
    }

    /// The last position (0 on an empty log).
    public func headPosition() async throws -> Int64 {
        try await pool.query(LogHead.positionQuery).first?.decode(Int64.self, 0) ?? 0
    }

    /// Count, last position and last hash, read together.
    public func head() async throws -> LogHead {
        let rows = try await pool.query(LogHead.query)
        guard let row = rows.first else { throw EventLogError.database(.init("falta la fila log_head: ¿se aplicaron las migraciones?")) }
        return LogHead(count: try row.decode(Int64.self, 0), position: try row.decode(Int64.self, 1), hash: try row.decode([UInt8].self, 2))
    }
}
