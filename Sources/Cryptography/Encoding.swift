internal import COpenSSL

/// Hexadecimal, as hashes, keys and signatures appear in files, checkpoints and on screen.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Lowercase hex, two digits per byte.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        append(bytes, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes `text` spells, or nil if it has an odd number of digits or anything that is
    /// not a hex digit (whitespace included). Upper and lower case are both accepted.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = text.utf8
        guard utf8.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        var high: UInt8?
        for character in utf8 {
            guard let value = value(of: character) else { return nil }
            if let first = high {
                bytes.append(first << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return bytes
    }

    static func append(_ bytes: some Collection<UInt8>, to text: inout [UInt8]) {
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
    }

    private static func value(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// The auditor's key files, written by `sintra keygen` and read by `sintra checkpoint` and
/// `sintra verify`: a first line naming the kind and format version, then the 32 key bytes in
/// lowercase hex. Plain text so an auditor can inspect, copy or print it; the version line lets
/// the format change later without misreading old files.
public enum KeyFile {
    static let privateHeader = "sintra-ed25519-private-key v1"
    static let publicHeader = "sintra-ed25519-public-key v1"

    /// `"sintra-ed25519-private-key v1\n<hex seed>\n"`. The file must be kept secret.
    public static func encodePrivateKey(_ key: Ed25519PrivateKey) -> String {
        var text = Array("\(privateHeader)\n".utf8)
        text.reserveCapacity(text.count + 65)
        Hex.append(key.rawRepresentation, to: &text)
        text.append(UInt8(ascii: "\n"))
        // The String gets its own copy; scrub this temporary one.
        defer { text.withUnsafeMutableBytes { sintra_cleanse($0.baseAddress, $0.count) } }
        return String(decoding: text, as: UTF8.self)
    }

    /// `"sintra-ed25519-public-key v1\n<hex>\n"`.
    public static func encodePublicKey(_ key: Ed25519PublicKey) -> String {
        "\(publicHeader)\n\(Hex.encode(key.rawRepresentation))\n"
    }

    /// Reads what `encodePrivateKey` wrote. Tolerates CRLF line ends and surrounding blanks.
    public static func decodePrivateKey(_ text: String) throws(CryptoError) -> Ed25519PrivateKey {
        let seed = try body(of: text, header: privateHeader, otherHeader: publicHeader,
                            kind: "llave privada", otherKind: "llave pública")
        return try Ed25519PrivateKey(rawRepresentation: seed)
    }

    /// Reads what `encodePublicKey` wrote. Tolerates CRLF line ends and surrounding blanks.
    public static func decodePublicKey(_ text: String) throws(CryptoError) -> Ed25519PublicKey {
        let raw = try body(of: text, header: publicHeader, otherHeader: privateHeader,
                           kind: "llave pública", otherKind: "llave privada")
        return try Ed25519PublicKey(rawRepresentation: raw)
    }

    /// The 32 key bytes. Works on slices of `text` so no extra copies of a private key are made.
    private static func body(of text: String, header: String, otherHeader: String,
                             kind: String, otherKind: String) throws(CryptoError) -> [UInt8] {
        let lines = text.split(whereSeparator: \.isNewline).map(trimmed).filter { !$0.isEmpty }
        guard let first = lines.first, first == header else {
            if lines.first.map({ $0 == otherHeader }) == true {
                throw CryptoError("el archivo contiene una \(otherKind) Ed25519 de SINTRA, no una \(kind)")
            }
            throw CryptoError("el archivo no es una \(kind) Ed25519 de SINTRA")
        }
        guard lines.count == 2, let bytes = Hex.decode(lines[1]), bytes.count == 32 else {
            throw CryptoError("la \(kind) Ed25519 del archivo está dañada: se esperaban 64 dígitos hexadecimales en la segunda línea")
        }
        return bytes
    }

    private static func trimmed(_ line: Substring) -> Substring {
        let start = line.firstIndex { !$0.isWhitespace } ?? line.endIndex
        let end = line.lastIndex { !$0.isWhitespace }.map(line.index(after:)) ?? start
        return line[start..<end]
    }
}
