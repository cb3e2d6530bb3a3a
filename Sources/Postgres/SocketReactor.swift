internal import CLibPQ
import Foundation

/// The one thread that waits on every connection's socket (epoll), so that no thread waits on a
/// single connection.
///
/// A connection sends its statement without blocking (libpq's non-blocking mode) from whatever
/// task asked, then awaits `ready(_:writable:)`: the task is suspended, not a thread, and the
/// reactor resumes it when the server's answer arrives. Before, each connection had a thread of
/// its own and every statement crossed to it and back: two hand-overs between threads per
/// statement, which `perf` showed costing as much as the insert itself on a lone writer.
///
/// A socket is armed once (EPOLLONESHOT) per wait, so a wake-up always belongs to the wait that
/// armed it or, at worst, comes early: every caller checks with libpq whether its answer is
/// complete and waits again if not.
final class SocketReactor: Sendable {
    static let shared = SocketReactor()

    private struct Waiter {
        let token: UInt64
        let continuation: CheckedContinuation<Bool, Never>
    }
    private struct State {
        var waiters: [Int32: Waiter] = [:]
        var nextToken: UInt64 = 0
    }

    private let epoll: Int32
    private let state = Locked(State())

    private init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epoll >= 0, "epoll_create1 failed: \(errno)")
        let thread = Thread { [self] in self.run() }
        thread.name = "postgres-reactor"
        thread.start()
    }

    /// Returns when `socket` can be read (or written, when `writable`), or false once `timeout`
    /// has passed first. Returns at once when the socket cannot be watched: the caller's next
    /// libpq call then reports what is wrong with the connection.
    func ready(_ socket: Int32, writable: Bool = false, timeout: Duration? = nil) async -> Bool {
        guard socket >= 0 else { return true }
        return await withCheckedContinuation { continuation in
            let token = state.withLock { state in
                defer { state.nextToken += 1 }
                state.waiters[socket] = Waiter(token: state.nextToken, continuation: continuation)
                return state.nextToken
            }
            if sintra_epoll_arm(epoll, socket, writable ? 1 : 0) != 0 {
                resume(socket, token: token, with: true)
                return
            }
            if let timeout {
                Task.detached { [self] in
                    try? await Task.sleep(for: timeout)
                    resume(socket, token: token, with: false)
                }
            }
        }
    }

    /// Resumes the waiter of `socket` if it is still the one `token` names.
    private func resume(_ socket: Int32, token: UInt64?, with value: Bool) {
        let waiter = state.withLock { state -> Waiter? in
            guard let waiter = state.waiters[socket], token == nil || waiter.token == token else { return nil }
            state.waiters[socket] = nil
            return waiter
        }
        waiter?.continuation.resume(returning: value)
    }

    private func run() {
        var sockets = [Int32](repeating: 0, count: 64)
        while true {
            let count = sintra_epoll_wait(epoll, &sockets, Int32(sockets.count), -1)
            guard count > 0 else { continue }  // EINTR
            for index in 0..<Int(count) { resume(sockets[index], token: nil, with: true) }
        }
    }
}
