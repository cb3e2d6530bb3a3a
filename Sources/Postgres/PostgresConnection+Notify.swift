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
    public func listen(_ channel: String) async throws {
        try ensureNotStreaming()
        _ = try await run("LISTEN \(SQLIdentifier.quote(channel))", [])
    }

    public func notify(_ channel: String, payload: String) async throws {
        try ensureNotStreaming()
        _ = try await run("SELECT pg_notify($1, $2)", [.text(channel), .text(payload)])
    }

    /// Returns the notifications that arrive within `timeout` (possibly none, possibly sooner).
    ///
    /// The task waits on the socket through the reactor: no thread is held meanwhile.
    public func notifications(timeout: Duration) async throws -> [PostgresNotification] {
        try ensureNotStreaming()
        let handle = try liveHandle()
        var received = drain(handle)
        if !received.isEmpty { return received }
        if await SocketReactor.shared.ready(PQsocket(handle), timeout: timeout) {
            // Read again after the wait: a `close()` meanwhile has freed the connection.
            let handle = try liveHandle()
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
