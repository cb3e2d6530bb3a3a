/// String parsing for ``JSONParser``: escapes, UTF-16 surrogate pairs and UTF-8 validation.
///
/// Strings are where texts that look alike can differ (escapes, invalid bytes, surrogates), so
/// this is where strictness matters most for hashing: every accepted string decodes to exactly
/// one sequence of Unicode scalars, and nothing jsonb would refuse (`\u0000`) gets through.
extension JSONParser {
    /// Parses a string starting at its opening quote. Plain strings (the vast majority) are
    /// validated in place and copied once; strings with escapes are decoded through `scratch`.
    mutating func parseString() throws(JSONParseError) -> String {
        let start = position + 1
        var i = start
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                position = i + 1
                return makeString(from: UnsafeBufferPointer(rebasing: bytes[start..<i]))
            } else if byte == UInt8(ascii: "\\") {
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                return try parseEscapedString(from: i)
            } else if byte < 0x20 {
                throw controlCharacter(byte, at: i)
            } else if byte < 0x80 {
                i += 1
            } else {
                i = try validateUTF8(at: i)
            }
        }
        throw failure("cadena sin cerrar: falta la comilla final", at: bytes.count)
    }

    private mutating func makeString(from utf8: UnsafeBufferPointer<UInt8>) -> String {
        lastStringFingerprint = Self.fingerprint(utf8)
        return String(decoding: utf8, as: UTF8.self)
    }

    private mutating func parseEscapedString(from offset: Int) throws(JSONParseError) -> String {
        var i = offset
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                position = i + 1
                let decoded = scratch  // Shares the buffer (no copy); leaves `self` free to mutate.
                return decoded.withUnsafeBufferPointer { makeString(from: $0) }
            } else if byte == UInt8(ascii: "\\") {
                i = try decodeEscape(at: i)
            } else if byte < 0x20 {
                throw controlCharacter(byte, at: i)
            } else if byte < 0x80 {
                scratch.append(byte)
                i += 1
            } else {
                let next = try validateUTF8(at: i)
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<next]))
                i = next
            }
        }
        throw failure("cadena sin cerrar: falta la comilla final", at: bytes.count)
    }

    /// Decodes the escape at `offset` (a backslash) into `scratch`; returns the offset after it.
    private mutating func decodeEscape(at offset: Int) throws(JSONParseError) -> Int {
        guard offset + 1 < bytes.count else { throw failure("cadena sin cerrar: falta la comilla final", at: bytes.count) }
        let simple: UInt8
        switch bytes[offset + 1] {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"): return try decodeUnicodeEscape(at: offset)
        case let other:
            let shown = (0x21...0x7E).contains(other) ? " «\\\(Character(Unicode.Scalar(other)))»" : ""
            throw failure("secuencia de escape no válida\(shown)", at: offset)
        }
        scratch.append(simple)
        return offset + 2
    }

    private mutating func decodeUnicodeEscape(at offset: Int) throws(JSONParseError) -> Int {
        let unit = try hex4(at: offset)
        let scalar: UInt32
        var end = offset + 6
        switch unit {
        case 0:
            throw failure("\\u0000 no está permitido: PostgreSQL jsonb no admite el carácter nulo", at: offset)
        case 0xD800...0xDBFF:
            guard let low = hexValue(at: end), (0xDC00...0xDFFF).contains(low) else {
                throw failure("sustituto UTF-16 alto \(Self.escapeText(unit)) sin su sustituto bajo", at: offset)
            }
            scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            end += 6
        case 0xDC00...0xDFFF:
            throw failure("sustituto UTF-16 bajo \(Self.escapeText(unit)) sin sustituto alto delante", at: offset)
        default:
            scalar = unit
        }
        Self.appendUTF8(scalar, to: &scratch)
        return end
    }

    /// The four hex digits after the `\u` at `offset`.
    private func hex4(at offset: Int) throws(JSONParseError) -> UInt32 {
        guard let value = hexValue(at: offset) else {
            throw failure("secuencia \\u no válida: se esperaban 4 dígitos hexadecimales", at: offset)
        }
        return value
    }

    /// The value of `\uXXXX` at `offset`, or nil if there is no such escape there.
    private func hexValue(at offset: Int) -> UInt32? {
        guard offset + 6 <= bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else { return nil }
        var value: UInt32 = 0
        for i in offset + 2..<offset + 6 {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = value << 4 | UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }
        return value
    }

    private static func escapeText(_ unit: UInt32) -> String {
        let hex = String(unit, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    private static func appendUTF8(_ scalar: UInt32, to buffer: inout [UInt8]) {
        switch scalar {
        case ..<0x80:
            buffer.append(UInt8(scalar))
        case ..<0x800:
            buffer.append(UInt8(0xC0 | scalar >> 6))
            buffer.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            buffer.append(UInt8(0xE0 | scalar >> 12))
            buffer.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            buffer.append(UInt8(0x80 | scalar & 0x3F))
        default:
            buffer.append(UInt8(0xF0 | scalar >> 18))
            buffer.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            buffer.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            buffer.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    private func controlCharacter(_ byte: UInt8, at offset: Int) -> JSONParseError {
        failure("carácter de control \(Self.escapeText(UInt32(byte))) sin escapar dentro de una cadena", at: offset)
    }

    /// Checks the multi-byte UTF-8 sequence whose lead byte is at `offset` (Unicode Table 3-7:
    /// no overlong forms, no surrogates, nothing above U+10FFFF); returns the offset after it.
    private func validateUTF8(at offset: Int) throws(JSONParseError) -> Int {
        let lead = bytes[offset]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: throw failure("UTF-8 no válido", at: offset)
        }
        guard offset + length <= bytes.count, secondRange.contains(bytes[offset + 1]) else {
            throw failure("UTF-8 no válido", at: offset)
        }
        for i in offset + 2..<offset + length where bytes[i] & 0xC0 != 0x80 {
            throw failure("UTF-8 no válido", at: offset)
        }
        return offset + length
    }

    /// A cheap fingerprint of a decoded string's bytes, 0..<64: only ever used to skip a scan
    /// for duplicate keys, never to decide that two keys are equal.
    private static func fingerprint(_ utf8: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash = UInt64(truncatingIfNeeded: utf8.count) &* 0x9E37_79B9_7F4A_7C15
        if let first = utf8.first, let last = utf8.last {
            hash ^= UInt64(first) | UInt64(utf8[utf8.count / 2]) << 8 | UInt64(last) << 16
            hash = (hash ^ hash >> 29) &* 0xBF58_476D_1CE4_E5B9
        }
        return hash >> 58
    }
}
