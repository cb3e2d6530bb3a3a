@testable import Cryptography
import Testing

@Suite struct AESGCMTests {
    private static let authenticationFailure = CryptoError("los datos cifrados no se pudieron autenticar: clave equivocada o datos alterados")

    /// McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", test cases 13–16 (the
    /// AES-256 ones): key, IV, plaintext, associated data, ciphertext, tag.
    @Test(arguments: [
        ("test case 13", String(repeating: "00", count: 32), String(repeating: "00", count: 12), "", "", "",
         "530f8afbc74536b9a963b4f1c4cb738b"),
        ("test case 14", String(repeating: "00", count: 32), String(repeating: "00", count: 12), String(repeating: "00", count: 16), "",
         "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"),
        ("test case 15", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
         "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
         "",
         "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
         "b094dac5d93471bdec1a502270e3cc6c"),
        ("test case 16", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
         "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
         "feedfacedeadbeeffeedfacedeadbeefabaddad2",
         "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
         "76fc6ece0f4e1768cddf8853bb2d551b"),
    ])
    func gcmSpecVectors(name: String, key: String, nonce: String, plaintext: String, associatedData: String,
                        ciphertext: String, tag: String) throws {
        let key = try #require(Hex.decode(key)), nonce = try #require(Hex.decode(nonce))
        let plaintext = try #require(Hex.decode(plaintext)), associatedData = try #require(Hex.decode(associatedData))
        let sealed = try AESGCM.seal(plaintext, key: key, nonce: nonce, associatedData: associatedData)
        #expect(Hex.encode(sealed) == Hex.encode(nonce) + ciphertext + tag)
        #expect(try AESGCM.open(sealed, key: key, associatedData: associatedData) == plaintext)
        // Non-contiguous inputs take the copying path and give the same bytes.
        #expect(try AESGCM.seal(plaintext.lazy.map { $0 }, key: key, nonce: nonce, associatedData: associatedData.lazy.map { $0 }) == sealed)
        #expect(try AESGCM.open(sealed.lazy.map { $0 }, key: key, associatedData: associatedData.lazy.map { $0 }) == plaintext)
    }

    @Test func roundTripsEveryLength() throws {
        let key = SecureRandom.bytes(count: AESGCM.keySize)
        let associatedData = Array("evento 42".utf8)
        for count in [0, 1, 15, 16, 17, 255, 4_096, 70_001] {
            let plaintext = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let sealed = try AESGCM.seal(plaintext, key: key, associatedData: associatedData)
            #expect(sealed.count == AESGCM.nonceSize + count + AESGCM.tagSize)
            #expect(try AESGCM.open(sealed, key: key, associatedData: associatedData) == plaintext)
            #expect(try AESGCM.open(sealed[...], key: key, associatedData: associatedData[...]) == plaintext)
        }
        // Associated data may be empty, and a slice of a larger buffer works in place.
        let sealed = try AESGCM.seal(Array("secreto".utf8), key: key, associatedData: [UInt8]())
        let buffer = [9, 9] + sealed + [9]
        #expect(try AESGCM.open(buffer[2..<(2 + sealed.count)], key: key, associatedData: [UInt8]()) == Array("secreto".utf8))
    }

    @Test func twoSealsOfTheSamePlaintextDiffer() throws {
        let key = SecureRandom.bytes(count: AESGCM.keySize)
        let plaintext = Array("la misma contraseña".utf8)
        let first = try AESGCM.seal(plaintext, key: key, associatedData: [UInt8]())
        let second = try AESGCM.seal(plaintext, key: key, associatedData: [UInt8]())
        #expect(first != second)
        #expect(first.prefix(AESGCM.nonceSize) != second.prefix(AESGCM.nonceSize))
        #expect(try AESGCM.open(first, key: key, associatedData: [UInt8]()) == plaintext)
        #expect(try AESGCM.open(second, key: key, associatedData: [UInt8]()) == plaintext)
    }

