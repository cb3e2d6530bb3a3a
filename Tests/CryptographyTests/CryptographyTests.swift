import Cryptography
import Testing

@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func nistVectors(input: String, expected: String) {
        #expect(Hex.encode(SHA256.hash(Array(input.utf8))) == expected)
    }

    @Test func oneMillionAIncrementally() {
        var hasher = SHA256Hasher()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000)
        for _ in 0..<1_000 { hasher.update(chunk) }
        #expect(Hex.encode(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func partsHashLikeTheirConcatenation() {
        let parts: [[UInt8]] = [[1, 2, 3], [], [4], Array(repeating: 9, count: 100)]
        #expect(SHA256.hash(parts: parts) == SHA256.hash(parts.flatMap { $0 }))
        // A non-contiguous collection takes the copying path and agrees.
        #expect(SHA256.hash((0..<200).lazy.map { UInt8($0) }) == SHA256.hash((0..<200).map { UInt8($0) }))
    }
}

@Suite struct Ed25519Tests {
    /// RFC 8032 §7.1, tests 1–3.
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
        let key = try Ed25519PrivateKey(rawRepresentation: Hex.decode(secret)!)
        #expect(Hex.encode(key.publicKey.rawRepresentation) == publicKey)
        let signed = try key.signature(for: Hex.decode(message)!)
        #expect(Hex.encode(signed) == signature)
        #expect(key.publicKey.isValidSignature(signed, for: Hex.decode(message)!))
    }

    @Test func aFlippedBitFailsVerification() throws {
        let key = Ed25519PrivateKey()
        let message = Array("posición 42, hash abc".utf8)
        let signature = try key.signature(for: message)
        #expect(key.publicKey.isValidSignature(signature, for: message))
        var otherMessage = message
        otherMessage[0] ^= 1
        #expect(!key.publicKey.isValidSignature(signature, for: otherMessage))
        var otherSignature = signature
        otherSignature[10] ^= 0x80
        #expect(!key.publicKey.isValidSignature(otherSignature, for: message))
        #expect(!Ed25519PrivateKey().publicKey.isValidSignature(signature, for: message))
        #expect(!key.publicKey.isValidSignature(Array(signature.prefix(63)), for: message))
    }

    @Test func wrongKeyLengthsThrow() {
        #expect(throws: CryptoError.self) { try Ed25519PrivateKey(rawRepresentation: [1, 2, 3]) }
        #expect(throws: CryptoError.self) { try Ed25519PublicKey(rawRepresentation: Array(repeating: 0, count: 33)) }
    }

    @Test func keyFilesRoundTripAndRejectGarbage() throws {
        let key = Ed25519PrivateKey()
        let reread = try KeyFile.decodePrivateKey(KeyFile.encodePrivateKey(key))
        #expect(reread.rawRepresentation == key.rawRepresentation)
        #expect(try KeyFile.decodePublicKey(KeyFile.encodePublicKey(key.publicKey)) == key.publicKey)
        #expect(throws: CryptoError.self) { try KeyFile.decodePrivateKey(KeyFile.encodePublicKey(key.publicKey)) }
        #expect(throws: CryptoError.self) { try KeyFile.decodePublicKey("hola\nmundo\n") }
    }
}

@Suite struct HexTests {
    @Test func roundTripsAndRejectsNonHex() {
        let bytes: [UInt8] = [0, 1, 0x7f, 0x80, 0xff]
        #expect(Hex.encode(bytes) == "00017f80ff")
        #expect(Hex.decode("00017F80ff") == bytes)
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.decode("") == [])
    }
}
