import Cryptography
import Definitions
import Dispatch
import Foundation
import Privacy

/// How a login is found without storing it: a keyed HMAC-SHA-256 of the normalised login.
///
/// The key is derived from the keyring's blind-index key. `Privacy` exposes that key only through
/// `BlindIndex.digest`, which computes HMAC(indexKey, "<kind>:<text>"); used once with a fixed
/// label, it is a PRF that yields an accounts-only sub-key. The label cannot be a CURP (18
/// alphanumerics), so no login digest can ever equal a CURP's, and the accounts tables share
/// nothing comparable with `blind_indexes`.
struct LoginIndex: Sendable {
    private let key: [UInt8]

    init(keyring: Keyring) {
        key = BlindIndex.purposeKey("sintra/cuentas/indice-de-usuario/v1", keyring: keyring)
    }

    /// Trimmed, Unicode-compatibility-normalised (NFKC) and lower-cased: «  Ana.Pérez@X.gob.mx » and
    /// «ana.pérez@x.gob.mx» are the same login.
    static func normalize(_ login: String) -> String {
        login.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCompatibilityMapping.lowercased()
    }

    func digest(_ login: String) -> [UInt8] {
        HMACSHA256.authenticationCode(for: Array(Self.normalize(login).utf8), key: key)
    }
}

/// Opaque bearer tokens: 32 random bytes in unpadded base64url after a prefix naming the kind (so a
/// refresh token sent as an access token fails before any lookup, and secret scanners recognise
/// them). Only their SHA-256 is stored.
enum BearerToken {
    enum Kind: String { case access = "acceso", refresh = "renovacion" }

    static func prefix(_ kind: Kind) -> String { kind == .access ? "sintra_at_" : "sintra_rt_" }

    static func generate(_ kind: Kind) -> String { prefix(kind) + base64URL(SecureRandom.bytes(count: 32)) }

    /// The stored form; nil when the text is not a token of this kind (it cannot match anything).
    static func digest(_ token: String, kind: Kind) -> [UInt8]? {
        guard token.hasPrefix(prefix(kind)), token.utf8.count == prefix(kind).utf8.count + 43 else { return nil }
        return SHA256.hash(Array(token.utf8))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Password handling around `PasswordHash`.
enum Passwords {
    /// NFC, so the same password typed on two keyboards gives the same bytes (RFC 8265 does the same).
    static func bytes(_ password: String) -> [UInt8] { Array(password.precomposedStringWithCanonicalMapping.utf8) }

    /// A password for the console to print once: 18 random bytes, 24 characters.
    static func generate() -> String { BearerToken.base64URL(SecureRandom.bytes(count: 18)) }

    static func problems(_ password: String, login: String?, policy: AccountPolicy, path: String = "contrasena") -> [Problem] {
        var problems: [Problem] = []
        let length = password.precomposedStringWithCanonicalMapping.count
        if length < policy.minimumPasswordLength {
            problems.append(Problem(path: path, code: "contrasena-corta",
                message: "la contraseña debe tener al menos \(policy.minimumPasswordLength) caracteres (una frase larga es más segura y fácil de recordar)"))
        }
        if length > policy.maximumPasswordLength {
            problems.append(Problem(path: path, code: "contrasena-larga", message: "la contraseña no puede pasar de \(policy.maximumPasswordLength) caracteres"))
        }
        if let login, LoginIndex.normalize(password) == LoginIndex.normalize(login) {
            problems.append(Problem(path: path, code: "contrasena-igual-al-usuario", message: "la contraseña no puede ser igual al usuario"))
        }
        if Set(password).count == 1 && !password.isEmpty {
            problems.append(Problem(path: path, code: "contrasena-trivial", message: "la contraseña no puede repetir un solo carácter"))
        }
        return problems
    }

    /// scrypt runs on its own threads, at most two at a time: a hash takes ~0.3 s and 128 MiB, and
    /// Swift's cooperative pool (one thread per core) must not stall behind logins.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async {
                slots.wait()
                defer { slots.signal() }
                continuation.resume(returning: work())
            }
        }
    }

    private static let queue = DispatchQueue(label: "sintra.cuentas.scrypt", attributes: .concurrent)
    private static let slots = DispatchSemaphore(value: 2)
}

extension AccountPolicy.PasswordCost {
    var parameters: ScryptParameters { self == .recommended ? .recommended : .testing }
}
