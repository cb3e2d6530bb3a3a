import Cryptography
import Testing

@Suite struct SHA256Tests {
    /// FIPS 180-2 / NIST example vectors.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func nistVectors(input: String, expected: String) {
        #expect(Hex.encode(SHA256.hash(Array(input.utf8))) == expected)
        #expect(Hex.encode(SHA256.hash(input.utf8)) == expected)  // String.UTF8View: contiguous, no copy
    }

    @Test func oneMillionAIncrementally() {
        var hasher = SHA256Hasher()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000)
        for _ in 0..<1_000 { hasher.update(chunk) }
        #expect(Hex.encode(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalEqualsOneShotAcrossUnevenPieces() {
        let data = (0..<5_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var hasher = SHA256Hasher()
        hasher.update(data[..<1])
        hasher.update([UInt8]())
        hasher.update(data[1..<1_999])
        hasher.update(data[1_999...])
        #expect(hasher.finalize() == SHA256.hash(data))
    }

    @Test func partsHashLikeTheirConcatenation() {
        let parts: [[UInt8]] = [[1, 2, 3], [], [4], Array(repeating: 9, count: 100)]
        #expect(SHA256.hash(parts: parts) == SHA256.hash(parts.flatMap { $0 }))
        #expect(SHA256.hash(parts: []) == SHA256.hash([UInt8]()))
        #expect(SHA256.hash(parts: [[1, 2], [3]]) != SHA256.hash(parts: [[1], [2, 3, 0]]))
    }

    @Test func nonContiguousCollectionsAgree() {
        // Lazy collections take the chunked-copy path, including more than one 16 KiB chunk.
        for count in [0, 200, 40_000] {
            let lazy = (0..<count).lazy.map { UInt8(truncatingIfNeeded: $0) }
            #expect(SHA256.hash(lazy) == SHA256.hash(Array(lazy)))
        }
    }
}

