internal import COpenSSL

/// The cost of scrypt (RFC 7914): `N = 2^logN` (memory and time), `r` (block size), `p`
/// (parallelism). Memory is about `128 · r · N` bytes per hash.
public struct ScryptParameters: Sendable, Equatable, CustomStringConvertible {
    public let logN: Int
    public let r: Int
    public let p: Int

    /// OWASP's first recommendation for scrypt (Password Storage Cheat Sheet): 128 MiB, ~0.3 s on
    /// one core today. Slow enough that a stolen table of hashes costs an attacker that much per
    /// guess, fast enough for a login.
    public static let recommended = ScryptParameters(logN: 17, r: 8, p: 1)
    /// For tests only: cheap enough to hash hundreds of times in a test run.
    public static let testing = ScryptParameters(logN: 10, r: 8, p: 1)

    public init(logN: Int, r: Int, p: Int) {
        self.logN = logN
        self.r = r
        self.p = p
    }

    /// Bounds accepted when reading a stored hash: a damaged or hostile row must not make a login
    /// allocate gigabytes or spin for minutes.
    var isAcceptable: Bool {
        (1...20).contains(logN) && (1...32).contains(r) && (1...16).contains(p) && (1 << logN) * r * p <= 1 << 24
    }

    /// Bytes libcrypto needs (`EVP_PBE_scrypt` refuses anything over `maxmem`, 32 MiB by default,
    /// so it is given exactly what these parameters take plus a margin).
    var memoryBound: UInt64 { UInt64(128 * r) * (UInt64(1 << logN) + UInt64(p) + 2) + (1 << 20) }

    public var description: String { "ln=\(logN),r=\(r),p=\(p)" }
}

/// Password storage: scrypt with a random 16-byte salt, written as a self-describing string in
/// the PHC format, `$scrypt$ln=17,r=8,p=1$<salt>$<hash>` (unpadded standard base64). The cost
/// travels with each hash, so raising it later leaves old hashes verifiable (`needsRehash` says
/// when to replace one after a successful login).
///
/// Why scrypt: it is in libcrypto (no new dependency) and is memory-hard, so guessing on GPUs or
/// ASICs costs memory as well as time. The password bytes should be normalised by the caller
/// (Unicode NFC), so the same password typed on two keyboards hashes alike.
public enum PasswordHash {
    static let saltLength = 16
    static let keyLength = 32

    /// A new encoded hash of `password` with a fresh salt.
    public static func hash(_ password: some Collection<UInt8>, parameters: ScryptParameters = .recommended) throws(CryptoError) -> String {
        let salt = SecureRandom.bytes(count: saltLength)
        let key = try scrypt(password: password, salt: salt, parameters: parameters, length: keyLength)
        return "$scrypt$\(parameters)$\(Base64.encode(salt))$\(Base64.encode(key))"
    }

    /// Whether `password` is the one `encoded` was made from. The derived key is compared with
    /// `CRYPTO_memcmp`, whose time does not depend on where two keys differ. An unreadable or
    /// out-of-bounds `encoded` is simply false (it cannot match anything).
    public static func verify(_ password: some Collection<UInt8>, against encoded: String) -> Bool {
        guard let stored = Encoded(encoded),
              let key = try? scrypt(password: password, salt: stored.salt, parameters: stored.parameters, length: stored.key.count)
        else { return false }
        return HMACSHA256.constantTimeEquals(key, stored.key)
    }

    /// Whether `encoded` was made with a cost below `parameters` (or cannot be read): after a
    /// successful login the caller stores a new hash, so costs rise as users log in.
    public static func needsRehash(_ encoded: String, parameters: ScryptParameters = .recommended) -> Bool {
        guard let stored = Encoded(encoded) else { return true }
        return stored.parameters.logN < parameters.logN || stored.parameters.r < parameters.r || stored.parameters.p < parameters.p
    }

    /// The parameters an encoded hash was made with, or nil when it is not one of ours.
    public static func parameters(of encoded: String) -> ScryptParameters? { Encoded(encoded)?.parameters }