    @Test func changingAnyByteFailsAuthentication() throws {
        let key = SecureRandom.bytes(count: AESGCM.keySize)
        let associatedData = Array("registro 7".utf8)
        let sealed = try AESGCM.seal(Array("saldo: 1000".utf8), key: key, associatedData: associatedData)
        // Every byte: the nonce, the ciphertext and the tag.
        for index in sealed.indices {
            for flip: UInt8 in [0x01, 0x80] {
                var tampered = sealed
                tampered[index] ^= flip
                #expect(throws: Self.authenticationFailure) { try AESGCM.open(tampered, key: key, associatedData: associatedData) }
            }
        }
        #expect(throws: Self.authenticationFailure) { try AESGCM.open(sealed + [0], key: key, associatedData: associatedData) }
        #expect(throws: Self.authenticationFailure) { try AESGCM.open(sealed.dropLast(), key: key, associatedData: associatedData) }
        #expect(throws: Self.authenticationFailure) { try AESGCM.open(sealed.dropFirst(), key: key, associatedData: associatedData) }
    }

    @Test func differentAssociatedDataFailsAuthentication() throws {
        let key = SecureRandom.bytes(count: AESGCM.keySize)
        let sealed = try AESGCM.seal(Array("saldo: 1000".utf8), key: key, associatedData: Array("registro 7".utf8))
        for other in ["registro 8", "registro 7 ", "", "Registro 7"] {
            #expect(throws: Self.authenticationFailure) { try AESGCM.open(sealed, key: key, associatedData: Array(other.utf8)) }
        }
        let unbound = try AESGCM.seal(Array("saldo: 1000".utf8), key: key, associatedData: [UInt8]())
        #expect(throws: Self.authenticationFailure) { try AESGCM.open(unbound, key: key, associatedData: [0]) }
    }

    @Test func wrongKeyFailsAuthentication() throws {
        let key = SecureRandom.bytes(count: AESGCM.keySize)
        let sealed = try AESGCM.seal(Array("saldo: 1000".utf8), key: key, associatedData: [UInt8]())
        #expect(throws: Self.authenticationFailure) {
            try AESGCM.open(sealed, key: SecureRandom.bytes(count: AESGCM.keySize), associatedData: [UInt8]())
        }
        var nearlyTheKey = key
        nearlyTheKey[31] ^= 1
        #expect(throws: Self.authenticationFailure) { try AESGCM.open(sealed, key: nearlyTheKey, associatedData: [UInt8]()) }
        // An empty plaintext is still authenticated.
        let empty = try AESGCM.seal([UInt8](), key: key, associatedData: [UInt8]())
        #expect(throws: Self.authenticationFailure) { try AESGCM.open(empty, key: nearlyTheKey, associatedData: [UInt8]()) }
    }

    @Test func wrongLengthsThrowInSpanish() throws {
        for count in [0, 16, 24, 31, 33, 64] {
            let key = [UInt8](repeating: 1, count: count)
            #expect(throws: CryptoError("una clave AES-256-GCM mide 32 bytes, no \(count)")) {
                try AESGCM.seal([1, 2, 3], key: key, associatedData: [UInt8]())
            }
            #expect(throws: CryptoError("una clave AES-256-GCM mide 32 bytes, no \(count)")) {
                try AESGCM.open([UInt8](repeating: 0, count: 40), key: key, associatedData: [UInt8]())
            }
        }
        let key = SecureRandom.bytes(count: AESGCM.keySize)
        for count in [0, 11, 27] {
            #expect(throws: CryptoError("los datos cifrados están truncados: miden \(count) bytes y el nonce y la etiqueta ya ocupan 28")) {
                try AESGCM.open([UInt8](repeating: 0, count: count), key: key, associatedData: [UInt8]())
            }
        }
        for count in [0, 8, 16] {
            #expect(throws: CryptoError("un nonce AES-256-GCM mide 12 bytes, no \(count)")) {
                try AESGCM.seal([1], key: key, nonce: [UInt8](repeating: 0, count: count), associatedData: [UInt8]())
            }
        }
    }
}

