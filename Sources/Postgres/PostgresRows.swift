/// The rows of one result, copied out of libpq into one contiguous Swift buffer.
///
/// Copying everything at once (instead of one allocation per field) keeps whole-log reads
/// cheap, and makes the value `Sendable`: nothing points into libpq memory once the call returns.
public struct PostgresRows: Sendable, RandomAccessCollection {
    public let columns: [PostgresColumn]
    /// Rows affected by INSERT/UPDATE/DELETE/COPY, from the command tag.
    public let affectedRows: Int
    let storage: [UInt8]
    /// For row r and column c, `cells[r * columns.count + c]`: start offset and length (-1 = NULL).
    let cells: [(start: Int32, length: Int32)]

    public var startIndex: Int { 0 }
    public var endIndex: Int { columns.isEmpty ? 0 : cells.count / columns.count }
    public subscript(position: Int) -> PostgresRow { PostgresRow(rows: self, index: position) }

    init(columns: [PostgresColumn], affectedRows: Int, storage: [UInt8], cells: [(start: Int32, length: Int32)]) {
        self.columns = columns
        self.affectedRows = affectedRows
        self.storage = storage
        self.cells = cells
    }
}

public struct PostgresColumn: Sendable, Equatable {
    public let name: String
    public let typeOID: UInt32
}

/// One row. Decode a column with `row.decode(Int64.self, 0)` or by name.
public struct PostgresRow: Sendable {
    let rows: PostgresRows
    let index: Int

    public var columns: [PostgresColumn] { rows.columns }

    public func decode<T: PostgresDecodable>(_ type: T.Type, _ column: Int) throws -> T {
        guard column >= 0, column < rows.columns.count else {
            throw PostgresError(kind: .decoding, message: "column \(column) does not exist (the row has \(rows.columns.count))")
        }
        let cell = rows.cells[index * rows.columns.count + column]
        let info = rows.columns[column]
        do {
            if cell.length < 0 { return try T.decodeNull() }
            let start = Int(cell.start)
            return try T.decode(rows.storage[start..<start + Int(cell.length)], typeOID: info.typeOID)
        } catch let error as DecodingFailure {
            throw PostgresError(kind: .decoding, message: "column \(info.name) (type \(info.typeOID)): \(error.reason)")
        }
    }

    public func decode<T: PostgresDecodable>(_ type: T.Type, _ name: String) throws -> T {
        guard let column = rows.columns.firstIndex(where: { $0.name == name }) else {
            throw PostgresError(kind: .decoding, message: "column \(name) does not exist")
        }
        return try decode(type, column)
    }

    public func isNull(_ column: Int) -> Bool { rows.cells[index * rows.columns.count + column].length < 0 }
}

struct DecodingFailure: Error { let reason: String }

/// A Swift type a column can be decoded into, from PostgreSQL's binary format.
public protocol PostgresDecodable {
    static func decode(_ bytes: ArraySlice<UInt8>, typeOID: UInt32) throws -> Self
    static func decodeNull() throws -> Self
}

extension PostgresDecodable {
    public static func decodeNull() throws -> Self { throw DecodingFailure(reason: "unexpected NULL") }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(_ bytes: ArraySlice<UInt8>, typeOID: UInt32) throws -> Self {
        try Wrapped.decode(bytes, typeOID: typeOID)
    }
    public static func decodeNull() throws -> Self { nil }
}

private func expectLength(_ bytes: ArraySlice<UInt8>, _ count: Int) throws {
    guard bytes.count == count else { throw DecodingFailure(reason: "expected \(count) bytes, got \(bytes.count)") }
}

extension Int64: PostgresDecodable {
    public static func decode(_ bytes: ArraySlice<UInt8>, typeOID: UInt32) throws -> Int64 {
        switch typeOID {
        case PostgresType.int8: try expectLength(bytes, 8); return Int64(bitPattern: BigEndian.read(UInt64.self, bytes))
        case PostgresType.int4: try expectLength(bytes, 4); return Int64(Int32(bitPattern: BigEndian.read(UInt32.self, bytes)))
        case PostgresType.int2: try expectLength(bytes, 2); return Int64(Int16(bitPattern: BigEndian.read(UInt16.self, bytes)))
        case PostgresType.oid: try expectLength(bytes, 4); return Int64(BigEndian.read(UInt32.self, bytes))
        default: throw DecodingFailure(reason: "not an integer column")
        }
    }
}

extension Int: PostgresDecodable {
    public static func decode(_ bytes: ArraySlice<UInt8>, typeOID: UInt32) throws -> Int {
        Int(try Int64.decode(bytes, typeOID: typeOID))
    }
}

extension Int32: PostgresDecodable {
    public static func decode(_ bytes: ArraySlice<UInt8>, typeOID: UInt32) throws -> Int32 {
        let wide = try Int64.decode(bytes, typeOID: typeOID)
        guard let value = Int32(exactly: wide) else { throw DecodingFailure(reason: "\(wide) does not fit in Int32") }
        return value
    }
}

