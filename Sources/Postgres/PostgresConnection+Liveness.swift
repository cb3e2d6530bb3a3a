internal import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Noticing, before a statement is sent, that the server closed an idle session.
///
/// When a primary stops (a failover, a restart) or an administrator ends a backend, the server sends
/// its farewell and closes the socket while the session sits idle in the pool. libpq only learns of
/// it when it next reads; sending a statement first would make its outcome look unknown although
/// it never ran. One `poll` with no wait tells: nothing to read means presumed alive; something to
/// read on an idle session is read now, and a closed connection is reported as `neverSent`, which
/// the pool answers by taking another connection (`ConnectionPool.query`, `withConnection`).
extension PostgresConnection {
    /// False when the server has already closed this session (or said it is of no further use).
    func stillConnected() -> Bool {
        guard let handle = try? liveHandle(), !serverUnusable else { return false }
        guard PQstatus(handle) == CONNECTION_OK else { return false }
        // A cursor being streamed has rows on the way: those are not a farewell.
        guard openCursor == nil, !prefetchInFlight else { return true }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        guard descriptor.fd >= 0 else { return false }
        // The farewell comes in two reads: the server's FATAL message, then the end of the stream.
        for _ in 0..<4 {
            guard poll(&descriptor, 1, 0) > 0 else { return true }
            guard PQconsumeInput(handle) != 0, PQstatus(handle) == CONNECTION_OK else { return false }
        }
        return true
    }

    /// Throws a `neverSent` connection error when `stillConnected` says no.
    func requireStillConnected() throws {
        guard stillConnected() else {
            throw PostgresError(kind: .connection, message: "the server closed this connection while it was idle", neverSent: true)
        }
    }
}
