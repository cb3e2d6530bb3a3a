/// Lowercase hexadecimal, as hashes and keys appear in files and on screen.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 2 == 0 else { return nil }
        func value(_ character: UInt8) -> UInt8? {
            switch character {
            case 48...57: character - 48
            case 97...102: character - 87
            case 65...70: character - 55
            default: nil
            }
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(characters.count / 2)
        var index = 0
        while index < characters.count {
            guard let high = value(characters[index]), let low = value(characters[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}

/// The auditor's key files: a first line naming the kind, then the key in hex.
public enum KeyFile {
    static let privateHeader = "sintra-ed25519-private-key v1"
    static let publicHeader = "sintra-ed25519-public-key v1"

    public static func encodePrivateKey(_ key: Ed25519PrivateKey) -> String { "\(privateHeader)\n\(Hex.encode(key.rawRepresentation))\n" }
    public static func encodePublicKey(_ key: Ed25519PublicKey) -> String { "\(publicHeader)\n\(Hex.encode(key.rawRepresentation))\n" }

    public static func decodePrivateKey(_ text: String) throws(CryptoError) -> Ed25519PrivateKey {
        try Ed25519PrivateKey(rawRepresentation: body(text, header: privateHeader, kind: "una llave privada"))
    }

    public static func decodePublicKey(_ text: String) throws(CryptoError) -> Ed25519PublicKey {
        try Ed25519PublicKey(rawRepresentation: body(text, header: publicHeader, kind: "una llave pública"))
    }

    private static func body(_ text: String, header: String, kind: String) throws(CryptoError) -> [UInt8] {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters() }
        guard lines.count == 2, lines[0] == header, let bytes = Hex.decode(lines[1]), bytes.count == 32 else {
            throw CryptoError("el archivo no es \(kind) Ed25519 de SINTRA")
        }
        return bytes
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        String(self.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