extension Bool: PostgresDecodable {
    public static func decode(_ bytes: ArraySlice<UInt8>, typeOID: UInt32) throws -> Bool {
        guard typeOID == PostgresType.bool else { throw DecodingFailure(reason: "not a boolean column") }
        try expectLength(bytes, 1)
        return bytes.first != 0
    }
}

extension Double: PostgresDecodable {
    public static func decode(_ bytes: ArraySlice<UInt8>, typeOID: UInt32) throws -> Double {
        switch typeOID {
        case PostgresType.float8: try expectLength(bytes, 8); return Double(bitPattern: BigEndian.read(UInt64.self, bytes))
        case PostgresType.float4: try expectLength(bytes, 4); return Double(Float(bitPattern: BigEndian.read(UInt32.self, bytes)))
        case PostgresType.numeric:
            guard let value = Double(try PostgresNumeric.string(bytes)) else { throw DecodingFailure(reason: "numeric NaN") }
            return value
        default: return Double(try Int64.decode(bytes, typeOID: typeOID))
        }
    }
}

extension String: PostgresDecodable {
    /// Text-like columns as they are; jsonb without its version byte; numeric and uuid in their text form.
    public static func decode(_ bytes: ArraySlice<UInt8>, typeOID: UInt32) throws -> String {
        switch typeOID {
        case PostgresType.jsonb:
            guard bytes.first == 1 else { throw DecodingFailure(reason: "unknown jsonb format version") }
            return String(decoding: bytes.dropFirst(), as: UTF8.self)
        case PostgresType.numeric: return try PostgresNumeric.string(bytes)
        case PostgresType.uuid:
            try expectLength(bytes, 16)
            let hex = bytes.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
            let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
                String(hex.dropFirst(range.lowerBound).prefix(range.count))
            }
            return parts.joined(separator: "-")
        default:
            guard PostgresType.textual.contains(typeOID) else { throw DecodingFailure(reason: "not a text column") }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}

extension Array: PostgresDecodable where Element == UInt8 {
    /// bytea as raw bytes.
    public static func decode(_ bytes: ArraySlice<UInt8>, typeOID: UInt32) throws -> [UInt8] {
        guard typeOID == PostgresType.bytea else { throw DecodingFailure(reason: "not a bytea column") }
        return Array(bytes)
    }
}

extension Timestamp: PostgresDecodable {
    public static func decode(_ bytes: ArraySlice<UInt8>, typeOID: UInt32) throws -> Timestamp {
        guard typeOID == PostgresType.timestamptz || typeOID == PostgresType.timestamp else {
            throw DecodingFailure(reason: "not a timestamp column")
        }
        try expectLength(bytes, 8)
        let sincePostgresEpoch = Int64(bitPattern: BigEndian.read(UInt64.self, bytes))
        let (micros, overflow) = sincePostgresEpoch.addingReportingOverflow(Timestamp.postgresEpochOffset)
        guard !overflow else { throw DecodingFailure(reason: "infinite or out-of-range timestamp") }
        return Timestamp(microsecondsSinceUnixEpoch: micros)
    }
}

/// PostgreSQL's binary numeric: base-10000 digits with a weight and a display scale.
enum PostgresNumeric {
    static func string(_ bytes: ArraySlice<UInt8>) throws -> String {
        let raw = Array(bytes)
        guard raw.count >= 8 else { throw DecodingFailure(reason: "short numeric") }
        func word(_ index: Int) -> Int { Int(raw[index]) << 8 | Int(raw[index + 1]) }
        let count = word(0)
        let weight = Int(Int16(bitPattern: UInt16(word(2))))
        let sign = word(4)
        let scale = word(6)
        guard raw.count == 8 + count * 2 else { throw DecodingFailure(reason: "malformed numeric") }
        if sign == 0xC000 { return "NaN" }
        let digits = (0..<count).map { word(8 + $0 * 2) }
        var integerPart = ""
        if weight < 0 { integerPart = "0" }
        else {
            for index in 0...weight {
                let digit = index < digits.count ? digits[index] : 0
                integerPart += index == 0 ? String(digit) : pad(digit)
            }
        }
        var fraction = ""
        if scale > 0 {
            var index = weight + 1
            while fraction.count < scale {
                let digit = index >= 0 && index < digits.count ? digits[index] : 0
                fraction += pad(digit)
                index += 1
            }
            fraction = String(fraction.prefix(scale))
        }
        let text = fraction.isEmpty ? integerPart : integerPart + "." + fraction
        return sign == 0x4000 ? "-" + text : text
    }

    private static func pad(_ digit: Int) -> String {
        let text = String(digit)
        return String(repeating: "0", count: 4 - text.count) + text
    }
}
