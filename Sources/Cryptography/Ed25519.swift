internal import COpenSSL

public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// The message plus libcrypto's own reason, when it has one.
    static func openSSL(_ message: String) -> CryptoError {
        let code = ERR_get_error()
        guard code != 0 else { return CryptoError(message) }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        let reason = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return CryptoError("\(message) (\(reason))")
    }
}

/// An Ed25519 signing key: the auditor's, for checkpoints. Kept as its 32-byte seed so the
/// value is trivially `Sendable`; libcrypto's key object is built per operation.
public struct Ed25519PrivateKey: Sendable {
    public let rawRepresentation: [UInt8]

    public init() {
        self.rawRepresentation = SecureRandom.bytes(count: 32)
    }

    public init(rawRepresentation: [UInt8]) throws(CryptoError) {
        guard rawRepresentation.count == 32 else { throw CryptoError("una llave privada Ed25519 mide 32 bytes, no \(rawRepresentation.count)") }
        self.rawRepresentation = rawRepresentation
    }

    public var publicKey: Ed25519PublicKey {
        // A 32-byte seed is always a valid key, so these cannot fail short of libcrypto breaking.
        let key = try! withKey { $0 }
        defer { EVP_PKEY_free(key) }
        var raw = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_public_key(key, &raw, &length) == 1, length == 32 else {
            fatalError("libcrypto could not derive an Ed25519 public key")
        }
        return try! Ed25519PublicKey(rawRepresentation: raw)
    }

    public func signature(for message: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
        let key = try withKey { $0 }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { throw .openSSL("no se pudo crear el contexto de firma") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1 else { throw .openSSL("no se pudo iniciar la firma Ed25519") }
        let bytes = Array(message)
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        let status = bytes.withUnsafeBufferPointer { input in
            EVP_DigestSign(context, &signature, &length, input.baseAddress, input.count)
        }
        guard status == 1, length == 64 else { throw .openSSL("no se pudo firmar") }
        return signature
    }

    private func withKey<T>(_ body: (OpaquePointer) -> T) throws(CryptoError) -> T {
        var seed = rawRepresentation
        defer { seed.withUnsafeMutableBytes { sintra_cleanse($0.baseAddress, $0.count) } }
        guard let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, seed.count) else {
            throw .openSSL("llave privada Ed25519 no válida")
        }
        return body(key)
    }
}

public struct Ed25519PublicKey: Sendable, Equatable {
    public let rawRepresentation: [UInt8]

    public init(rawRepresentation: [UInt8]) throws(CryptoError) {
        guard rawRepresentation.count == 32 else { throw CryptoError("una llave pública Ed25519 mide 32 bytes, no \(rawRepresentation.count)") }
        self.rawRepresentation = rawRepresentation
    }

    public func isValidSignature(_ signature: [UInt8], for message: some Collection<UInt8>) -> Bool {
        guard signature.count == 64,
              let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, rawRepresentation, rawRepresentation.count)
        else { return false }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else { return false }
        let bytes = Array(message)
        return bytes.withUnsafeBufferPointer { input in
            EVP_DigestVerify(context, signature, signature.count, input.baseAddress, input.count)
        } == 1
    }
}

public enum SecureRandom {
    public static func bytes(count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { fatalError("the system's random number generator failed") }
        return bytes
    }
}
