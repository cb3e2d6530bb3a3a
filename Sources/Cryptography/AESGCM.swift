internal import COpenSSL

/// AES-256-GCM through libcrypto's EVP interface: authenticated encryption, so data sealed with
/// a key can be read back only with that key, and any change to the sealed bytes (or to the
/// associated data they were sealed with) is detected instead of decrypting to garbage.
///
/// A sealed value is self-contained: `nonce (12) ‖ ciphertext ‖ tag (16)`, the ciphertext being
/// as long as the plaintext. The nonce is random, so callers never manage nonces; GCM loses both
/// secrecy and authenticity if a nonce repeats under one key, and with 96-bit random nonces that
/// stays negligible as long as a key seals fewer than 2³² values (NIST SP 800-38D §8.3).
public enum AESGCM {
    /// Key length in bytes (AES-256).
    public static let keySize = 32
    /// Nonce (GCM's IV) length in bytes: 96 bits, the length GCM is designed and fastest for.
    public static let nonceSize = 12
    /// Authentication tag length in bytes: the full 128 bits, never truncated.
    public static let tagSize = 16

    /// `plaintext` encrypted and authenticated under `key` (32 bytes), together with
    /// `associatedData`, which is authenticated but neither encrypted nor included in the result:
    /// the caller must present the same bytes to `open` (for instance, the identifier of the record
    /// the value belongs to, so a sealed value cannot be moved to another record unnoticed).
    ///
    /// Returns `nonce (12 random bytes from SecureRandom) ‖ ciphertext ‖ tag (16)`. Sealing the
    /// same plaintext twice gives different results.
    public static func seal(
        _ plaintext: some Collection<UInt8>, key: [UInt8], associatedData: some Collection<UInt8>
    ) throws(CryptoError) -> [UInt8] {
        try checkKeySize(key)
        return try seal(plaintext, key: key, nonce: SecureRandom.bytes(count: nonceSize), associatedData: associatedData)
    }

    /// `seal` with a chosen nonce, for published test vectors. Internal on purpose: a caller that
    /// picks nonces can repeat one, which breaks GCM; everything else uses the random-nonce `seal`.
    static func seal(
        _ plaintext: some Collection<UInt8>, key: [UInt8], nonce: [UInt8], associatedData: some Collection<UInt8>
    ) throws(CryptoError) -> [UInt8] {
        try checkKeySize(key)
        guard nonce.count == nonceSize else {
            throw CryptoError("un nonce AES-256-GCM mide \(nonceSize) bytes, no \(nonce.count)")
        }
        return try withContiguousBytes(plaintext, associatedData) { plaintext, associatedData throws(CryptoError) in
            try encrypt(plaintext, key: key, nonce: nonce, associatedData: associatedData)
        }
    }

    /// The plaintext of a value `seal` produced with `key` and `associatedData`.
    ///
    /// The tag is checked before anything is returned: a wrong key, any changed byte (nonce,
    /// ciphertext or tag) or different associated data throws
    /// `CryptoError("los datos cifrados no se pudieron autenticar: clave equivocada o datos alterados")`.
    /// GCM cannot tell these cases apart, and no partially decrypted bytes are ever released.
    public static func open(
        _ sealed: some Collection<UInt8>, key: [UInt8], associatedData: some Collection<UInt8>
    ) throws(CryptoError) -> [UInt8] {
        try checkKeySize(key)
        return try withContiguousBytes(sealed, associatedData) { sealed, associatedData throws(CryptoError) in
            try decrypt(sealed, key: key, associatedData: associatedData)
        }
    }

    private static let authenticationFailure = CryptoError("los datos cifrados no se pudieron autenticar: clave equivocada o datos alterados")

    private static func checkKeySize(_ key: [UInt8]) throws(CryptoError) {
        guard key.count == keySize else {
            throw CryptoError("una clave AES-256-GCM mide \(keySize) bytes, no \(key.count)")
        }
    }

