internal import CLibPQ

/// One statement of a pipeline: its text and its parameters.
public struct PipelinedStatement: Sendable {
    public let sql: SQL
    public let parameters: [PostgresValue]

    public init(_ sql: SQL, _ parameters: [PostgresValue] = []) {
        self.sql = sql
        self.parameters = parameters
    }
}

extension PostgresConnection {
    /// Runs independent statements in one round trip (libpq's pipeline mode) and returns each
    /// one's rows, in order.
    ///
    /// A page that reads five small tables by the same key used to wait for five round trips, and
    /// each cost the server a wake-up and this process a task switch; in a pipeline all five leave
    /// together and their results come back together. The statements run up to one sync point, so
    /// in one implicit transaction: when one fails, the rest are not run and the first error is
    /// thrown (nothing of a read-only pipeline is lost by that).
    public func pipeline(_ statements: [PipelinedStatement]) async throws -> [PostgresRows] {
        try ensureNotStreaming()
        if statements.isEmpty { return [] }
        if statements.count == 1 { return [try await run(statements[0].sql.text, statements[0].parameters)] }
        let encoded = try statements.map { try EncodedParameters($0.parameters) }
        // A statement new to this session is prepared first (once per session, a round trip each).
        var names: [String?] = []
        for (statement, parameters) in zip(statements, encoded) {
            names.append(try await prepared(statement.sql.text, parameters.types, handle: try liveHandle()))
        }
        let handle = try liveHandle()
        try beginStatement()
        defer { endStatement() }
        guard PQenterPipelineMode(handle) == 1 else { throw connectionError(handle) }
        var queued = 0
        for index in statements.indices {
            guard encoded[index].send(statements[index].sql.text, prepared: names[index], on: handle) == 1 else { break }
            queued += 1
        }
        let synced = PQpipelineSync(handle) == 1
        guard queued == statements.count, synced else {
            // libpq refused to queue: the connection is broken; nothing of it can be trusted.
            let error = connectionError(handle)
            close()
            throw error
        }
        try await flushOutgoing(handle)
        var outputs: [PostgresRows] = []
        var failure: (any Error)?
        for _ in statements.indices {
            var rows = PostgresRows(columns: [], affectedRows: 0, storage: [], cells: [])
            // Each statement's results end with a NULL, as outside a pipeline.
            while let result = try await nextResult(handle) {
                if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                    PQclear(result)
                    continue
                }
                do { rows = try consume(result, handle: handle) } catch { if failure == nil { failure = error } }
            }
            outputs.append(rows)
        }
        // Then the sync point's own result, after which the connection may leave pipeline mode.
        guard let sync = try await nextResult(handle) else { throw connectionError(handle) }
        let status = PQresultStatus(sync)
        PQclear(sync)
        guard status == PGRES_PIPELINE_SYNC, PQexitPipelineMode(handle) == 1 else { throw connectionError(handle) }
        if let failure { throw failure }
        return outputs
    }

    private func connectionError(_ handle: OpaquePointer) -> PostgresError {
        PostgresError(kind: .connection, message: String(cString: PQerrorMessage(handle)).trimmingTrailingWhitespace())
    }
}

extension ConnectionPool {
    /// `PostgresConnection.pipeline` on a pooled connection: independent reads in one round trip.
    public func pipeline(_ statements: [PipelinedStatement]) async throws -> [PostgresRows] {
        try await withConnection { connection in try await connection.pipeline(statements) }
    }
}
