internal import CLibPQ

/// Task cancellation reaches the server: a task cancelled while its statement runs sends libpq's
/// cancel request (`PQcancel`), and the statement ends with SQLSTATE 57014 instead of running on
/// after nobody waits for it (a shutting-down projector, a client that went away).
///
/// The request is only sent while a borrower's statement is marked as running, under the same lock
/// that clears the mark: a late cancel never reaches the next borrower's statement. (A cancel that
/// arrives while the backend is idle is ignored by PostgreSQL.)
struct Cancellation: @unchecked Sendable {
    /// libpq's `PGcancel`, usable from any thread; freed when the connection closes.
    var handle: OpaquePointer?
    /// Whether a statement someone may cancel is running now.
    var running = false
}

/// Runs `body` (statements on `connection`) so that cancelling the calling task cancels the
/// statement in progress.
func cancellable<T>(_ connection: PostgresConnection, isolation: isolated (any Actor)? = #isolation,
                    _ body: () async throws -> T) async rethrows -> T {
    connection.cancellation.withLock { $0.running = true }
    defer { connection.cancellation.withLock { $0.running = false } }
    return try await withTaskCancellationHandler(operation: body, onCancel: { connection.cancelRunningStatement() }, isolation: isolation)
}

extension PostgresConnection {
    /// Asks the server to cancel the statement running now, if any. Safe from any thread.
    public nonisolated func cancelRunningStatement() {
        sendCancelRequest(onlyIfRunning: true)
    }

    /// libpq's cancel request for this session; `onlyIfRunning` skips it when no cancellable
    /// statement is marked running (`cancellable`).
    nonisolated func sendCancelRequest(onlyIfRunning: Bool) {
        cancellation.withLock { state in
            guard state.running || !onlyIfRunning, let handle = state.handle else { return }
            var message = [CChar](repeating: 0, count: 256)
            _ = PQcancel(handle, &message, Int32(message.count))
        }
    }

    nonisolated func forgetCancelHandle() {
        cancellation.withLock { state in
            if let handle = state.handle { PQfreeCancel(handle) }
            state.handle = nil
        }
    }
}
