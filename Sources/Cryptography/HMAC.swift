internal import COpenSSL

/// HMAC-SHA-256 (RFC 2104, FIPS 198-1) through libcrypto's `EVP_MAC` interface: a 32-byte code
/// that only holders of the key can compute, so a matching code shows that the message was
/// produced by one of them and not changed since.
///
/// Like `SHA256`, computing a code cannot fail for a working libcrypto, so these functions do
/// not throw; if libcrypto does report a failure they trap rather than return a wrong code.
public enum HMACSHA256 {
    /// The 32-byte HMAC-SHA-256 of `message` under `key`. Keys of any length are accepted; keys
    /// longer than SHA-256's 64-byte block are hashed first, as RFC 2104 specifies. Contiguous
    /// collections are read in place; others are copied (a copy of the key is scrubbed afterwards).
    public static func authenticationCode(for message: some Collection<UInt8>, key: some Collection<UInt8>) -> [UInt8] {
        guard let context = EVP_MAC_CTX_new(hmacAlgorithm) else {
            fatalError("libcrypto no pudo crear un contexto HMAC: \(CryptoError.openSSL("EVP_MAC_CTX_new"))")
        }
        // Freeing the context also scrubs libcrypto's copy of the key.
        defer { EVP_MAC_CTX_free(context) }
        guard withSecretBytes(key, { initialize(context, key: $0) }) else {
            fatalError("libcrypto no pudo iniciar HMAC-SHA-256: \(CryptoError.openSSL("EVP_MAC_init"))")
        }
        let absorbed = withContiguousBytes(message) { input in
            input.isEmpty || EVP_MAC_update(context, input.baseAddress, input.count) == 1
        }
        guard absorbed else {
            fatalError("libcrypto no pudo procesar datos HMAC-SHA-256: \(CryptoError.openSSL("EVP_MAC_update"))")
        }
        var code = [UInt8](repeating: 0, count: 32)
        var length = 0
        let status = code.withUnsafeMutableBufferPointer { EVP_MAC_final(context, $0.baseAddress, &length, $0.count) }
        guard status == 1, length == 32 else {
            fatalError("libcrypto no pudo terminar HMAC-SHA-256: \(CryptoError.openSSL("EVP_MAC_final"))")
        }
        return code
    }

    /// Whether `code` is the HMAC-SHA-256 of `message` under `key`, compared with
    /// `constantTimeEquals`. Prefer this to comparing codes with `==`.
    public static func isValidAuthenticationCode(
        _ code: [UInt8], for message: some Collection<UInt8>, key: some Collection<UInt8>
    ) -> Bool {
        constantTimeEquals(authenticationCode(for: message, key: key), code)
    }

    /// Whether `a` and `b` hold the same bytes, in a time that does not depend on where they
    /// differ (`CRYPTO_memcmp`). `==` stops at the first differing byte, so timing it would let an
    /// attacker guess a valid code byte by byte. Arrays of different lengths are unequal at once:
    /// the length of a code is not secret.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBytes { a in
            b.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0 }
        }
    }

    /// `EVP_MAC_init` with `key` and SHA-256 as the digest. The digest is named on every call
    /// (a parameter list cannot be kept on a context without a key); only the MAC is fetched once.
    private static func initialize(_ context: OpaquePointer, key: UnsafeBufferPointer<UInt8>) -> Bool {
        var digestName = Array("SHA256".utf8CString)
        return OSSL_MAC_PARAM_DIGEST.withCString { parameterName in
            digestName.withUnsafeMutableBufferPointer { digestName in
                let parameters = [
                    OSSL_PARAM_construct_utf8_string(parameterName, digestName.baseAddress, 0),
                    OSSL_PARAM_construct_end(),
                ]
                // An empty key still needs a non-null pointer: given a null key, EVP_MAC_init keeps
                // the context's previous key, and a new context has none, so it would fail.
                return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1) { placeholder in
                    EVP_MAC_init(context, key.baseAddress ?? UnsafePointer(placeholder.baseAddress), key.count, parameters) == 1
                }
            }
        }
    }
}

/// The HMAC implementation, fetched from the default provider once per process for the same
/// reason as `sha256Algorithm`. A fetched `EVP_MAC` is immutable and safe to share between
/// threads; it is deliberately never freed.
nonisolated(unsafe) private let hmacAlgorithm: OpaquePointer = {
    guard let algorithm = EVP_MAC_fetch(nil, "HMAC", nil) else {
        fatalError("libcrypto no ofrece HMAC: \(CryptoError.openSSL("EVP_MAC_fetch"))")
    }
    return algorithm
}()

/// `withContiguousBytes` for key material: a temporary copy, made only for non-contiguous
/// collections, is scrubbed once `body` returns instead of being left in freed memory.
private func withSecretBytes<Result>(_ bytes: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
    if let result = bytes.withContiguousStorageIfAvailable(body) { return result }
    var copy = Array(bytes)
    defer { copy.withUnsafeMutableBytes { sintra_cleanse($0.baseAddress, $0.count) } }
    return copy.withUnsafeBufferPointer(body)
}
