/// Every failure the PostgreSQL layer reports, carrying what the server said.
///
/// Callers branch on `sqlState` (e.g. `23505` unique violation, `P0001` a raised exception)
/// rather than on message text, which is localised by the server.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Could not connect, or the connection broke mid-call.
        case connection
        /// The server rejected a statement; `sqlState` says why.
        case server
        /// A value in a row could not be decoded into the requested Swift type.
        case decoding
        /// The connection is streaming a cursor and cannot run another statement now.
        case busy
        /// The pool could not hand out a connection in time.
        case poolExhausted
        /// The connection or pool was closed by us.
        case closed
        /// A value this layer cannot send in the requested form.
        case unsupported
    }

    public var kind: Kind
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?

    public init(kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil, hint: String? = nil, constraint: String? = nil) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
    }

    /// True when retrying on a fresh connection may succeed (the server or network went away).
    public var isConnectionLoss: Bool { kind == .connection || (sqlState?.hasPrefix("08") ?? false) || sqlState == "57P01" }

    public var description: String {
        var text = "PostgreSQL"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": \(message)"
        if let detail { text += " — \(detail)" }
        if let hint { text += " (\(hint))" }
        return text
    }
}
