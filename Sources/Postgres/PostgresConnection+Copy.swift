internal import CLibPQ

extension PostgresConnection {
    /// Bulk-loads rows with `COPY … FROM STDIN` (text format), the fastest way into a table.
    /// Returns the number of rows the server stored. Values are escaped by `CopyRowEncoder`.
    @discardableResult
    public func copyIn(_ sql: SQL, rows: [[PostgresValue]]) throws -> Int {
        try ensureNotStreaming()
        let handle = try liveHandle()
        let start = PQexec(handle, sql.text)
        guard let start, PQresultStatus(start) == PGRES_COPY_IN else {
            _ = try consume(start, handle: handle)
            throw PostgresError(kind: .server, message: "the statement is not COPY … FROM STDIN")
        }
        PQclear(start)
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 16)
        var sendFailure: String?
        func flush() {
            guard sendFailure == nil, !chunk.isEmpty else { return }
            let sent = chunk.withUnsafeBufferPointer { bytes in
                UnsafeRawPointer(bytes.baseAddress!).withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    PQputCopyData(handle, $0, Int32(bytes.count))
                }
            }
            if sent != 1 { sendFailure = String(cString: PQerrorMessage(handle)) }
            chunk.removeAll(keepingCapacity: true)
        }
        for row in rows {
            do { try CopyRowEncoder.append(row, to: &chunk) } catch {
                _ = PQputCopyEnd(handle, "invalid row")
                while let result = PQgetResult(handle) { PQclear(result) }
                throw error
            }
            if chunk.count >= 1 << 16 { flush() }
        }
        flush()
        _ = PQputCopyEnd(handle, sendFailure)
        var stored = 0
        var failure: PostgresError?
        while let result = PQgetResult(handle) {
            do { stored = try consume(result, handle: handle).affectedRows } catch let error as PostgresError { failure = failure ?? error }
        }
        if let failure { throw failure }
        return stored
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
