import CanonicalJSON
import Cryptography
import Definitions
import Foundation

/// Encrypts the personal fields of a payload in place, and opens them again for an authorised read.
///
/// Each personal value (whatever its JSON type) becomes the string `cifrado:v1:<base64>` holding
/// AES-256-GCM(nonce ‖ ciphertext ‖ tag) of its canonical JSON, under the subject's data key with
/// the subject's id as associated data (a ciphertext moved to another person's event does not
/// open). The rest of the payload stays readable, so statistics never need a key.
public enum PersonalDataCipher {
    public static let prefix = "cifrado:v1:"

    public static func encrypt(_ payload: JSONValue, paths: [String], subject: String, key: [UInt8]) throws -> JSONValue {
        var result = payload
        for path in paths {
            guard let value = FieldPath.value(at: path, in: result) else { continue }
            let sealed = try AESGCM.seal(CanonicalJSON.serialize(value), key: key, associatedData: Array(subject.utf8))
            result = FieldPath.replacing(path, in: result, with: .string(prefix + Data(sealed).base64EncodedString()))
        }
        return result
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
            case .string(let text) where text.hasPrefix(prefix):
                guard let key, let sealed = Data(base64Encoded: String(text.dropFirst(prefix.count))),
                      let plain = try? AESGCM.open(Array(sealed), key: key, associatedData: Array(subject.utf8)),
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
            case .string(let text) where text.hasPrefix(prefix): paths.append(path)
            case .object(let members): for member in members { walk(member.value, FieldPath.join(path, member.key)) }
            case .array(let elements): for (index, element) in elements.enumerated() { walk(element, FieldPath.index(path, index)) }
            default: break
            }
        }
        walk(payload, "")
        return paths
    }
}
