import Cryptography
import Foundation

/// Keyed blind indexes: equal inputs give equal digests, so two institutions' records of the
/// same person meet without anyone decrypting them; without the key, a digest says nothing.
public enum BlindIndex {
    public enum Kind: String, Sendable, CaseIterable {
        case curp
        case nameAndBirthDate = "nombre-fecha"
    }

    public static func digest(_ kind: Kind, of normalized: String, keyring: Keyring) -> [UInt8] {
        HMACSHA256.authenticationCode(for: Array("\(kind.rawValue):\(normalized)".utf8), key: keyring.indexKey)
    }

    /// A key of its own for another keyed digest (logins, requests), derived from the index key
    /// and named by `purpose`, so no two uses can be matched against each other. (Derived as a
    /// `curp` digest of the purpose, which the logins already stored were keyed with.)
    public static func purposeKey(_ purpose: String, keyring: Keyring) -> [UInt8] {
        digest(.curp, of: purpose, keyring: keyring)
    }

    /// CURP in capitals, without spaces.
    public static func normalizeCURP(_ curp: String) -> String {
        curp.uppercased().filter { !$0.isWhitespace }
    }

    /// Names compared as a person would: accents, case, punctuation and repeated spaces ignored
    /// («José  María Pérez-López» = «JOSE MARIA PEREZ LOPEZ»; letters of any script count), then `|`
    /// and the birth date. Nil when no letter is left: an empty name must not match everyone born that day.
    public static func normalizeName(_ parts: [String], birthDate: String) -> String? {
        let folded = parts.joined(separator: " ")
            .folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
            .uppercased()
        let words = folded.split { !$0.isLetter }.map(String.init)
        guard !words.isEmpty else { return nil }
        return words.joined(separator: " ") + "|" + birthDate
    }
}
