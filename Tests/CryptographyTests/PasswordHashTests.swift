@testable import Cryptography
import Testing

@Suite struct PasswordHashTests {
    /// RFC 7914 §12, the first three vectors (the fourth needs 1 GiB and adds nothing here).
    @Test(arguments: [
        ("", "", 4, 1, 1,
         "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906"),
        ("password", "NaCl", 10, 8, 16,
         "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"),
        ("pleaseletmein", "SodiumChloride", 14, 8, 1,
         "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887"),
    ])
    func rfc7914Vectors(password: String, salt: String, logN: Int, r: Int, p: Int, expected: String) throws {
        let key = try PasswordHash.scrypt(password: Array(password.utf8), salt: Array(salt.utf8),
                                          parameters: ScryptParameters(logN: logN, r: r, p: p), length: 64)
        #expect(Hex.encode(key) == expected)
    }

    @Test func anEncodedHashVerifiesItsPasswordOnly() throws {
        let encoded = try PasswordHash.hash(Array("correcto caballo batería grapa".utf8), parameters: .testing)
        #expect(encoded.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        #expect(encoded.split(separator: "$").count == 4)
        #expect(PasswordHash.verify(Array("correcto caballo batería grapa".utf8), against: encoded))
        #expect(!PasswordHash.verify(Array("correcto caballo batería grapA".utf8), against: encoded))
        #expect(!PasswordHash.verify([], against: encoded))
        // A fresh salt every time: the same password never gives the same string.
        #expect(try PasswordHash.hash(Array("x".utf8), parameters: .testing) != PasswordHash.hash(Array("x".utf8), parameters: .testing))
        #expect(PasswordHash.parameters(of: encoded) == .testing)
    }

    @Test func theCostTravelsWithTheHashAndLowCostsAskForARehash() throws {
        let cheap = try PasswordHash.hash(Array("secreto".utf8), parameters: .testing)
        #expect(PasswordHash.needsRehash(cheap, parameters: ScryptParameters(logN: 11, r: 8, p: 1)))
        #expect(!PasswordHash.needsRehash(cheap, parameters: .testing))
        #expect(PasswordHash.verify(Array("secreto".utf8), against: cheap), "an old cost still verifies")
    }

    @Test(arguments: [
        "", "scrypt", "$scrypt$ln=10,r=8,p=1$c2FsdHNhbHQ$", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
        "$scrypt$ln=40,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",   // would need terabytes
        "$scrypt$ln=10,r=8$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
        "$scrypt$ln=10,r=8,p=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
        "$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0==$aGFzaGhhc2hoYXNoaGFzaA",
    ])
    func unreadableHashesNeverMatch(encoded: String) {
        #expect(!PasswordHash.verify(Array("secreto".utf8), against: encoded))
        #expect(PasswordHash.needsRehash(encoded))
    }

    @Test func base64RoundTripsEveryLengthAndHasOneSpelling() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8")
        #expect(Base64.decode("Zm9") == nil, "non-zero leftover bits")
        #expect(Base64.decode("Z") == nil)
    }

    @Test func parametersOutsideTheBoundsAreRefused() {
        #expect(throws: CryptoError.self) {
            try PasswordHash.scrypt(password: [1], salt: [2], parameters: ScryptParameters(logN: 21, r: 8, p: 1), length: 32)
        }
        #expect(throws: CryptoError.self) {
            try PasswordHash.scrypt(password: [1], salt: [2], parameters: .testing, length: 0)
        }
    }
}
