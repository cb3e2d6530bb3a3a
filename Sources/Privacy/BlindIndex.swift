import Cryptography
import Foundation

/// Keyed blind indexes: equal inputs give equal digests, so two institutions' records of the
/// same person meet without anyone decrypting them; without the key, a digest says nothing.
public enum BlindIndex {
    public enum Kind: String, Sendable, CaseIterable {
        case curp
        case nameAndBirthDate = "nombre-fecha"
        /// One row per word of a person's names (`nameTokens`), for finding them by name.
        case nameToken = "nombre-token"

        /// The kinds whose match flags a possible duplicate: the whole CURP, or the whole name with
        /// the birth date. Never `nameToken`: two Marías are not one person.
        public static let duplicateEvidence: [Kind] = [.curp, .nameAndBirthDate]
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

    /// Words that only join the parts of a name («María de la Luz», «Pérez y Gómez»): left out of
    /// the name-token index and of a search, so «Maria Luz» finds «MARÍA DE LA LUZ» and a search
    /// for «de la» is refused as saying nothing.
    public static let nameParticles: Set<String> = ["DE", "DEL", "LA", "LAS", "LOS", "Y", "E"]

    /// Hard limits on a name search: no real name has more words, and each extra word is one more digest to compute.
    public static let maximumNameTokens = 12

    /// The words of a name as the name-token index keeps them: normalised as `normalizeName` does
    /// (accents, case, width and punctuation ignored), particles left out, each once, in order.
    ///
    /// Why one keyed digest per word, and what it costs: without the key a digest cannot be
    /// reversed, but equal words give equal digests, so whoever reads `blind_indexes` (the owner,
    /// the application role, a stolen backup) sees how often each digest occurs. The commonest
    /// digests are the commonest names (MARÍA, HERNÁNDEZ), which identify nobody; a rare digest
    /// says only that some cases share a rare word, not which word. This is the price of searching
    /// by one word, accepted on purpose; it is bounded by the table's grants (no PUBLIC access), by
    /// keeping particles out (they would only add the most frequent, least useful digests) and by
    /// erasure, which removes a person's tokens with their key. No prefix or fuzzy matching: a
    /// digest matches whole words only, which is what keeps it blind.
    public static func nameTokens(_ text: String) -> [String] {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil).uppercased()
        var seen = Set<String>()
        return folded.split { !$0.isLetter }.map(String.init).filter { !nameParticles.contains($0) && seen.insert($0).inserted }
    }

    /// The name-token digests of a person's name parts (nombre, primer and segundo apellido).
    public static func nameTokenDigests(_ parts: [String], keyring: Keyring) -> [[UInt8]] {
        nameTokens(parts.joined(separator: " ")).map { digest(.nameToken, of: $0, keyring: keyring) }
    }
}
