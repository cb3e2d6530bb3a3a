internal import COpenSSL

/// SHA-256 through libcrypto's EVP interface: the hash that chains the event log.
///
/// Hashing cannot fail for a working libcrypto, so these functions do not throw; if libcrypto
/// does report a failure they trap rather than return a wrong digest, which would silently
/// break (or forge) the chain.
public enum SHA256 {
    /// The 32-byte digest of `bytes`. Arrays, slices and `Data` are hashed in place.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of the concatenation of `parts`, without building the concatenation (one
    /// `EVP_DigestUpdate` per part). The chain hashes `previous ‖ position ‖ … ‖ digest` this way.
    public static func hash(parts: [[UInt8]]) -> [UInt8] {
        var hasher = SHA256Hasher()
        for part in parts { hasher.update(part) }
        return hasher.finalize()
    }
}

/// The SHA-256 implementation, fetched from the default provider once per process. OpenSSL 3
/// would otherwise repeat a locked provider lookup on every `EVP_DigestInit_ex(…, EVP_sha256(), …)`,
/// which is measurable when hashing many small events. A fetched `EVP_MD` is immutable and
/// safe to share between threads; it is deliberately never freed.
nonisolated(unsafe) private let sha256Algorithm: OpaquePointer = {
    guard let algorithm = EVP_MD_fetch(nil, "SHA256", nil) else {
        fatalError("libcrypto no ofrece SHA-256: \(CryptoError.openSSL("EVP_MD_fetch"))")
    }
    return algorithm
}()

/// Incremental SHA-256 for inputs that arrive in pieces or are too large to hold at once
/// (exports, migration files). Non-copyable because it owns a libcrypto digest context, which
/// is freed exactly once: by `finalize()` or when the hasher is dropped.
public struct SHA256Hasher: ~Copyable {
    private let context: OpaquePointer

    public init() {
        guard let context = EVP_MD_CTX_new() else { fatalError("libcrypto no pudo crear un contexto SHA-256") }
        guard EVP_DigestInit_ex2(context, sha256Algorithm, nil) == 1 else {
            EVP_MD_CTX_free(context)
            fatalError("libcrypto no pudo iniciar SHA-256: \(CryptoError.openSSL("EVP_DigestInit_ex2"))")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Absorbs `bytes`. Contiguous collections go to libcrypto in place; others are copied in
    /// 16 KiB chunks, so a large lazy collection never needs a full-size copy.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        let context = self.context
        let done: Void? = bytes.withContiguousStorageIfAvailable { Self.absorb($0, into: context) }
        guard done == nil else { return }
        let chunkSize = 16 * 1024
        var chunk = [UInt8]()
        chunk.reserveCapacity(Swift.min(bytes.count, chunkSize))
        for byte in bytes {
            chunk.append(byte)
            if chunk.count == chunkSize {
                chunk.withUnsafeBufferPointer { Self.absorb($0, into: context) }
                chunk.removeAll(keepingCapacity: true)
            }
        }
        chunk.withUnsafeBufferPointer { Self.absorb($0, into: context) }
    }

    /// The 32-byte digest of everything absorbed. Consumes the hasher.
    public consuming func finalize() -> [UInt8] {
        let context = self.context
        var digest = [UInt8](repeating: 0, count: 32)
        let status = digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, nil) }
        guard status == 1 else { fatalError("libcrypto no pudo terminar SHA-256: \(CryptoError.openSSL("EVP_DigestFinal_ex"))") }
        return digest
    }

    private static func absorb(_ buffer: UnsafeBufferPointer<UInt8>, into context: OpaquePointer) {
        guard !buffer.isEmpty else { return }
        guard EVP_DigestUpdate(context, buffer.baseAddress, buffer.count) == 1 else {
            fatalError("libcrypto no pudo procesar datos SHA-256: \(CryptoError.openSSL("EVP_DigestUpdate"))")
        }
    }
}
