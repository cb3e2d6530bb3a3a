/// A query parameter.
///
/// Numbers, booleans, bytes and timestamps travel in PostgreSQL's binary format, so no
/// precision is lost on the way (bigint stays 64-bit, timestamps keep their microseconds).
/// Text travels as text with an unspecified type, letting the server infer it from context
/// (`$1::jsonb`, `= ANY($1)`, …).
public enum PostgresValue: Sendable, Equatable {
    case null
    case text(String)
    case int64(Int64)
    case int32(Int32)
    case bool(Bool)
    case double(Double)
    case bytea([UInt8])
    case jsonb(String)
    case timestamp(Timestamp)

    public static func int(_ value: Int) -> PostgresValue { .int64(Int64(value)) }

    /// A text-format array literal (`{"a","b"}`) for `= ANY($1)` or `unnest($1::text[])`.
    public static func textArray(_ values: [String]) -> PostgresValue {
        .text("{" + values.map(arrayElement).joined(separator: ",") + "}")
    }

    /// A text-format bigint array literal.
    public static func int64Array(_ values: [Int64]) -> PostgresValue {
        .text("{" + values.map(String.init).joined(separator: ",") + "}")
    }

    private static func arrayElement(_ value: String) -> String {
        var quoted = "\""
        for character in value.unicodeScalars {
            if character == "\"" || character == "\\" { quoted.unicodeScalars.append("\\") }
            quoted.unicodeScalars.append(character)
        }
        return quoted + "\""
    }

    /// (type OID, format, bytes) as libpq's PQexecParams wants them; `nil` bytes is SQL NULL.
    var wire: (oid: UInt32, binary: Bool, bytes: [UInt8]?) {
        switch self {
        case .null: return (0, false, nil)
        case .text(let string): return (0, false, Array(string.utf8))
        case .int64(let value): return (PostgresType.int8, true, BigEndian.bytes(UInt64(bitPattern: value)))
        case .int32(let value): return (PostgresType.int4, true, BigEndian.bytes(UInt32(bitPattern: value)))
        case .bool(let value): return (PostgresType.bool, true, [value ? 1 : 0])
        case .double(let value): return (PostgresType.float8, true, BigEndian.bytes(value.bitPattern))
        case .bytea(let bytes): return (PostgresType.bytea, true, bytes)
        case .jsonb(let json): return (PostgresType.jsonb, true, [1] + Array(json.utf8))
        case .timestamp(let timestamp):
            let sincePostgresEpoch = timestamp.microsecondsSinceUnixEpoch - Timestamp.postgresEpochOffset
            return (PostgresType.timestamptz, true, BigEndian.bytes(UInt64(bitPattern: sincePostgresEpoch)))
        }
    }
}

/// Type OIDs of the types this layer encodes and decodes (from `pg_type`).
public enum PostgresType {
    public static let bool: UInt32 = 16
    public static let bytea: UInt32 = 17
    public static let name: UInt32 = 19
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let oid: UInt32 = 26
    public static let json: UInt32 = 114
    public static let float4: UInt32 = 700
    public static let float8: UInt32 = 701
    public static let bpchar: UInt32 = 1042
    public static let varchar: UInt32 = 1043
    public static let timestamp: UInt32 = 1114
    public static let timestamptz: UInt32 = 1184
    public static let numeric: UInt32 = 1700
    public static let uuid: UInt32 = 2950
    public static let jsonb: UInt32 = 3802

    static let textual: Set<UInt32> = [name, text, bpchar, varchar, json, 0, 705]
}

enum BigEndian {
    static func bytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    static func read<T: FixedWidthInteger>(_ type: T.Type, _ bytes: ArraySlice<UInt8>) -> T {
        var value: T = 0
        for byte in bytes { value = (value << 8) | T(byte) }
        return value
    }
}
