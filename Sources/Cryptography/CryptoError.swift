internal import COpenSSL

/// What went wrong in a cryptographic operation. The message is in Spanish because it reaches
/// the people who run SINTRA (for instance, "the key file is damaged"); when libcrypto knows the
/// reason, its own (English) reason string is appended in parentheses.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    /// `message` plus the oldest reason in this thread's libcrypto error queue, which is then
    /// emptied so that a stale reason cannot be blamed on a later, unrelated failure.
    static func openSSL(_ message: String) -> CryptoError {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return CryptoError(message) }
        let reason = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
            buffer.initialize(repeating: 0)
            ERR_error_string_n(code, buffer.baseAddress, buffer.count)
            return String(cString: buffer.baseAddress!)
        }
        return CryptoError("\(message) (\(reason))")
    }
}

/// Bytes from libcrypto's CSPRNG (seeded by the operating system).
public enum SecureRandom {
    /// `count` unpredictable bytes. Traps only if the CSPRNG itself fails: there is no safe way
    /// to continue without randomness, and callers should not have to handle it.
    public static func bytes(count: Int) -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max), "SecureRandom.bytes: cantidad fuera de rango")
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        guard status == 1 else { fatalError("el generador de números aleatorios de libcrypto falló") }
        return bytes
    }
}

/// Runs `body` over `bytes` as one contiguous buffer: in place when the collection already
/// has contiguous storage (arrays, `Data`, array slices), through a temporary copy otherwise.
/// The pointer is valid only during `body`.
func withContiguousBytes<Bytes: Collection<UInt8>, Result>(
    _ bytes: Bytes, _ body: (UnsafeBufferPointer<UInt8>) -> Result
) -> Result {
    if let result = bytes.withContiguousStorageIfAvailable(body) { return result }
    return Array(bytes).withUnsafeBufferPointer(body)
}