@Suite struct Ed25519Tests {
    /// RFC 8032 §7.1, tests 1–3: secret key, public key, message, signature.
    @Test(arguments: [
        ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
        ("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
         "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
         "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
    ])
    func rfc8032Vectors(secret: String, publicKey: String, message: String, signature: String) throws {
        let key = try Ed25519PrivateKey(rawRepresentation: try #require(Hex.decode(secret)))
        let message = try #require(Hex.decode(message))
        #expect(Hex.encode(key.publicKey.rawRepresentation) == publicKey)
        let signed = try key.signature(for: message)
        #expect(Hex.encode(signed) == signature)
        #expect(key.publicKey.isValidSignature(signed, for: message))
        let published = try Ed25519PublicKey(rawRepresentation: try #require(Hex.decode(publicKey)))
        #expect(published == key.publicKey)
        #expect(published.isValidSignature(try #require(Hex.decode(signature)), for: message))
    }

    @Test func generatedKeysSignAndVerify() throws {
        let key = Ed25519PrivateKey()
        #expect(key.rawRepresentation.count == 32)
        #expect(key.publicKey.rawRepresentation.count == 32)
        #expect(Ed25519PrivateKey().rawRepresentation != key.rawRepresentation)
        let message = Array("posición 42, hash abc, 2025-01-01T00:00:00Z".utf8)
        let signature = try key.signature(for: message)
        #expect(signature.count == 64)
        #expect(try key.signature(for: message) == signature)  // Ed25519 is deterministic
        #expect(key.publicKey.isValidSignature(signature, for: message))
        // Slices and lazy collections sign the same bytes.
        #expect(try key.signature(for: message[...]) == signature)
        #expect(try key.signature(for: message.lazy.map { $0 }) == signature)
        #expect(key.publicKey.isValidSignature(signature, for: message.lazy.map { $0 }))
    }

    @Test func aFlippedBitFailsVerification() throws {
        let key = Ed25519PrivateKey()
        let message = Array("posición 42, hash abc".utf8)
        let signature = try key.signature(for: message)
        for bit in [0, 7, 100, message.count * 8 - 1] {
            var tampered = message
            tampered[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(!key.publicKey.isValidSignature(signature, for: tampered))
        }
        for bit in [0, 255, 256, 511] {
            var tampered = signature
            tampered[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(!key.publicKey.isValidSignature(tampered, for: message))
        }
        #expect(!Ed25519PrivateKey().publicKey.isValidSignature(signature, for: message))
        #expect(!key.publicKey.isValidSignature(Array(signature.prefix(63)), for: message))
        #expect(!key.publicKey.isValidSignature(signature + [0], for: message))
        #expect(!key.publicKey.isValidSignature([], for: message))
    }

    @Test func wrongKeyLengthsThrow() {
        for count in [0, 31, 33, 64] {
            #expect(throws: CryptoError.self) { try Ed25519PrivateKey(rawRepresentation: Array(repeating: 1, count: count)) }
            #expect(throws: CryptoError.self) { try Ed25519PublicKey(rawRepresentation: Array(repeating: 1, count: count)) }
        }
        #expect(throws: CryptoError("una llave privada Ed25519 mide 32 bytes, no 3")) {
            try Ed25519PrivateKey(rawRepresentation: [1, 2, 3])
        }
    }

    @Test func privateKeysDoNotPrintTheirSeed() throws {
        let key = try Ed25519PrivateKey(rawRepresentation: Array(repeating: 0xab, count: 32))
        for text in [String(describing: key), String(reflecting: key), "\(key)"] {
            #expect(!text.contains("171") && !text.lowercased().contains("ab, "))
        }
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains("171"))
    }
}

@Suite struct KeyFileTests {
    @Test func roundTripsInTheDocumentedFormat() throws {
        let key = try Ed25519PrivateKey(rawRepresentation: Array(0..<32))
        let privateText = KeyFile.encodePrivateKey(key)
        #expect(privateText == "sintra-ed25519-private-key v1\n000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n")
        #expect(try KeyFile.decodePrivateKey(privateText).rawRepresentation == key.rawRepresentation)
        let publicText = KeyFile.encodePublicKey(key.publicKey)
        #expect(publicText == "sintra-ed25519-public-key v1\n\(Hex.encode(key.publicKey.rawRepresentation))\n")
        #expect(try KeyFile.decodePublicKey(publicText) == key.publicKey)

        let generated = Ed25519PrivateKey()
        #expect(try KeyFile.decodePrivateKey(KeyFile.encodePrivateKey(generated)).rawRepresentation == generated.rawRepresentation)
    }

    @Test func toleratesCRLFAndBlanks() throws {
        let key = Ed25519PrivateKey()
        let hex = Hex.encode(key.rawRepresentation)
        #expect(try KeyFile.decodePrivateKey("sintra-ed25519-private-key v1\r\n\(hex)\r\n").rawRepresentation == key.rawRepresentation)
        #expect(try KeyFile.decodePrivateKey("  sintra-ed25519-private-key v1 \n\n \(hex.uppercased())").rawRepresentation == key.rawRepresentation)
    }

    @Test func rejectsGarbageInSpanish() {
        let key = Ed25519PrivateKey()
        let hex = Hex.encode(key.rawRepresentation)
        #expect(throws: CryptoError("el archivo no es una llave privada Ed25519 de SINTRA")) { try KeyFile.decodePrivateKey("hola\nmundo\n") }
        #expect(throws: CryptoError("el archivo no es una llave pública Ed25519 de SINTRA")) { try KeyFile.decodePublicKey("") }
        #expect(throws: CryptoError("el archivo contiene una llave pública Ed25519 de SINTRA, no una llave privada")) {
            try KeyFile.decodePrivateKey(KeyFile.encodePublicKey(key.publicKey))
        }
        #expect(throws: CryptoError("el archivo contiene una llave privada Ed25519 de SINTRA, no una llave pública")) {
            try KeyFile.decodePublicKey(KeyFile.encodePrivateKey(key))
        }
        let damaged = [
            "sintra-ed25519-private-key v1\n",
            "sintra-ed25519-private-key v1\n\(hex.dropLast(2))\n",
            "sintra-ed25519-private-key v1\n\(hex)00\n",
            "sintra-ed25519-private-key v1\n\(hex.dropLast())g\n",
            "sintra-ed25519-private-key v1\n\(hex)\n\(hex)\n",
            "sintra-ed25519-private-key v1\n\(hex.prefix(32)) \(hex.dropFirst(32))\n",
        ]
        for text in damaged {
            #expect(throws: CryptoError.self) { try KeyFile.decodePrivateKey(text) }
        }
        #expect(throws: CryptoError.self) { try KeyFile.decodePrivateKey("sintra-ed25519-private-key v2\n\(hex)\n") }
    }
}

@Suite struct HexAndRandomTests {
    @Test func hexRoundTripsAndRejectsNonHex() {
        let bytes: [UInt8] = [0, 1, 0x7f, 0x80, 0xff]
        #expect(Hex.encode(bytes) == "00017f80ff")
        #expect(Hex.decode("00017F80ff") == bytes)
        #expect(Hex.decode(Hex.encode(bytes)[...]) == bytes)
        let all = (0...255).map { UInt8($0) }
        #expect(Hex.decode(Hex.encode(all)) == all)
        #expect(Hex.decode("") == [])
        #expect(Hex.encode([UInt8]()) == "")
        for bad in ["abc", "zz", "0g", " 00", "00 ", "0x00", "é0"] {
            #expect(Hex.decode(bad) == nil, "\(bad)")
        }
    }

    @Test func secureRandomBytes() {
        #expect(SecureRandom.bytes(count: 0).isEmpty)
        let a = SecureRandom.bytes(count: 32), b = SecureRandom.bytes(count: 32)
        #expect(a.count == 32 && b.count == 32 && a != b)
    }
}
