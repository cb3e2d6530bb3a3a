/// A bounded pool of connections.
///
/// At most `maxConnections` exist at once; a caller that finds none free waits in line
/// (first come, first served) up to `acquireTimeout`, then gets `.poolExhausted`.
/// A connection comes back rolled back to idle; a broken one is dropped and replaced on demand.
public actor ConnectionPool {
    public nonisolated let connectionString: String
    public nonisolated let maxConnections: Int
    public nonisolated let acquireTimeout: Duration

    private var idle: [PostgresConnection] = []
    private var total = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<PostgresConnection, any Error>)] = []
    private var nextWaiterID = 0
    private var closed = false

    public init(connectionString: String, maxConnections: Int = 8, acquireTimeout: Duration = .seconds(30)) {
        self.connectionString = connectionString
        self.maxConnections = max(1, maxConnections)
        self.acquireTimeout = acquireTimeout
    }

    /// Lends a connection to `body` and takes it back afterwards, whatever happens.
    @discardableResult
    public func withConnection<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await acquire()
        do {
            let value = try await body(connection)
            await release(connection)
            return value
        } catch {
            await release(connection)
            throw error
        }
    }

    /// Shorthand for one statement on a pooled connection.
    @discardableResult
    public nonisolated func query(_ sql: SQL, _ parameters: [PostgresValue] = []) async throws -> PostgresRows {
        try await withConnection { try await $0.query(sql, parameters) }
    }

    public var statistics: (total: Int, idle: Int, waiting: Int) { (total, idle.count, waiters.count) }

    func acquire() async throws -> PostgresConnection {
        guard !closed else { throw PostgresError(kind: .closed, message: "the connection pool is closed") }
        if let connection = idle.popLast() { return connection }
        if total < maxConnections {
            total += 1
            do {
                return try await PostgresConnection.connect(connectionString)
            } catch {
                total -= 1
                throw error
            }
        }
        nextWaiterID += 1
        let id = nextWaiterID
        let timeout = acquireTimeout
        return try await withCheckedThrowingContinuation { continuation in
            waiters.append((id, continuation))
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                await self?.expire(waiter: id)
            }
        }
    }

    private func expire(waiter id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.continuation.resume(throwing: PostgresError(
            kind: .poolExhausted,
            message: "no database connection became free within \(acquireTimeout) (\(maxConnections) in use)"))
    }

    func release(_ connection: PostgresConnection) async {
        await connection.rollbackQuietly()
        let healthy = await connection.isHealthy
        let idleSession = await connection.isIdle
        if closed {
            await connection.close()
            total -= 1
            return
        }
        if healthy && idleSession {
            if !waiters.isEmpty {
                waiters.removeFirst().continuation.resume(returning: connection)
            } else {
                idle.append(connection)
            }
            return
        }
        await connection.close()
        total -= 1
        // The broken connection's place is free again: open a fresh one for whoever waits.
        if !waiters.isEmpty {
            total += 1
            do {
                let fresh = try await PostgresConnection.connect(connectionString)
                if !waiters.isEmpty { waiters.removeFirst().continuation.resume(returning: fresh) } else { idle.append(fresh) }
            } catch {
                total -= 1
                if !waiters.isEmpty { waiters.removeFirst().continuation.resume(throwing: error) }
            }
        }
    }

    /// Closes idle connections and refuses new work; lent connections close on return.
    public func close() async {
        closed = true
        for connection in idle { await connection.close() }
        total -= idle.count
        idle.removeAll()
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(kind: .closed, message: "the connection pool is closed"))
        }
        waiters.removeAll()
    }
}