    private static func encrypt(
        _ plaintext: UnsafeBufferPointer<UInt8>, key: [UInt8], nonce: [UInt8], associatedData: UnsafeBufferPointer<UInt8>
    ) throws(CryptoError) -> [UInt8] {
        guard let context = EVP_CIPHER_CTX_new() else { throw .openSSL("no se pudo crear el contexto de cifrado AES-256-GCM") }
        // Freeing the context also scrubs libcrypto's copy of the key schedule.
        defer { EVP_CIPHER_CTX_free(context) }
        let started = key.withUnsafeBufferPointer { key in
            nonce.withUnsafeBufferPointer { nonce in
                EVP_EncryptInit_ex2(context, aes256GCMAlgorithm, key.baseAddress, nonce.baseAddress, nil)
            }
        }
        guard started == 1 else { throw .openSSL("no se pudo iniciar el cifrado AES-256-GCM") }
        guard update(context, associatedData, into: nil) != nil else {
            throw .openSSL("no se pudieron autenticar los datos asociados con AES-256-GCM")
        }
        var sealed = nonce
        sealed.append(contentsOf: repeatElement(0, count: plaintext.count + tagSize))
        let sealedAll = sealed.withUnsafeMutableBufferPointer { sealed in
            let ciphertext = sealed.baseAddress! + nonceSize
            guard update(context, plaintext, into: ciphertext) == plaintext.count, finish(context) else { return false }
            return EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(tagSize), ciphertext + plaintext.count) == 1
        }
        guard sealedAll else { throw .openSSL("no se pudo cifrar con AES-256-GCM") }
        return sealed
    }

    private static func decrypt(
        _ sealed: UnsafeBufferPointer<UInt8>, key: [UInt8], associatedData: UnsafeBufferPointer<UInt8>
    ) throws(CryptoError) -> [UInt8] {
        guard sealed.count >= nonceSize + tagSize else {
            throw CryptoError("los datos cifrados están truncados: miden \(sealed.count) bytes y el nonce y la etiqueta ya ocupan \(nonceSize + tagSize)")
        }
        let nonce = UnsafeBufferPointer(rebasing: sealed[..<nonceSize])
        let ciphertext = UnsafeBufferPointer(rebasing: sealed[nonceSize..<(sealed.count - tagSize)])
        let tag = UnsafeBufferPointer(rebasing: sealed[(sealed.count - tagSize)...])

        guard let context = EVP_CIPHER_CTX_new() else { throw .openSSL("no se pudo crear el contexto de descifrado AES-256-GCM") }
        defer { EVP_CIPHER_CTX_free(context) }
        let started = key.withUnsafeBufferPointer { key in
            EVP_DecryptInit_ex2(context, aes256GCMAlgorithm, key.baseAddress, nonce.baseAddress, nil)
        }
        guard started == 1 else { throw .openSSL("no se pudo iniciar el descifrado AES-256-GCM") }
        guard update(context, associatedData, into: nil) != nil else {
            throw .openSSL("no se pudieron autenticar los datos asociados con AES-256-GCM")
        }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        // Until the tag is verified the decrypted bytes are unauthenticated, possibly chosen by an
        // attacker: on any failure they are scrubbed, never returned.
        let written = plaintext.withUnsafeMutableBufferPointer { update(context, ciphertext, into: $0.baseAddress) }
        guard written == ciphertext.count else {
            scrub(&plaintext)
            throw .openSSL("no se pudo descifrar con AES-256-GCM")
        }
        // libcrypto only reads the expected tag; its parameter is non-const for the GET direction.
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(tagSize), UnsafeMutableRawPointer(mutating: tag.baseAddress)) == 1 else {
            scrub(&plaintext)
            throw .openSSL("no se pudo entregar la etiqueta a AES-256-GCM")
        }
        guard finish(context) else {
            scrub(&plaintext)
            // A mismatching tag is the expected outcome here, not a libcrypto fault: report it
            // without libcrypto's reason and drop whatever the failure left in the error queue.
            ERR_clear_error()
            throw authenticationFailure
        }
        return plaintext
    }

    /// Feeds `input` to `EVP_CipherUpdate`, writing the transformed bytes to `output`, or, when
    /// `output` is nil, authenticating `input` as associated data. libcrypto takes `int` lengths,
    /// so the input goes in pieces of at most 1 GiB. Returns how many bytes were written (GCM is a
    /// stream mode: as many as went in), or nil if libcrypto failed.
    private static func update(
        _ context: OpaquePointer, _ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<UInt8>?
    ) -> Int? {
        let pieceSize = 1 << 30
        var offset = 0
        var written = 0
        while offset < input.count {
            let length = Swift.min(input.count - offset, pieceSize)
            var produced: Int32 = 0
            let status = EVP_CipherUpdate(context, output.map { $0 + written }, &produced, input.baseAddress! + offset, Int32(length))
            guard status == 1 else { return nil }
            offset += length
            written += Int(produced)
        }
        return written
    }

    /// `EVP_CipherFinal_ex`: computes the tag when sealing, compares it when opening. GCM writes
    /// no bytes here, but libcrypto still expects somewhere to write them.
    private static func finish(_ context: OpaquePointer) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { spare in
            var produced: Int32 = 0
            return EVP_CipherFinal_ex(context, spare.baseAddress, &produced) == 1 && produced == 0
        }
    }

    private static func scrub(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { sintra_cleanse($0.baseAddress, $0.count) }
    }
}

/// The AES-256-GCM implementation, fetched from the default provider once per process for the
/// same reason as `sha256Algorithm` (no locked provider lookup on every seal or open). A fetched
/// `EVP_CIPHER` is immutable and safe to share between threads; it is deliberately never freed.
nonisolated(unsafe) private let aes256GCMAlgorithm: OpaquePointer = {
    guard let algorithm = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil) else {
        fatalError("libcrypto no ofrece AES-256-GCM: \(CryptoError.openSSL("EVP_CIPHER_fetch"))")
    }
    return algorithm
}()

/// `withContiguousBytes` over two collections at once, for a body that throws: the error is
/// carried out of the non-throwing closures as a `Result` and rethrown here.
private func withContiguousBytes<Output>(
    _ first: some Collection<UInt8>, _ second: some Collection<UInt8>,
    _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) throws(CryptoError) -> Output
) throws(CryptoError) -> Output {
    let outcome: Result<Output, CryptoError> = withContiguousBytes(first) { first in
        withContiguousBytes(second) { second in
            do throws(CryptoError) {
                return .success(try body(first, second))
            } catch {
                return .failure(error)
            }
        }
    }
    return try outcome.get()
}