    /// Raw scrypt (RFC 7914 §2) through `EVP_PBE_scrypt`: `length` bytes derived from `password`
    /// and `salt`. Exposed for the RFC's test vectors.
    public static func scrypt(password: some Collection<UInt8>, salt: some Collection<UInt8>, parameters: ScryptParameters,
                              length: Int) throws(CryptoError) -> [UInt8] {
        guard parameters.isAcceptable, (1...1024).contains(length) else {
            throw CryptoError("parámetros de scrypt fuera de los límites admitidos (\(parameters), \(length) bytes)")
        }
        let salt = Array(salt)
        var key = [UInt8](repeating: 0, count: length)
        let status = withPasswordBytes(password) { password in
            salt.withUnsafeBufferPointer { salt in
                key.withUnsafeMutableBufferPointer { key in
                    // An empty password or salt arrives as a null pointer, which libcrypto reads as empty.
                    EVP_PBE_scrypt(password.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, password.count,
                                   salt.baseAddress, salt.count, UInt64(1) << UInt64(parameters.logN), UInt64(parameters.r),
                                   UInt64(parameters.p), parameters.memoryBound, key.baseAddress, key.count)
                }
            }
        }
        guard status == 1 else { throw CryptoError.openSSL("libcrypto no pudo calcular scrypt") }
        return key
    }

    /// A stored hash taken apart.
    struct Encoded {
        let parameters: ScryptParameters
        let salt: [UInt8]
        let key: [UInt8]

        init?(_ text: String) {
            let fields = text.split(separator: "$", omittingEmptySubsequences: false)
            guard fields.count == 5, fields[0].isEmpty, fields[1] == "scrypt" else { return nil }
            var values: [Substring: Int] = [:]
            for pair in fields[2].split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[1].count <= 3, let value = Int(parts[1]), values[parts[0]] == nil else { return nil }
                values[parts[0]] = value
            }
            guard values.count == 3, let logN = values["ln"], let r = values["r"], let p = values["p"],
                  let salt = Base64.decode(fields[3]), let key = Base64.decode(fields[4]),
                  (8...64).contains(salt.count), (16...64).contains(key.count) else { return nil }
            let parameters = ScryptParameters(logN: logN, r: r, p: p)
            guard parameters.isAcceptable else { return nil }
            self.parameters = parameters
            self.salt = salt
            self.key = key
        }
    }
}

/// The password as one buffer: in place when contiguous; otherwise through a copy that is scrubbed
/// afterwards, so this code leaves no copy of a password in freed memory (the caller owns its own).
private func withPasswordBytes<Result>(_ bytes: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
    if let result = bytes.withContiguousStorageIfAvailable(body) { return result }
    var copy = Array(bytes)
    defer { copy.withUnsafeMutableBytes { sintra_cleanse($0.baseAddress, $0.count) } }
    return copy.withUnsafeBufferPointer(body)
}

/// Unpadded standard base64 (RFC 4648 §4 without `=`), as the PHC string format writes salts and hashes.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var group = 0
            for (offset, byte) in chunk.enumerated() { group |= Int(byte) << (16 - 8 * offset) }
            for position in 0...chunk.count { out.append(alphabet[(group >> (18 - 6 * position)) & 63]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Nil for padding, characters outside the alphabet, a length no encoding produces, or
    /// leftover bits that are not zero (so each byte string has exactly one spelling).
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var values = [Int]()
        for character in text.utf8 {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            values.append(value)
        }
        guard values.count % 4 != 1 else { return nil }
        var out = [UInt8]()
        var index = 0
        while index < values.count {
            let chunk = values[index..<min(index + 4, values.count)]
            var group = 0
            for (offset, value) in chunk.enumerated() { group |= value << (18 - 6 * offset) }
            let produced = chunk.count - 1
            for position in 0..<produced { out.append(UInt8((group >> (16 - 8 * position)) & 0xFF)) }
            if group & ((1 << (24 - 8 * produced)) - 1) != 0 { return nil }
            index += 4
        }
        return out
    }
}
