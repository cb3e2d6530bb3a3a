internal import COpenSSL

/// An Ed25519 signing key: the outside auditor's, which signs checkpoints (position, head hash,
/// time) of the event log.
///
/// Kept as its 32-byte seed so the value is trivially `Sendable`; libcrypto's `EVP_PKEY` is
/// built for each operation and freed right after (libcrypto scrubs its copy when freeing).
/// `description`, `debugDescription` and the mirror hide the seed, so printing or dumping a
/// key cannot leak it into logs.
public struct Ed25519PrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The 32-byte seed (RFC 8032's "secret key").
    public let rawRepresentation: [UInt8]

    /// A new random key (`EVP_PKEY_keygen`). Traps only if libcrypto's key generation, that is
    /// its CSPRNG, fails.
    public init() {
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else {
            fatalError("libcrypto no pudo crear un contexto Ed25519: \(CryptoError.openSSL("EVP_PKEY_CTX_new_id"))")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var generated: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_keygen(context, &generated) == 1, let key = generated else {
            fatalError("libcrypto no pudo generar una llave Ed25519: \(CryptoError.openSSL("EVP_PKEY_keygen"))")
        }
        defer { EVP_PKEY_free(key) }
        guard let seed = rawKey(key, part: .privateSeed) else {
            fatalError("libcrypto no entregó la llave Ed25519 generada: \(CryptoError.openSSL("EVP_PKEY_get_raw_private_key"))")
        }
        self.rawRepresentation = seed
    }

    /// A key from its 32-byte seed. Every 32-byte string is a valid seed.
    public init(rawRepresentation: [UInt8]) throws(CryptoError) {
        guard rawRepresentation.count == 32 else {
            throw CryptoError("una llave privada Ed25519 mide 32 bytes, no \(rawRepresentation.count)")
        }
        self.rawRepresentation = rawRepresentation
    }

    /// The matching public key, which verifiers are given.
    public var publicKey: Ed25519PublicKey {
        // A 32-byte seed is always a valid key: failing here means libcrypto itself is broken.
        guard let key = makeKey() else {
            fatalError("libcrypto rechazó una semilla Ed25519: \(CryptoError.openSSL("EVP_PKEY_new_raw_private_key"))")
        }
        defer { EVP_PKEY_free(key) }
        guard let raw = rawKey(key, part: .publicKey) else {
            fatalError("libcrypto no pudo derivar la llave pública Ed25519: \(CryptoError.openSSL("EVP_PKEY_get_raw_public_key"))")
        }
        return Ed25519PublicKey(unchecked: raw)
    }

    /// The 64-byte Ed25519 signature (pure Ed25519, deterministic) of `message`.
    public func signature(for message: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
        guard let key = makeKey() else { throw .openSSL("llave privada Ed25519 no válida") }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { throw .openSSL("no se pudo crear el contexto de firma") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1 else { throw .openSSL("no se pudo iniciar la firma Ed25519") }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = signature.count
        let status = withContiguousBytes(message) { input in
            signature.withUnsafeMutableBufferPointer { output in
                EVP_DigestSign(context, output.baseAddress, &length, input.baseAddress, input.count)
            }
        }
        guard status == 1, length == 64 else { throw .openSSL("no se pudo firmar con la llave Ed25519") }
        return signature
    }

    public var description: String { "Ed25519PrivateKey(<oculta>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }

    /// A fresh `EVP_PKEY` for the seed; the caller frees it.
    private func makeKey() -> OpaquePointer? {
        rawRepresentation.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, $0.count)
        }
    }
}

/// An Ed25519 verification key: what an auditor publishes so anyone can check checkpoints.
public struct Ed25519PublicKey: Sendable, Equatable {
    /// The 32-byte encoded point (RFC 8032).
    public let rawRepresentation: [UInt8]

    /// A key from its 32 bytes. Only the length is checked here; bytes that do not encode a
    /// curve point simply never verify any signature.
    public init(rawRepresentation: [UInt8]) throws(CryptoError) {
        guard rawRepresentation.count == 32 else {
            throw CryptoError("una llave pública Ed25519 mide 32 bytes, no \(rawRepresentation.count)")
        }
        self.rawRepresentation = rawRepresentation
    }

    fileprivate init(unchecked raw: [UInt8]) { self.rawRepresentation = raw }

    /// Whether `signature` is this key's Ed25519 signature of `message`. Any failure, including
    /// a signature of the wrong length, is simply `false`.
    public func isValidSignature(_ signature: [UInt8], for message: some Collection<UInt8>) -> Bool {
        // A rejected signature may leave reasons in libcrypto's per-thread queue; drop them so
        // they are not reported with a later, unrelated error.
        defer { ERR_clear_error() }
        guard signature.count == 64 else { return false }
        let created = rawRepresentation.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, $0.count)
        }
        guard let key = created else { return false }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else { return false }
        let status = withContiguousBytes(message) { input in
            signature.withUnsafeBufferPointer { signed in
                EVP_DigestVerify(context, signed.baseAddress, signed.count, input.baseAddress, input.count)
            }
        }
        return status == 1
    }
}

private enum KeyPart { case privateSeed, publicKey }

/// The raw 32 bytes of one half of an Ed25519 `EVP_PKEY`, or nil if libcrypto refuses.
private func rawKey(_ key: OpaquePointer, part: KeyPart) -> [UInt8]? {
    var raw = [UInt8](repeating: 0, count: 32)
    var length = raw.count
    let status = raw.withUnsafeMutableBufferPointer { buffer in
        switch part {
        case .privateSeed: EVP_PKEY_get_raw_private_key(key, buffer.baseAddress, &length)
        case .publicKey: EVP_PKEY_get_raw_public_key(key, buffer.baseAddress, &length)
        }
    }
    guard status == 1, length == 32 else { return nil }
    return raw
}
