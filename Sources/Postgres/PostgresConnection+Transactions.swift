extension PostgresConnection {
    /// Runs `body` inside BEGIN … COMMIT; any error rolls back and is rethrown.
    ///
    /// `isolation` keeps the body in the caller's isolation, so it may capture the caller's state.
    @discardableResult
    public func withTransaction<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await query("BEGIN")
        let value: T
        do {
            value = try await body(self)
        } catch {
            await rollbackQuietly()
            throw error
        }
        try await query("COMMIT")
        return value
    }

    /// Leaves any open transaction and says whether the connection can be lent again (healthy,
    /// outside any transaction): what a pool asks when a connection comes back, in one trip.
    public func resetForReuse() async -> Bool {
        await rollbackQuietly()
        return isHealthy && isIdle
    }

    /// One statement, then `resetForReuse`, in one visit to the connection. A session the
    /// server already closed is reported `neverSent` without sending anything (`stillConnected`).
    func queryAndReset(_ sql: SQL, _ parameters: [PostgresValue]) async -> (Result<PostgresRows, any Error>, reusable: Bool) {
        let outcome: Result<PostgresRows, any Error>
        do {
            try requireStillConnected()
            outcome = .success(try await query(sql, parameters))
        } catch {
            outcome = .failure(error)
        }
        return (outcome, await resetForReuse())
    }

    /// Leaves any open transaction; used before a pooled connection is handed to someone else.
    public func rollbackQuietly() async {
        openCursor = nil
        guard let handle = try? liveHandle() else { return }
        if prefetchInFlight {
            prefetchInFlight = false
            defer { endStatement() }
            while let result = try? await nextResult(handle) { PQclear(result) }
        }
        guard PQtransactionStatusIsActive(handle) else { return }
        _ = try? await run("ROLLBACK", [])
    }
}

internal import CLibPQ

func PQtransactionStatusIsActive(_ handle: OpaquePointer) -> Bool {
    let status = PQtransactionStatus(handle)
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
}
