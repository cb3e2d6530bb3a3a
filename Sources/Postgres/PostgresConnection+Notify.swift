internal import CLibPQ

/// A message delivered by NOTIFY.
public struct PostgresNotification: Sendable, Equatable {
    public let channel: String
    public let payload: String

    public init(channel: String, payload: String) {
        self.channel = channel
        self.payload = payload
    }
}

extension PostgresConnection {
    /// Subscribes this session to a channel. Use a dedicated connection: notifications are
    /// only read while waiting in `notifications(timeout:)`.
    public func listen(_ channel: String) throws {
        try ensureNotStreaming()
        _ = try run("LISTEN \(SQLIdentifier.quote(channel))", [])
    }

    public func notify(_ channel: String, payload: String) throws {
        try ensureNotStreaming()
        _ = try run("SELECT pg_notify($1, $2)", [.text(channel), .text(payload)])
    }

    /// Returns the notifications that arrive within `timeout` (possibly none).
    ///
    /// Blocks this connection's own thread in poll(2) on the socket, not the cooperative pool.
    public func notifications(timeout: Duration) throws -> [PostgresNotification] {
        try ensureNotStreaming()
        let handle = try liveHandle()
        var received = drain(handle)
        if !received.isEmpty { return received }
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let ready = sintra_wait_readable(PQsocket(handle), milliseconds)
        if ready < 0 { throw PostgresError(kind: .connection, message: "poll() failed while waiting for notifications") }
        if ready > 0 {
            guard PQconsumeInput(handle) == 1 else {
                throw PostgresError(kind: .connection, message: String(cString: PQerrorMessage(handle)).trimmingTrailingWhitespace())
            }
            received = drain(handle)
        }
        return received
    }

    private func drain(_ handle: OpaquePointer) -> [PostgresNotification] {
        _ = PQconsumeInput(handle)
        var received: [PostgresNotification] = []
        while let notification = PQnotifies(handle) {
            received.append(PostgresNotification(
                channel: String(cString: notification.pointee.relname),
                payload: String(cString: notification.pointee.extra)))
            PQfreemem(notification)
        }
        return received
    }
}
