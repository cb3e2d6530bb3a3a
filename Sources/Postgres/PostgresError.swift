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
    /// True when the connection was found broken before the statement left this process: nothing
    /// ran, so running it on another connection is safe (the pool does so itself).
    public var neverSent = false

    public init(kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil, hint: String? = nil, constraint: String? = nil,
                neverSent: Bool = false) {
        self.kind = kind
        self.neverSent = neverSent
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
    }

    /// True when retrying on a fresh connection may succeed (the server or network went away).
    public var isConnectionLoss: Bool { kind == .connection || (sqlState?.hasPrefix("08") ?? false) || sqlState == "57P01" }

    /// True when the database, not the request, is the problem, and the same request may succeed in
    /// a few seconds: a lost connection, a server shutting down or starting (a failover in course),
    /// a server that became read-only (a demoted primary), no connection free. The API answers 503
    /// with Retry-After, never 500.
    public var isUnavailable: Bool {
        isConnectionLoss || [.poolExhausted, .closed].contains(kind) || Self.unusableServerStates.contains(sqlState ?? "")
            || sqlState == "53300"
    }

    /// What a server says when the session can no longer be used for the application's work: read-only
    /// transaction (25006: the server is, or became, a standby), administrator, crash or start-up
    /// shutdown (57P01–57P03). A connection that heard one is not lent again.
    static let unusableServerStates: Set<String> = ["25006", "57P01", "57P02", "57P03"]

    public var description: String {
        var text = "PostgreSQL"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": \(message)"
        if let detail { text += " — \(detail)" }
        if let hint { text += " (\(hint))" }
        return text
    }
}