@Suite struct HMACSHA256Tests {
    /// RFC 4231 §4, test cases 1–4, 6 and 7 (case 5 is a truncated output, which this API does
    /// not offer). Cases 6 and 7 use a 131-byte key, longer than SHA-256's 64-byte block.
    @Test(arguments: [
        ("test case 1", String(repeating: "0b", count: 20), Hex.encode("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        ("test case 2", Hex.encode("Jefe".utf8), Hex.encode("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ("test case 3", String(repeating: "aa", count: 20), String(repeating: "dd", count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ("test case 4", "0102030405060708090a0b0c0d0e0f10111213141516171819", String(repeating: "cd", count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ("test case 6", String(repeating: "aa", count: 131), Hex.encode("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ("test case 7", String(repeating: "aa", count: 131),
         Hex.encode("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ])
    func rfc4231Vectors(name: String, key: String, message: String, code: String) throws {
        let key = try #require(Hex.decode(key)), message = try #require(Hex.decode(message))
        let computed = HMACSHA256.authenticationCode(for: message, key: key)
        #expect(Hex.encode(computed) == code)
        // Slices and lazy (non-contiguous) collections authenticate the same bytes.
        #expect(HMACSHA256.authenticationCode(for: message[...], key: key[...]) == computed)
        #expect(HMACSHA256.authenticationCode(for: message.lazy.map { $0 }, key: key.lazy.map { $0 }) == computed)
        #expect(HMACSHA256.isValidAuthenticationCode(computed, for: message, key: key))
    }

    @Test func emptyKeyAndMessage() {
        // Python's hmac.new(b"", b"", hashlib.sha256).hexdigest().
        let expected = "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"
        #expect(Hex.encode(HMACSHA256.authenticationCode(for: [UInt8](), key: [UInt8]())) == expected)
        #expect(Hex.encode(HMACSHA256.authenticationCode(for: EmptyCollection<UInt8>(), key: EmptyCollection<UInt8>())) == expected)
        #expect(HMACSHA256.authenticationCode(for: [UInt8](), key: [1]) != HMACSHA256.authenticationCode(for: [UInt8](), key: [UInt8]()))
        // RFC 2104 pads short keys with zeros to the block size, so trailing zero bytes do not count.
        #expect(HMACSHA256.authenticationCode(for: [UInt8](), key: [0]) == HMACSHA256.authenticationCode(for: [UInt8](), key: [UInt8]()))
    }

    @Test func codesDependOnKeyAndMessage() {
        let key = SecureRandom.bytes(count: 32), message = Array("posición 42".utf8)
        let code = HMACSHA256.authenticationCode(for: message, key: key)
        #expect(code.count == 32)
        #expect(HMACSHA256.authenticationCode(for: message, key: key) == code)
        #expect(!HMACSHA256.isValidAuthenticationCode(code, for: message + [0], key: key))
        #expect(!HMACSHA256.isValidAuthenticationCode(code, for: message, key: SecureRandom.bytes(count: 32)))
        var tampered = code
        tampered[31] ^= 1
        #expect(!HMACSHA256.isValidAuthenticationCode(tampered, for: message, key: key))
        #expect(!HMACSHA256.isValidAuthenticationCode(Array(code.prefix(16)), for: message, key: key))
    }

    @Test func constantTimeEquals() {
        #expect(HMACSHA256.constantTimeEquals([], []))
        #expect(HMACSHA256.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!HMACSHA256.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!HMACSHA256.constantTimeEquals([0, 2, 3], [1, 2, 3]))
        #expect(!HMACSHA256.constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(!HMACSHA256.constantTimeEquals([], [0]))
        let random = SecureRandom.bytes(count: 64)
        #expect(HMACSHA256.constantTimeEquals(random, Array(random)))
    }
}
