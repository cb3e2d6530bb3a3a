import Foundation

/// A bounded pool of connections.
///
/// At most `maxConnections` exist at once; a caller that finds none free waits in line
/// (first come, first served) up to `acquireTimeout`, then gets `.poolExhausted`.
/// A connection comes back rolled back to idle; a broken one is dropped, with the idle ones (they
/// went to the same server), and replaced on demand — after a failover, through a multi-host URL,
/// on the new primary.
///
/// The pool's state is behind a lock rather than in an actor: lending and taking back a
/// connection are a few instructions, and an actor hop on each would cost a switch on every
/// statement.
public final class ConnectionPool: Sendable {
    public let connectionString: String
    public let maxConnections: Int
    public let acquireTimeout: Duration

    private struct State {
        var idle: [PostgresConnection] = []
        var total = 0
        var waiters: [(id: UInt64, deadline: ContinuousClock.Instant, continuation: CheckedContinuation<PostgresConnection, any Error>)] = []
        var nextWaiter: UInt64 = 0
        /// Callers given an id that have not reached the line yet, and those of them already cancelled
        /// (who must not join it).
        var arriving: Set<UInt64> = []
        var cancelledBeforeWaiting: Set<UInt64> = []
        var closed = false
        /// Whether the task that times waiters out is running (one for the whole pool, not one per waiter).
        var reaping = false
    }
    private let state = Locked(State())

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
        var connection = try await acquire()
        // A session the server closed while it sat idle is replaced before `body` sees it (bounded:
        // each turn discards one connection, and the first discard empties the idle ones).
        var discarded = 0
        while discarded <= maxConnections, !(await connection.stillConnected()) {
            release(connection, reusable: false)
            discarded += 1
            connection = try await acquire()
        }
        do {
            let value = try await cancellable(connection) { try await body(connection) }
            release(connection, reusable: await connection.resetForReuse())
            return value
        } catch {
            release(connection, reusable: await connection.resetForReuse())
            throw error
        }
    }

    /// One statement on a pooled connection, which is then readied for its next borrower in the
    /// same visit to the connection.
    ///
    /// A connection the server closed while it was idle (a failover, a restart) is found before the
    /// statement leaves (`PostgresError.neverSent`): the statement then goes on another connection,
    /// since it never ran. A connection lost after sending is reported: its outcome is unknown.
    ///
    /// Cancelling the calling task cancels the statement, unless `cancelledWithTask` is false: a
    /// statement sent is then always run to its end (the log's appends: a caller that went away
    /// must not leave its request's outcome unknown to the others of its group).
    @discardableResult
    public func query(_ sql: SQL, _ parameters: [PostgresValue] = [], cancelledWithTask: Bool = true) async throws -> PostgresRows {
        var discarded = 0
        while true {
            let connection = try await acquire()
            let (outcome, reusable) = cancelledWithTask
                ? await cancellable(connection) { await connection.queryAndReset(sql, parameters) }
                : await connection.queryAndReset(sql, parameters)
            release(connection, reusable: reusable)
            if case .failure(let error as PostgresError) = outcome, error.neverSent, discarded < maxConnections {
                discarded += 1
                continue
            }
            return try outcome.get()
        }
    }

    public var statistics: (total: Int, idle: Int, waiting: Int) {
        state.withLock { ($0.total, $0.idle.count, $0.waiters.count) }
    }

    private enum Acquisition { case lent(PostgresConnection), open, wait(startReaper: Bool), closed, cancelled }

    /// A connection: an idle one, a new one while fewer than `maxConnections` exist, or the next
    /// one released, in line. A cancelled task leaves the line at once with `CancellationError`.
    func acquire() async throws -> PostgresConnection {
        if let idle = state.withLock({ $0.closed ? nil : $0.idle.popLast() }) { return idle }
        try Task.checkCancellation()
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            state.arriving.insert(state.nextWaiter)
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in lendOrQueue(id, continuation) }
        } onCancel: {
            leaveLine(id)
        }
    }

    private func lendOrQueue(_ id: UInt64, _ continuation: CheckedContinuation<PostgresConnection, any Error>) {
        let maxConnections = self.maxConnections, connectionString = self.connectionString, timeout = acquireTimeout
        // Decided and queued under one lock, so a connection released meanwhile is never missed.
        let next: Acquisition = state.withLock { state in
            state.arriving.remove(id)
            if state.cancelledBeforeWaiting.remove(id) != nil { return .cancelled }
            if state.closed { return .closed }
            if let connection = state.idle.popLast() { return .lent(connection) }
            if state.total < maxConnections {
                state.total += 1
                return .open
            }
            state.waiters.append((id, .now + timeout, continuation))
            defer { state.reaping = true }
            return .wait(startReaper: !state.reaping)
        }
        switch next {
        case .lent(let connection): continuation.resume(returning: connection)
        case .closed: continuation.resume(throwing: PostgresError(kind: .closed, message: "the connection pool is closed"))
        case .cancelled: continuation.resume(throwing: CancellationError())
        case .open:
            Task {
                do { continuation.resume(returning: try await PostgresConnection.connect(connectionString)) } catch {
                    state.withLock { $0.total -= 1 }
                    continuation.resume(throwing: error)
                }
            }
        case .wait(let startReaper):
            if startReaper { Task { [weak self] in await self?.reapExpiredWaiters() } }
        }
    }

    /// A cancelled waiter leaves the line (or, not in it yet, is kept from joining it).
    private func leaveLine(_ id: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<PostgresConnection, any Error>? in
            if let index = state.waiters.firstIndex(where: { $0.id == id }) { return state.waiters.remove(at: index).continuation }
            if state.arriving.contains(id) { state.cancelledBeforeWaiting.insert(id) }
            return nil
        }
        waiter?.resume(throwing: CancellationError())
    }

    /// Fails waiters that waited `acquireTimeout` in vain. Waiters queue in order with the same
    /// timeout, so the first one is always the next to expire: sleep until then, repeat while
    /// anyone waits.
    private func reapExpiredWaiters() async {
        while true {
            let now = ContinuousClock.now
            let (expired, next) = state.withLock { state -> ([CheckedContinuation<PostgresConnection, any Error>], ContinuousClock.Instant?) in
                var expired: [CheckedContinuation<PostgresConnection, any Error>] = []
                while let first = state.waiters.first, first.deadline <= now { expired.append(state.waiters.removeFirst().continuation) }
                if state.waiters.isEmpty { state.reaping = false }
                return (expired, state.waiters.first?.deadline)
            }
            for waiter in expired {
                waiter.resume(throwing: PostgresError(
                    kind: .poolExhausted,
                    message: "no database connection became free within \(acquireTimeout) (\(maxConnections) in use)"))
            }
            guard let next else { return }
            try? await Task.sleep(until: next, clock: .continuous)
        }
    }

    private enum Return { case handed(CheckedContinuation<PostgresConnection, any Error>), kept, close, replace(CheckedContinuation<PostgresConnection, any Error>) }

    /// Takes a connection back; `reusable` is what `resetForReuse` said of it.
    func release(_ connection: PostgresConnection, reusable: Bool) {
        var stale: [PostgresConnection] = []
        let next: Return = state.withLock { state in
            if state.closed || !reusable {
                // The idle connections went to the same server as this broken one, which is likely
                // gone (a failover): they are closed too, and the next borrowers connect afresh
                // (through a multi-host URL, to the new primary) instead of failing one by one.
                if !state.closed {
                    stale = state.idle
                    state.total -= state.idle.count
                    state.idle.removeAll()
                }
                // A broken connection's place is free again: open a fresh one for whoever waits.
                if !state.closed, !state.waiters.isEmpty { return .replace(state.waiters.removeFirst().continuation) }
                state.total -= 1
                return .close
            }
            if !state.waiters.isEmpty { return .handed(state.waiters.removeFirst().continuation) }
            state.idle.append(connection)
            return .kept
        }
        if !stale.isEmpty { Task { for connection in stale { await connection.close() } } }
        switch next {
        case .kept: break
        case .handed(let waiter): waiter.resume(returning: connection)
        case .close: Task { await connection.close() }
        case .replace(let waiter):
            Task {
                await connection.close()
                do { waiter.resume(returning: try await PostgresConnection.connect(connectionString)) } catch {
                    state.withLock { $0.total -= 1 }
                    waiter.resume(throwing: error)
                }
            }
        }
    }

    /// Closes idle connections and refuses new work; lent connections close on return.
    public func close() async {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            defer {
                state.total -= state.idle.count
                state.idle.removeAll()
                state.waiters.removeAll()
            }
            return (state.idle, state.waiters)
        }
        for connection in idle { await connection.close() }
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(kind: .closed, message: "the connection pool is closed"))
        }
    }
}
