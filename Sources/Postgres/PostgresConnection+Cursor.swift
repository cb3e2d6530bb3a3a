internal import CLibPQ

extension PostgresConnection {
    /// Streams the rows of a query in constant memory through a server-side cursor,
    /// `batchSize` rows per round trip.
    ///
    /// A cursor (rather than libpq's single-row mode, which allocates a result per row) keeps
    /// per-row overhead low for whole-log reads. Around 1,000 rows per batch read fastest here
    /// (`ops/bench`): much larger batches spend their time faulting in fresh memory. Outside a transaction the stream opens its
    /// own (a consistent snapshot) and commits it when the rows run out; if the consumer stops
    /// early, `rollbackQuietly()` (done by the pool on release) closes it.
    public nonisolated func stream(_ sql: SQL, _ parameters: [PostgresValue] = [], batchSize: Int = 1_000) -> PostgresRowStream {
        PostgresRowStream(connection: self, sql: sql, parameters: parameters, batchSize: max(1, batchSize))
    }

    func declareCursor(_ sql: SQL, _ parameters: [PostgresValue]) async throws -> (name: String, ownsTransaction: Bool) {
        guard openCursor == nil else { throw PostgresError(kind: .busy, message: "a cursor is already open on this connection") }
        let handle = try liveHandle()
        let ownsTransaction = !PQtransactionStatusIsActive(handle)
        if ownsTransaction { _ = try await run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", []) }
        cursorCounter += 1
        let name = "sintra_cursor_\(cursorCounter)"
        do {
            _ = try await run("DECLARE \(name) NO SCROLL CURSOR FOR \(sql.text)", parameters)
        } catch {
            // Leave no aborted transaction behind on a connection that may not be pooled.
            if ownsTransaction { _ = try? await run("ROLLBACK", []) }
            throw error
        }
        openCursor = name
        return (name, ownsTransaction)
    }

    /// Returns the next batch and, when more may follow, already asks the server for the one
    /// after it: the server produces batch n+1 while the consumer decodes batch n, so the two
    /// cores work at once instead of taking turns.
    func fetch(cursor name: String, count: Int, ownsTransaction: Bool) async throws -> PostgresRows {
        let handle = try liveHandle()
        let statement = "FETCH FORWARD \(count) FROM \(name)"
        let rows: PostgresRows
        if prefetchInFlight {
            prefetchInFlight = false
            // The FETCH sent ahead at the last call: only its results are left to read.
            rows = try await results(of: 1, handle: handle)
        } else {
            rows = try await run(statement, [])
        }
        if rows.count < count {
            _ = try await run("CLOSE \(name)", [])
            openCursor = nil
            if ownsTransaction { _ = try await run("COMMIT", []) }
        } else if !statementInFlight, let handle = try? liveHandle(), PQsendQueryParams(handle, statement, 0, nil, nil, nil, nil, 1) == 1 {
            // Sent now, read at the next call (`results`), which first sends whatever of it libpq
            // still holds.
            statementInFlight = true
            prefetchInFlight = true
        }
        return rows
    }
}

/// Rows of a cursor, fetched batch by batch as the consumer iterates.
public struct PostgresRowStream: AsyncSequence, Sendable {
    public typealias Element = PostgresRow
    let connection: PostgresConnection
    let sql: SQL
    let parameters: [PostgresValue]
    let batchSize: Int

    public func makeAsyncIterator() -> Iterator { Iterator(stream: self) }

    /// Whole batches, for consumers that process many rows per step.
    public var batches: Batches { Batches(stream: self) }

    public struct Iterator: AsyncIteratorProtocol {
        var batches: Batches.Iterator
        var current: PostgresRows?
        var index = 0

        init(stream: PostgresRowStream) { batches = Batches(stream: stream).makeAsyncIterator() }

        public mutating func next() async throws -> PostgresRow? {
            while true {
                if let current, index < current.count {
                    defer { index += 1 }
                    return current[index]
                }
                guard let batch = try await batches.next() else { return nil }
                current = batch
                index = 0
            }
        }
    }

    public struct Batches: AsyncSequence, Sendable {
        public typealias Element = PostgresRows
        let stream: PostgresRowStream

        public func makeAsyncIterator() -> Iterator { Iterator(stream: stream) }

        public struct Iterator: AsyncIteratorProtocol {
            let stream: PostgresRowStream
            var cursor: (name: String, ownsTransaction: Bool)?
            var finished = false

            init(stream: PostgresRowStream) { self.stream = stream }

            public mutating func next() async throws -> PostgresRows? {
                if finished { return nil }
                try Task.checkCancellation()
                if cursor == nil { cursor = try await stream.connection.declareCursor(stream.sql, stream.parameters) }
                guard let cursor else { return nil }
                let rows = try await stream.connection.fetch(cursor: cursor.name, count: stream.batchSize, ownsTransaction: cursor.ownsTransaction)
                if rows.count < stream.batchSize { finished = true }
                return rows.isEmpty ? nil : rows
            }
        }
    }
}
