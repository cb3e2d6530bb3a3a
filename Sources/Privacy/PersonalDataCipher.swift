import CanonicalJSON
import Cryptography
import Definitions
import Foundation

/// Encrypts the personal fields of a payload in place, and opens them again for an authorised read.
///
/// Each personal value (whatever its JSON type) becomes the string `cifrado:v2:<base64>` holding
/// AES-256-GCM(nonce ‖ ciphertext ‖ tag) of its canonical JSON, padded (`Padding`), under the
/// subject's data key with the subject's id as associated data (a ciphertext moved to another
/// person's event does not open). The rest of the payload stays readable, so statistics never
/// need a key. `cifrado:v1:` values (unpadded, written before padding existed) still open.
public enum PersonalDataCipher {
    /// The form every new value is written in.
    public static let prefix = "cifrado:v2:"
    /// Unpadded values recorded before v2; read, never written.
    static let unpaddedPrefix = "cifrado:v1:"
    /// What every encrypted value starts with, whatever its version.
    static let anyVersion = "cifrado:v"

    public static func encrypt(_ payload: JSONValue, paths: [String], subject: String, key: [UInt8]) throws -> JSONValue {
        var result = payload
        for path in paths {
            guard let value = FieldPath.value(at: path, in: result) else { continue }
            let sealed = try AESGCM.seal(Padding.pad(CanonicalJSON.serialize(value)), key: key, associatedData: Array(subject.utf8))
            result = FieldPath.replacing(path, in: result, with: .string(prefix + Data(sealed).base64EncodedString()))
        }
        return result
    }

    /// A ciphertext is as long as its plaintext, so without padding the length of an encrypted
    /// name tells «Ana» from «Guadalupe» (and makes a rare length unique). Plaintexts are padded to
    /// buckets: a 2-byte length, the canonical JSON, zeros up to the next power of two from 32
    /// bytes up to 4 KiB, then to a multiple of 4 KiB. Names, CURPs, phones and short notes then
    /// share one or two lengths.
    enum Padding {
        static let smallest = 32, page = 4_096

        static func bucket(_ count: Int) -> Int {
            if count > page { return (count + page - 1) / page * page }
            var size = smallest
            while size < count { size *= 2 }
            return size
        }

        static func pad(_ bytes: [UInt8]) throws -> [UInt8] {
            guard bytes.count <= Int(UInt16.max) else { throw CryptoError("un dato personal no puede pasar de 65,535 bytes") }
            var padded = [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xff)] + bytes
            padded += [UInt8](repeating: 0, count: bucket(padded.count) - padded.count)
            return padded
        }

        static func unpad(_ padded: [UInt8]) -> [UInt8]? {
            guard padded.count >= 2 else { return nil }
            let count = Int(padded[0]) << 8 | Int(padded[1])
            guard count <= padded.count - 2 else { return nil }
            return Array(padded[2..<(2 + count)])
        }
    }

    /// What an authorised read gets back.
    public struct Opened: Sendable {
        public let payload: JSONValue
        /// Paths whose key was destroyed (erased) or whose ciphertext did not authenticate; their value is null.
        public let unreadable: [String]
    }

    /// Replaces every `cifrado:v1:` value with its plaintext, or with null when `key` is nil (erased)
    /// or the ciphertext does not open.
    public static func decrypt(_ payload: JSONValue, subject: String, key: [UInt8]?) -> Opened {
        var unreadable: [String] = []
        func open(_ node: JSONValue, _ path: String) -> JSONValue {
            switch node {
            case .string(let text) where text.hasPrefix(anyVersion):
                let padded = text.hasPrefix(prefix)
                guard padded || text.hasPrefix(unpaddedPrefix), let key,
                      let sealed = Data(base64Encoded: String(text.dropFirst(prefix.count))),
                      let opened = try? AESGCM.open(Array(sealed), key: key, associatedData: Array(subject.utf8)),
                      let plain = padded ? Padding.unpad(opened) : opened,
                      let value = try? CanonicalJSON.parse(plain) else {
                    unreadable.append(path)
                    return .null
                }
                return value
            case .object(let members):
                return .object(members.map { JSONMember(key: $0.key, value: open($0.value, FieldPath.join(path, $0.key))) })
            case .array(let elements):
                return .array(elements.enumerated().map { open($1, FieldPath.index(path, $0)) })
            default:
                return node
            }
        }
        let opened = open(payload, "")
        return Opened(payload: opened, unreadable: unreadable)
    }

    /// The paths that hold ciphertext, for showing "🔒 dato personal" without decrypting.
    public static func encryptedPaths(in payload: JSONValue) -> [String] {
        var paths: [String] = []
        func walk(_ node: JSONValue, _ path: String) {
            switch node {
            case .string(let text) where text.hasPrefix(anyVersion): paths.append(path)
            case .object(let members): for member in members { walk(member.value, FieldPath.join(path, member.key)) }
            case .array(let elements): for (index, element) in elements.enumerated() { walk(element, FieldPath.index(path, index)) }
            default: break
            }
        }
        walk(payload, "")
        return paths
    }
}
