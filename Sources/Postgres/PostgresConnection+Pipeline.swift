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
    /// one's rows, in order, or throws the first statement's error.
    ///
    /// A page that reads five small tables by the same key used to wait for five round trips, and
    /// each cost the server a wake-up and this process a task switch; in a pipeline all five leave
    /// together and their results come back together. Each statement is its own implicit
    /// transaction (a sync point follows each), so one that fails stops none of the others.
    public func pipeline(_ statements: [PipelinedStatement]) async throws -> [PostgresRows] {
        try await pipelineResults(statements).map { try $0.get() }
    }

    /// `pipeline`, with each statement's own outcome, for a caller that decides on one statement
    /// before another's failure matters (a case file: no stream is 404 even where its projection
    /// is missing).
    public func pipelineResults(_ statements: [PipelinedStatement]) async throws -> [Result<PostgresRows, any Error>] {
        try ensureNotStreaming()
        let encoded = try statements.map { try EncodedParameters($0.parameters) }
        // A statement new to this session is prepared first (once per session, a round trip each);
        // one the server refuses to prepare (a table not created yet) is that statement's failure alone.
        var names: [Result<String?, any Error>] = []
        for (statement, parameters) in zip(statements, encoded) {
            do {
                names.append(.success(try await prepared(statement.sql.text, parameters.types, handle: try liveHandle())))
            } catch let error as PostgresError where error.kind == .server {
                names.append(.failure(error))
            }
        }
        let handle = try liveHandle()
        try beginStatement()
        defer { endStatement() }
        guard PQenterPipelineMode(handle) == 1 else { throw connectionError(handle) }
        for index in statements.indices {
            guard case .success(let name) = names[index] else { continue }
            guard encoded[index].send(statements[index].sql.text, prepared: name, on: handle) == 1,
                  PQpipelineSync(handle) == 1 else {
                // libpq refused to queue: the connection is broken; nothing of it can be trusted.
                let error = connectionError(handle)
                close()
                throw error
            }
        }
        try await flushOutgoing(handle)
        var outcomes: [Result<PostgresRows, any Error>] = []
        for index in statements.indices {
            if case .failure(let error) = names[index] {
                outcomes.append(.failure(error))
                continue
            }
            var outcome: Result<PostgresRows, any Error> = .success(PostgresRows(columns: [], affectedRows: 0, storage: [], cells: []))
            // A statement's results end with a NULL, as outside a pipeline; then comes its sync point.
            while let result = try await nextResult(handle) {
                do { outcome = .success(try consume(result, handle: handle)) } catch { outcome = .failure(error) }
            }
            guard let sync = try await nextResult(handle) else { throw connectionError(handle) }
            let status = PQresultStatus(sync)
            PQclear(sync)
            guard status == PGRES_PIPELINE_SYNC else { throw connectionError(handle) }
            outcomes.append(outcome)
        }
        guard PQexitPipelineMode(handle) == 1 else { throw connectionError(handle) }
        return outcomes
    }

    private func connectionError(_ handle: OpaquePointer) -> PostgresError {
        PostgresError(kind: .connection, message: String(cString: PQerrorMessage(handle)).trimmingTrailingWhitespace())
    }
}

extension ConnectionPool {
    /// `PostgresConnection.pipeline` on a pooled connection: independent reads in one round trip.
    public func pipeline(_ statements: [PipelinedStatement]) async throws -> [PostgresRows] {
        try await pipelineResults(statements).map { try $0.get() }
    }

    /// `PostgresConnection.pipelineResults` on a pooled connection.
    public func pipelineResults(_ statements: [PipelinedStatement]) async throws -> [Result<PostgresRows, any Error>] {
        try await withConnection { connection in try await connection.pipelineResults(statements) }
    }
}
