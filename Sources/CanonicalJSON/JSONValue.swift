/// A parsed JSON value, as the event log hashes it.
///
/// Numbers are `Double` because RFC 8785 (JCS) defines the canonical form of a number as the
/// ECMAScript rendering of an IEEE 754 double: two texts that denote the same double (`1.50`,
/// `15e-1`) must hash the same, whatever PostgreSQL `jsonb` kept of the original spelling.
///
/// Objects keep their members in input order so that error messages, re-serialisation for humans
/// and field look-ups behave predictably; only ``CanonicalJSON/serialize(_:)`` reorders them.
///
/// Equality is *canonical* equality: two values are `==` exactly when they have the same
/// canonical bytes. So member order does not matter, `0 == -0`, and strings are compared by their
/// Unicode scalars rather than by Swift's `String ==` (which treats canonically equivalent
/// strings such as "é" and "e\u{301}" as equal although they hash differently).
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Members in input order. The parser guarantees unique keys; when building objects by hand
    /// keep them unique too, because a duplicated key would be serialised twice (jsonb would keep
    /// only one, so the hash could never be reproduced from the database).
    case object([JSONMember])
}

/// One `"key": value` pair of a JSON object.
///
/// A struct rather than a tuple so that it can be `Sendable` and `Equatable`, and so that
/// object literals in code read as what they are.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var value: JSONValue

    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }

    /// Keys are compared by Unicode scalars (see ``JSONValue``), values canonically.
    public static func == (lhs: JSONMember, rhs: JSONMember) -> Bool {
        JSONText.sameScalars(lhs.key, rhs.key) && lhs.value == rhs.value
    }
}

extension JSONValue: Equatable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return JSONText.sameScalars(a, b)
        case let (.array(a), .array(b)): return a.count == b.count && zip(a, b).allSatisfy { $0 == $1 }
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            if zip(a, b).allSatisfy({ $0 == $1 }) { return true }  // Same order: the common case.
            let order = { (x: JSONMember, y: JSONMember) in JSONText.utf16Precedes(x.key, y.key) }
            return zip(a.sorted(by: order), b.sorted(by: order)).allSatisfy { $0 == $1 }
        default: return false
        }
    }
}

// MARK: - Convenience accessors

extension JSONValue {
    /// The value of the member named `key` (compared by Unicode scalars), if this is an object
    /// that has one.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { JSONText.sameScalars($0.key, key) }?.value
    }

    /// The element at `index`, if this is an array and the index is in range.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    public var isNull: Bool { if case .null = self { true } else { false } }
    public var isObject: Bool { if case .object = self { true } else { false } }
    public var isArray: Bool { if case .array = self { true } else { false } }

    public var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
    public var numberValue: Double? { if case .number(let value) = self { value } else { nil } }
    public var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    public var arrayValue: [JSONValue]? { if case .array(let value) = self { value } else { nil } }
    public var objectValue: [JSONMember]? { if case .object(let value) = self { value } else { nil } }

    /// The number as an `Int64`, if it is an integer that a double represents exactly
    /// (|n| ≤ 2^53): beyond that, neighbouring integers share one double and the value read
    /// back might not be the one that was written.
    public var int64Value: Int64? {
        guard case .number(let value) = self, value.magnitude <= 9_007_199_254_740_992,
              case let integer = Int64(value), Double(integer) == value else { return nil }
        return integer
    }
}

extension JSONValue: CustomStringConvertible {
    /// The canonical (RFC 8785) text, so that logs and test failures show what is hashed.
    public var description: String { String(decoding: CanonicalJSON.serialize(self), as: UTF8.self) }
}

// MARK: - Literals (mostly for tests and for building small documents in code)

extension JSONValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Keeps the literal's order (a `KeyValuePairs`), like a parsed object.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(elements.map { JSONMember(key: $0.0, value: $0.1) })
    }
}

// MARK: - Text helpers shared by the parser, the serialiser and equality

enum JSONText {
    /// Whether two strings have the same Unicode scalars, i.e. the same UTF-8 bytes.
    /// Swift's `String ==` uses canonical equivalence, which is not what jsonb or a hash sees.
    static func sameScalars(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return withUTF8(a, b) { x, y in x.elementsEqual(y) }
    }

    /// Orders keys as RFC 8785 §3.2.3 requires: by their UTF-16 code units.
    ///
    /// Works on UTF-8 bytes (Swift's native encoding) without transcoding: UTF-8 byte order is
    /// code point order, which agrees with UTF-16 order except that code points U+10000 and up
    /// (UTF-16 surrogates D800–DBFF, UTF-8 lead bytes F0–F4) sort *before* U+E000–U+FFFF (UTF-8
    /// lead bytes EE–EF) in UTF-16. At the first differing byte both strings are at the same
    /// position of the same scalar, so comparing lead bytes there is enough.
    static func utf16Precedes(_ a: String, _ b: String) -> Bool {
        withUTF8(a, b) { x, y in
            let common = min(x.count, y.count)
            var i = 0
            while i < common {
                let p = x[i], q = y[i]
                if p != q {
                    if p >= 0xF0 && (q == 0xEE || q == 0xEF) { return true }
                    if q >= 0xF0 && (p == 0xEE || p == 0xEF) { return false }
                    return p < q
                }
                i += 1
            }
            return x.count < y.count
        }
    }

    /// Runs `body` on the UTF-8 bytes of both strings without copying native strings.
    private static func withUTF8<R>(_ a: String, _ b: String, _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = a.utf8.withContiguousStorageIfAvailable({ x in b.utf8.withContiguousStorageIfAvailable { y in body(x, y) } }),
           let result {
            return result
        }
        return Array(a.utf8).withUnsafeBufferPointer { x in Array(b.utf8).withUnsafeBufferPointer { y in body(x, y) } }
    }

    /// One reference token of a JSON Pointer (RFC 6901 §3): '~' → "~0", '/' → "~1".
    static func pointerToken(_ key: String) -> String {
        guard key.utf8.contains(where: { $0 == 0x7E || $0 == 0x2F }) else { return key }
        var token = ""
        token.reserveCapacity(key.utf8.count + 4)
        for scalar in key.unicodeScalars {
            switch scalar {
            case "~": token += "~0"
            case "/": token += "~1"
            default: token.unicodeScalars.append(scalar)
            }
        }
        return token
    }
}

/// A key in the parser's duplicate-detection set for large objects, hashed and compared by
/// Unicode scalars (Swift's own `String` hashing follows canonical equivalence, so "é" and
/// "e\u{301}" would collide as one key although jsonb keeps both).
struct ScalarKey: Hashable {
    let text: String

    static func == (lhs: ScalarKey, rhs: ScalarKey) -> Bool { JSONText.sameScalars(lhs.text, rhs.text) }

    func hash(into hasher: inout Hasher) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if done == nil { for byte in text.utf8 { hasher.combine(byte) } }
        hasher.combine(text.utf8.count)
    }
}
