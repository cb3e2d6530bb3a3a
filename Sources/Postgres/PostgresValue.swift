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

    case array(PostgresArray)

    public static func int(_ value: Int) -> PostgresValue { .int64(Int64(value)) }

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
            return (PostgresType.timestamptz, true, timestamp.postgresBinary)
        case .array(let array):
            return (array.arrayOID, true, array.binary)
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
    public static let textArray: UInt32 = 1009
    public static let byteaArray: UInt32 = 1001
    public static let int4Array: UInt32 = 1007
    public static let int8Array: UInt32 = 1016
    public static let timestamptzArray: UInt32 = 1185
    public static let jsonbArray: UInt32 = 3807

    static let textual: Set<UInt32> = [name, text, bpchar, varchar, json, 0, 705]
}

enum BigEndian {
    static func bytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        var remaining = value.bigEndian
        withUnsafeBytes(of: &remaining) { bytes.append(contentsOf: $0) }
    }

    static func read<T: FixedWidthInteger>(_ type: T.Type, _ bytes: ArraySlice<UInt8>) -> T {
        var value: T = 0
        for byte in bytes { value = (value << 8) | T(byte) }
        return value
    }
}

/// A one-dimensional array parameter in PostgreSQL's binary format.
///
/// Sending many values of one column as one array (and `unnest`-ing it in SQL) is how a
/// single statement inserts many rows without the server parsing a large text document.
public struct PostgresArray: Sendable, Equatable {
    let elementOID: UInt32
    let arrayOID: UInt32
    /// Each element's binary form; nil is NULL.
    let elements: [[UInt8]?]

    public static func text(_ values: [String]) -> PostgresArray {
        PostgresArray(elementOID: PostgresType.text, arrayOID: PostgresType.textArray, elements: values.map { Array($0.utf8) })
    }

    public static func jsonb(_ values: [String]) -> PostgresArray {
        PostgresArray(elementOID: PostgresType.jsonb, arrayOID: PostgresType.jsonbArray, elements: values.map { [1] + Array($0.utf8) })
    }

    public static func bytea(_ values: [[UInt8]]) -> PostgresArray {
        PostgresArray(elementOID: PostgresType.bytea, arrayOID: PostgresType.byteaArray, elements: values)
    }

    public static func int32(_ values: [Int32]) -> PostgresArray {
        PostgresArray(elementOID: PostgresType.int4, arrayOID: PostgresType.int4Array,
                      elements: values.map { BigEndian.bytes(UInt32(bitPattern: $0)) })
    }

    public static func int64(_ values: [Int64]) -> PostgresArray {
        PostgresArray(elementOID: PostgresType.int8, arrayOID: PostgresType.int8Array,
                      elements: values.map { BigEndian.bytes(UInt64(bitPattern: $0)) })
    }

    public static func timestamp(_ values: [Timestamp]) -> PostgresArray {
        PostgresArray(elementOID: PostgresType.timestamptz, arrayOID: PostgresType.timestamptzArray, elements: values.map(\.postgresBinary))
    }

    /// ndim, has-nulls flag, element type, (length, lower bound) per dimension, then each element as (length, bytes).
    var binary: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20 + elements.reduce(0) { $0 + 4 + ($1?.count ?? 0) })
        BigEndian.append(UInt32(elements.isEmpty ? 0 : 1), to: &bytes)
        BigEndian.append(UInt32(elements.contains { $0 == nil } ? 1 : 0), to: &bytes)
        BigEndian.append(elementOID, to: &bytes)
        if !elements.isEmpty {
            BigEndian.append(UInt32(elements.count), to: &bytes)
            BigEndian.append(UInt32(1), to: &bytes)
        }
        for element in elements {
            if let element {
                BigEndian.append(UInt32(element.count), to: &bytes)
                bytes.append(contentsOf: element)
            } else {
                BigEndian.append(UInt32.max, to: &bytes)
            }
        }
        return bytes
    }
}

extension Timestamp {
    /// int8 microseconds since 2000-01-01, PostgreSQL's binary timestamptz.
    /// Instants beyond PostgreSQL's range saturate to its ±infinity.
    var postgresBinary: [UInt8] {
        let (value, overflow) = microsecondsSinceUnixEpoch.subtractingReportingOverflow(Timestamp.postgresEpochOffset)
        return BigEndian.bytes(UInt64(bitPattern: overflow ? (microsecondsSinceUnixEpoch < 0 ? .min : .max) : value))
    }
}
