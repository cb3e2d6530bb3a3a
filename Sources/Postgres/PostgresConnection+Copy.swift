internal import CLibPQ

extension PostgresConnection {
    /// Bulk-loads rows with `COPY … FROM STDIN` (text format), the fastest way into a table.
    /// Returns the number of rows the server stored. Values are escaped by `CopyRowEncoder`.
    @discardableResult
    public func copyIn(_ sql: SQL, rows: [[PostgresValue]]) async throws -> Int {
        try ensureNotStreaming()
        let handle = try liveHandle()
        try beginStatement()
        defer { endStatement() }
        guard PQsendQuery(handle, sql.text) == 1 else {
            throw PostgresError(kind: .connection, message: String(cString: PQerrorMessage(handle)).trimmingTrailingWhitespace())
        }
        try await flushOutgoing(handle)
        let start = try await nextResult(handle)
        guard let start, PQresultStatus(start) == PGRES_COPY_IN else {
            // Not a COPY: its error (or rows) is read, the rest drained, and the call refused.
            var failure: (any Error)?
            if let start { do { _ = try consume(start, handle: handle) } catch { failure = error } }
            while let result = try await nextResult(handle) { PQclear(result) }
            throw failure ?? PostgresError(kind: .server, message: "the statement is not COPY … FROM STDIN")
        }
        PQclear(start)
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 16)
        var sendFailure: String?
        for row in rows {
            do { try CopyRowEncoder.append(row, to: &chunk) } catch {
                try await endCopy(handle, failure: "invalid row")
                while let result = try await nextResult(handle) { PQclear(result) }
                throw error
            }
            if chunk.count >= 1 << 16, sendFailure == nil { sendFailure = await sendCopyData(&chunk, handle) }
        }
        if sendFailure == nil { sendFailure = await sendCopyData(&chunk, handle) }
        try await endCopy(handle, failure: sendFailure)
        var stored = 0
        var failure: PostgresError?
        while let result = try await nextResult(handle) {
            do { stored = try consume(result, handle: handle).affectedRows } catch let error as PostgresError { failure = failure ?? error }
        }
        if let failure { throw failure }
        return stored
    }

    /// Hands `chunk` to libpq and empties it; the error message if the connection refused it. In
    /// non-blocking mode libpq takes data only when its buffer has room (0: wait until the socket
    /// can take more, then offer it again).
    private func sendCopyData(_ chunk: inout [UInt8], _ handle: OpaquePointer) async -> String? {
        defer { chunk.removeAll(keepingCapacity: true) }
        guard !chunk.isEmpty else { return nil }
        while true {
            let sent = chunk.withUnsafeBufferPointer { bytes in
                UnsafeRawPointer(bytes.baseAddress!).withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    PQputCopyData(handle, $0, Int32(bytes.count))
                }
            }
            if sent == 1 { return nil }
            if sent < 0 { return String(cString: PQerrorMessage(handle)) }
            _ = await SocketReactor.shared.ready(PQsocket(handle), writable: true)
        }
    }

    /// Ends the COPY (failing it with `failure`, if any) and sends everything still queued.
    private func endCopy(_ handle: OpaquePointer, failure: String?) async throws {
        while PQputCopyEnd(handle, failure) == 0 { _ = await SocketReactor.shared.ready(PQsocket(handle), writable: true) }
        try await flushOutgoing(handle)
    }
}

/// COPY's text format: tab-separated, `\N` for NULL, backslash escapes for tab, newline, CR and backslash.
enum CopyRowEncoder {
    static func append(_ row: [PostgresValue], to buffer: inout [UInt8]) throws {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.append(9) }
            switch value {
            case .null: buffer.append(contentsOf: [92, 78])
            case .text(let text), .jsonb(let text): escape(text.utf8, into: &buffer)
            case .int64(let number): buffer.append(contentsOf: String(number).utf8)
            case .int32(let number): buffer.append(contentsOf: String(number).utf8)
            case .bool(let flag): buffer.append(flag ? 116 : 102)
            case .double(let number): buffer.append(contentsOf: "\(number)".utf8)
            case .timestamp(let timestamp): buffer.append(contentsOf: timestamp.iso8601.utf8)
            case .array:
                throw PostgresError(kind: .unsupported, message: "COPY rows take scalar values; insert arrays with a statement")
            case .bytea(let bytes):
                // bytea hex input `\x…`, whose backslash COPY needs escaped.
                buffer.append(contentsOf: [92, 92, 120])
                for byte in bytes {
                    buffer.append(hexDigit(byte >> 4))
                    buffer.append(hexDigit(byte & 0x0F))
                }
            }
        }
        buffer.append(10)
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 48 + nibble : 87 + nibble }

    private static func escape(_ text: String.UTF8View, into buffer: inout [UInt8]) {
        for byte in text {
            switch byte {
            case 92: buffer.append(contentsOf: [92, 92])
            case 9: buffer.append(contentsOf: [92, 116])
            case 10: buffer.append(contentsOf: [92, 110])
            case 13: buffer.append(contentsOf: [92, 114])
            default: buffer.append(byte)
            }
        }
    }
}
