internal import CLibPQ
import Foundation

/// One connection to PostgreSQL through libpq.
///
/// An actor on Swift's cooperative pool that never blocks it: libpq runs in non-blocking mode,
/// statements are sent with `PQsendQuery…` and the calling task is suspended until the reactor
/// (`SocketReactor`, one thread for every connection) says the answer has arrived. Results are
/// copied into `Sendable` Swift values before they leave the actor.
public actor PostgresConnection {
    /// Only the actor touches it, and `deinit`, which nothing else can run beside.
    nonisolated(unsafe) private var handle: OpaquePointer?
    /// Set while a server-side cursor is open; other statements would interleave with it.
    var openCursor: String?
    var cursorCounter = 0
    /// A FETCH sent ahead of time whose result has not been read yet.
    var prefetchInFlight = false
    /// Set from a statement's sending to its last result: the actor may take other calls while a
    /// statement's task is suspended, and a second statement must not interleave with the first.
    var statementInFlight = false
    /// `close()` was called while a statement was in flight: done when it ends (`endStatement`).
    private var closeRequested = false
    /// Statements prepared on this session, by text and parameter types: the server parses and
    /// plans a repeated statement once, not on every call (most of its work on a short query).
    private var preparedStatements: [String: String] = [:]
    /// Only statements with parameters are prepared (the repeated ones; parameterless text is mostly
    /// migrations and scripts), and no more than this many per session.
    private static let maxPreparedStatements = 200
    /// What a cancelled task uses to stop this connection's running statement from another thread
    /// (`PostgresConnection+Cancel.swift`).
    nonisolated let cancellation = Locked(Cancellation())
    /// Set when the server said this session is of no further use (`PostgresError.unusableServerStates`).
    var serverUnusable = false

    private init() {}

    // Not `isolated`: nothing else can reach the connection once it is being destroyed, and an
    // isolated deinit on the default executor crashed the runtime (swift_task_deinitOnExecutor).
    deinit {
        forgetCancelHandle()
        if let handle { PQfinish(handle) }
    }

    /// Connects with anything libpq accepts: a `postgresql://` URI or `key=value` pairs
    /// (a unix-socket directory goes in `host=`). Client encoding is forced to UTF-8.
    public static func connect(_ connectionString: String) async throws -> PostgresConnection {
        let connection = PostgresConnection()
        try await connection.open(connectionString)
        return connection
    }

    private func open(_ connectionString: String) async throws {
        // libpq's own connect keeps every rule of the connection string (several hosts,
        // target_session_attrs, connect_timeout, TLS) but blocks: it runs on a thread of its own,
        // once per connection, and only then does the connection turn non-blocking.
        let address = await withCheckedContinuation { (continuation: CheckedContinuation<UInt, Never>) in
            Thread.detachNewThread {
                // expand_dbname = 1: the first "dbname" value is parsed as a full connection string;
                // later keywords override what it says.
                let keywords = ["dbname", "client_encoding", "fallback_application_name"]
                let values = [connectionString, "UTF8", "sintra"]
                let connection = withCStrings(keywords) { keywordPointers in
                    withCStrings(values) { valuePointers in
                        PQconnectdbParams(keywordPointers, valuePointers, 1)
                    }
                }
                continuation.resume(returning: UInt(bitPattern: connection))
            }
        }
        guard let connection = OpaquePointer(bitPattern: address) else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK, PQsetnonblocking(connection, 1) == 0 else {
            let message = String(cString: PQerrorMessage(connection)).trimmingTrailingWhitespace()
            PQfinish(connection)
            throw PostgresError(kind: .connection, message: message)
        }
        // Server NOTICEs ("relation already exists, skipping") would otherwise go to stderr.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
        cancellation.withLock { $0.handle = PQgetCancel(connection) }
    }

    /// Closes the connection now (also done on deinit). A statement still awaiting its answer is
    /// cancelled first, and the connection closes as soon as that answer is in: its task is
    /// suspended on the socket and must not wake up to a freed connection.
    public func close() {
        guard !statementInFlight else {
            closeRequested = true
            sendCancelRequest(onlyIfRunning: false)
            return
        }
        forgetCancelHandle()
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// False once the server or network has gone away.
    public var isHealthy: Bool {
        guard let handle, !serverUnusable else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// Whether the session is outside any transaction (safe to hand to someone else).
    public var isIdle: Bool {
        guard let handle else { return false }
        return PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    func liveHandle() throws -> OpaquePointer {
        guard let handle else { throw PostgresError(kind: .closed, message: "the connection is closed") }
        return handle
    }

    // MARK: Queries

    /// Runs one parameterised statement and returns its rows (binary format, fully decoded later).
    @discardableResult
    public func query(_ sql: SQL, _ parameters: [PostgresValue] = []) async throws -> PostgresRows {
        try ensureNotStreaming()
        return try await run(sql.text, parameters)
    }

    /// Another statement now would make libpq discard the prefetched rows of an open cursor.
    func ensureNotStreaming() throws {
        guard openCursor == nil && !prefetchInFlight else {
            throw PostgresError(kind: .busy, message: "a cursor is being streamed on this connection")
        }
    }

    func run(_ text: String, _ parameters: [PostgresValue]) async throws -> PostgresRows {
        let encoded = try EncodedParameters(parameters)
        let statement = try await prepared(text, encoded.types, handle: try liveHandle())
        // Read again after the wait: a `close()` meanwhile has freed the connection.
        let handle = try liveHandle()
        try beginStatement()
        return try await results(of: encoded.send(text, prepared: statement, on: handle), handle: handle)
    }

    /// The name of `text` prepared with these parameter types, preparing it now if it is new;
    /// nil for a statement that is not worth preparing (then it is sent whole).
    func prepared(_ text: String, _ types: [UInt32], handle: OpaquePointer) async throws -> String? {
        guard !types.isEmpty else { return nil }
        let key = types.map { String($0) }.joined(separator: ",") + ":" + text
        if let name = preparedStatements[key] { return name }
        guard preparedStatements.count < Self.maxPreparedStatements else { return nil }
        let name = "sintra_\(preparedStatements.count)"
        // A statement that does not parse fails here with the error the server would give anyway.
        try beginStatement()
        _ = try await results(of: PQsendPrepare(handle, name, text, Int32(types.count), types), handle: handle)
        preparedStatements[key] = name
        return name
    }

    /// Runs a multi-statement script from a file (migrations, projection tables), no parameters.
    public func execute(_ script: SQLScript) async throws {
        try ensureNotStreaming()
        let handle = try liveHandle()
        try beginStatement()
        do { _ = try await results(of: PQsendQuery(handle, script.text), handle: handle) } catch var error as PostgresError {
            error.message += " (\(script.origin))"
            throw error
        }
    }

    // MARK: Waiting without blocking

    /// Marks the start of a statement; refuses a second one while the first is unanswered.
    func beginStatement() throws {
        guard !statementInFlight else {
            throw PostgresError(kind: .busy, message: "another statement is in progress on this connection")
        }
        statementInFlight = true
    }

    /// Marks the end of a statement, and closes the connection if `close()` asked meanwhile.
    func endStatement() {
        statementInFlight = false
        if closeRequested { close() }
    }

    /// After `PQsend…` returned `sent`: sends what libpq still holds, waits for every result of
    /// the statement and returns the last one's rows (what PQexec returned), or its first error.
    func results(of sent: Int32, handle: OpaquePointer) async throws -> PostgresRows {
        defer { endStatement() }
        guard sent == 1 else {
            throw PostgresError(kind: .connection, message: String(cString: PQerrorMessage(handle)).trimmingTrailingWhitespace())
        }
        try await flushOutgoing(handle)
        var rows: PostgresRows?
        var failure: (any Error)?
        while let result = try await nextResult(handle) {
            do { rows = try consume(result, handle: handle) } catch { if failure == nil { failure = error } }
        }
        if let failure { throw failure }
        guard let rows else { throw PostgresError(kind: .connection, message: "the server sent no result") }
        return rows
    }

    /// Waits until libpq has handed everything queued to the socket.
    func flushOutgoing(_ handle: OpaquePointer) async throws {
        while true {
            switch PQflush(handle) {
            case 0: return
            case 1: _ = await SocketReactor.shared.ready(PQsocket(handle), writable: true)
            default:
                throw PostgresError(kind: .connection, message: String(cString: PQerrorMessage(handle)).trimmingTrailingWhitespace())
            }
        }
    }

    /// The statement's next result once it has fully arrived, or nil when there are no more:
    /// PQgetResult would block while libpq is busy, so the task waits on the socket instead.
    func nextResult(_ handle: OpaquePointer) async throws -> OpaquePointer? {
        while PQisBusy(handle) == 1 {
            _ = await SocketReactor.shared.ready(PQsocket(handle))
            guard PQconsumeInput(handle) == 1 else {
                throw PostgresError(kind: .connection, message: String(cString: PQerrorMessage(handle)).trimmingTrailingWhitespace())
            }
        }
        return PQgetResult(handle)
    }

    /// Turns a PGresult into rows or a typed error, and frees it.
    func consume(_ result: OpaquePointer?, handle: OpaquePointer) throws -> PostgresRows {
        guard let result else {
            throw PostgresError(kind: .connection, message: String(cString: PQerrorMessage(handle)).trimmingTrailingWhitespace())
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE: return try copyRows(result)
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(columns: [], affectedRows: Int(String(cString: PQcmdTuples(result))) ?? 0, storage: [], cells: [])
        default: throw error(from: result, handle: handle)
        }
    }

    func error(from result: OpaquePointer, handle: OpaquePointer) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let pointer = PQresultErrorField(result, code) else { return nil }
            return String(cString: pointer)
        }
        let lost = PQstatus(handle) != CONNECTION_OK
        if let state = field(SINTRA_PG_DIAG_SQLSTATE), PostgresError.unusableServerStates.contains(state) { serverUnusable = true }
        let message = field(SINTRA_PG_DIAG_MESSAGE_PRIMARY)
            ?? String(cString: PQresultErrorMessage(result)).trimmingTrailingWhitespace()
        return PostgresError(
            kind: lost ? .connection : .server,
            sqlState: field(SINTRA_PG_DIAG_SQLSTATE),
            message: message.isEmpty ? String(cString: PQerrorMessage(handle)).trimmingTrailingWhitespace() : message,
            detail: field(SINTRA_PG_DIAG_MESSAGE_DETAIL),
            hint: field(SINTRA_PG_DIAG_MESSAGE_HINT),
            constraint: field(SINTRA_PG_DIAG_CONSTRAINT_NAME))
    }

    private func copyRows(_ result: OpaquePointer) throws -> PostgresRows {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let columns = (0..<columnCount).map { column in
            PostgresColumn(name: String(cString: PQfname(result, Int32(column))), typeOID: PQftype(result, Int32(column)))
        }
        // First pass: where each cell goes. Second: one copy into a buffer of the exact size.
        var cells: [(start: Int32, length: Int32)] = []
        cells.reserveCapacity(rowCount * columnCount)
        var total = 0
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(columnCount) {
                let isNull = PQgetisnull(result, row, column) == 1
                let length = isNull ? 0 : Int(PQgetlength(result, row, column))
                cells.append((Int32(total), isNull ? -1 : Int32(length)))
                total += length
            }
        }
        guard total <= Int(Int32.max) else {
            throw PostgresError(kind: .unsupported, message: "a result of \(total) bytes exceeds 2 GiB: fetch it in smaller batches")
        }
        let storage = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            var index = 0
            for row in 0..<Int32(rowCount) {
                for column in 0..<Int32(columnCount) {
                    let cell = cells[index]
                    index += 1
                    guard cell.length > 0, let value = PQgetvalue(result, row, column) else { continue }
                    UnsafeMutableRawPointer(buffer.baseAddress! + Int(cell.start)).copyMemory(from: value, byteCount: Int(cell.length))
                }
            }
            initialized = total
        }
        return PostgresRows(columns: columns, affectedRows: rowCount, storage: storage, cells: cells)
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var text = self
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}

/// Calls `body` with NUL-terminated copies of `strings` that live exactly as long as the call.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    var buffer: [CChar] = []
    var offsets: [Int] = []
    for string in strings {
        offsets.append(buffer.count)
        buffer.append(contentsOf: string.utf8CString)
    }
    return buffer.withUnsafeBufferPointer { bytes in
        body(offsets.map { bytes.baseAddress! + $0 } + [nil])
    }
}
