/// A strict RFC 8259 recursive-descent parser over a UTF-8 buffer.
///
/// Strictness is the point: anything PostgreSQL `jsonb` would refuse or silently change, and any
/// extension that some other parser might read differently, is refused, so that a payload that
/// passes here has exactly one meaning and therefore exactly one hash.
///
/// Errors carry a JSON Pointer relative to the value being parsed; containers prepend their own
/// token while the error unwinds (see ``JSONParseError/inside(_:)``).
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    var position = 0
    /// Reused for strings that contain escapes, so that they cost one allocation (the String).
    var scratch: [UInt8] = []
    /// ``fingerprint(_:)`` of the last string parsed, taken while its bytes are at hand.
    var lastStringFingerprint: UInt64 = 0

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        guard parser.position < bytes.count else {
            throw parser.failure(bytes.isEmpty ? "la entrada está vacía" : "se esperaba un valor, pero solo hay espacios")
        }
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            throw parser.failure("la marca de orden de bytes (BOM) no está permitida")
        }
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.failure("contenido adicional después del valor JSON") }
        return value
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func failure(_ message: String, at offset: Int? = nil, path: String = "") -> JSONParseError {
        JSONParseError(offset: offset ?? position, path: path, message: message)
    }

    var atEnd: Bool { position >= bytes.count }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func follows(_ literal: StaticString, at offset: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard offset + count <= bytes.count else { return false }
        for i in 0..<count where bytes[offset + i] != literal.utf8Start[i] { return false }
        return true
    }

    // MARK: Values

    /// `depth` is the number of containers already open around this value.
    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard !atEnd else { throw failure("se esperaba un valor, pero terminó la entrada") }
        switch bytes[position] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw failure("anidamiento demasiado profundo (máximo \(maxDepth) niveles)") }
            return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw failure("anidamiento demasiado profundo (máximo \(maxDepth) niveles)") }
            return try parseArray(depth: depth + 1)
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "+"): throw failure("un número no puede empezar con '+'")
        case UInt8(ascii: "."): throw failure("un número debe tener al menos un dígito antes del punto decimal")
        case UInt8(ascii: "/"): throw failure("los comentarios no están permitidos en JSON")
        case UInt8(ascii: "'"): throw failure("las cadenas deben ir entre comillas dobles")
        case UInt8(ascii: "N") where follows("NaN", at: position), UInt8(ascii: "I") where follows("Infinity", at: position):
            throw failure("NaN e Infinity no son números JSON válidos")
        default: throw failure("se esperaba un valor")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONParseError) {
        guard follows(word, at: position) else { throw failure("se esperaba «\(word)»") }
        position += word.utf8CodeUnitCount
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        position += 1  // '['
        var elements: [JSONValue] = []
        skipWhitespace()
        if !atEnd, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            do {
                elements.append(try parseValue(depth: depth))
            } catch {
                throw error.inside(String(elements.count))
            }
            skipWhitespace()
            guard !atEnd else { throw failure("se esperaba ',' o ']', pero terminó la entrada") }
            switch bytes[position] {
            case UInt8(ascii: "]"):
                position += 1
                return .array(elements)
            case UInt8(ascii: ","):
                let comma = position
                position += 1
                skipWhitespace()
                if !atEnd, bytes[position] == UInt8(ascii: "]") { throw failure("coma final no permitida", at: comma) }
            default:
                throw failure("se esperaba ',' o ']'")
            }
        }
    }

    /// Objects up to this size look for duplicate keys with a 64-bit fingerprint filter and a
    /// linear scan on a fingerprint hit (much cheaper than hashing for the typical payload, and
    /// duplicates are rare); larger objects, which would saturate the filter, use a hashed set.
    private static let smallObjectLimit = 48

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        position += 1  // '{'
        var members: [JSONMember] = []
        var fingerprints: UInt64 = 0
        var keySet: Set<ScalarKey>? = nil
        skipWhitespace()
        if !atEnd, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        members.reserveCapacity(8)  // Skips the first regrowths for typical objects; measurably faster.
        while true {
            guard !atEnd else { throw failure("se esperaba una clave entre comillas dobles, pero terminó la entrada") }
            guard bytes[position] == UInt8(ascii: "\"") else { throw failure("se esperaba una clave entre comillas dobles") }
            let keyOffset = position
            let key = try parseString()
            if keySet == nil {
                let bit: UInt64 = 1 << lastStringFingerprint
                if fingerprints & bit != 0, members.contains(where: { JSONText.sameScalars($0.key, key) }) {
                    throw duplicate(key, at: keyOffset)
                }
                fingerprints |= bit
                if members.count + 1 >= Self.smallObjectLimit {
                    keySet = Set(members.lazy.map { ScalarKey(text: $0.key) })
                    keySet!.insert(ScalarKey(text: key))
                }
            } else if !keySet!.insert(ScalarKey(text: key)).inserted {
                throw duplicate(key, at: keyOffset)
            }

            skipWhitespace()
            guard !atEnd, bytes[position] == UInt8(ascii: ":") else {
                throw failure("se esperaba ':'", path: "/" + JSONText.pointerToken(key))
            }
            position += 1
            let value: JSONValue
            do {
                value = try parseValue(depth: depth)
            } catch {
                throw error.inside(JSONText.pointerToken(key))
            }
            members.append(JSONMember(key: key, value: value))

            skipWhitespace()
            guard !atEnd else { throw failure("se esperaba ',' o '}', pero terminó la entrada") }
            switch bytes[position] {
            case UInt8(ascii: "}"):
                position += 1
                return .object(members)
            case UInt8(ascii: ","):
                let comma = position
                position += 1
                skipWhitespace()
                if !atEnd, bytes[position] == UInt8(ascii: "}") { throw failure("coma final no permitida", at: comma) }
            default:
                throw failure("se esperaba ',' o '}'")
            }
        }
    }

    private func duplicate(_ key: String, at offset: Int) -> JSONParseError {
        let shown = key.count > 60 ? key.prefix(60) + "…" : Substring(key)
        return failure("clave duplicada «\(shown)»", at: offset, path: "/" + JSONText.pointerToken(key))
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = position
        let end = try NumberScanner.scan(bytes, from: start)
        position = end.offset
        if let value = end.fastValue { return value }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end.offset]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw failure("número fuera del rango de doble precisión", at: start)
        }
        return value
    }
}
