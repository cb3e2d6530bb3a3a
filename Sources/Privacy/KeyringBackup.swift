import CanonicalJSON
import Cryptography
import Foundation

/// The keyring's backup (issue 20): the keyring file sealed under a passphrase, to keep apart from
/// the database's backups. Losing the keyring loses every personal field and every login (logins
/// are found through a key derived from it), so it must be backed up; a copy in clear beside the
/// database's backups would hand both halves to whoever takes them.
///
/// ```json
/// { "formato": "sintra-respaldo-de-claves/1", "scrypt": { "ln": 18, "r": 8, "p": 1 },
///   "sal": "<32 hex>", "huella": "<64 hex>", "cifrado": "<hex: nonce ‖ AES-256-GCM(keyring file) ‖ tag>" }
/// ```
///
/// The key is scrypt(passphrase, salt) (memory-hard: each guess of the passphrase costs 256 MiB);
/// every field in clear is authenticated as associated data, so none can be swapped. `huella` is the
/// keyring's fingerprint (`KeyringIdentity`), the value the database stores anyway: it lets a restore
/// name the database a backup belongs to before anyone types a passphrase.
public struct KeyringBackup: Sendable {
    public static let format = "sintra-respaldo-de-claves/1"
    public static let defaultParameters = ScryptParameters(logN: 18, r: 8, p: 1)

    public let parameters: ScryptParameters
    let salt: [UInt8]
    public let fingerprint: [UInt8]
    let sealed: [UInt8]

    /// Seals `keyring` under `passphrase`.
    public static func seal(_ keyring: Keyring, passphrase: String,
                            parameters: ScryptParameters = defaultParameters) throws(CryptoError) -> KeyringBackup {
        let salt = SecureRandom.bytes(count: 16)
        let fingerprint = KeyringIdentity.fingerprint(of: keyring)
        let key = try PasswordHash.scrypt(password: Array(passphrase.utf8), salt: salt, parameters: parameters, length: 32)
        let associated = Self.associatedData(parameters: parameters, salt: salt, fingerprint: fingerprint)
        let sealed = try AESGCM.seal(Array(keyring.fileText.utf8), key: key, associatedData: associated)
        return KeyringBackup(parameters: parameters, salt: salt, fingerprint: fingerprint, sealed: sealed)
    }

    /// The keyring inside, or an error when the passphrase is wrong or the file was altered.
    public func open(passphrase: String) throws(CryptoError) -> Keyring {
        let key = try PasswordHash.scrypt(password: Array(passphrase.utf8), salt: salt, parameters: parameters, length: 32)
        let associated = Self.associatedData(parameters: parameters, salt: salt, fingerprint: fingerprint)
        guard let plain = try? AESGCM.open(sealed, key: key, associatedData: associated) else {
            throw CryptoError("el respaldo no se pudo abrir: frase de paso equivocada o archivo alterado")
        }
        let keyring = try Keyring(parsing: String(decoding: plain, as: UTF8.self))
        guard HMACSHA256.constantTimeEquals(KeyringIdentity.fingerprint(of: keyring), fingerprint) else {
            throw CryptoError("el respaldo está dañado: su huella no es la del archivo de claves que contiene")
        }
        return keyring
    }

    static func associatedData(parameters: ScryptParameters, salt: [UInt8], fingerprint: [UInt8]) -> [UInt8] {
        Array("\(format)|ln=\(parameters.logN),r=\(parameters.r),p=\(parameters.p)|\(Hex.encode(salt))|\(Hex.encode(fingerprint))".utf8)
    }

    /// The backup file's text.
    public var fileText: String {
        "{\n  \"formato\": \"\(Self.format)\",\n  \"scrypt\": { \"ln\": \(parameters.logN), \"r\": \(parameters.r), \"p\": \(parameters.p) },\n"
            + "  \"sal\": \"\(Hex.encode(salt))\",\n  \"huella\": \"\(Hex.encode(fingerprint))\",\n  \"cifrado\": \"\(Hex.encode(sealed))\"\n}\n"
    }

    public init(parsing text: String) throws(CryptoError) {
        let json: JSONValue
        do { json = try CanonicalJSON.parse(text) } catch { throw CryptoError("el respaldo de claves no es JSON válido: \(error.message)") }
        guard json["formato"]?.stringValue == Self.format else { throw CryptoError("no es un respaldo de claves de SINTRA («formato» \(Self.format))") }
        func integer(_ name: String) -> Int? { json["scrypt"]?[name]?.numberValue.flatMap { Int(exactly: $0) } }
        guard let logN = integer("ln"), let r = integer("r"), let p = integer("p"),
              let salt = json["sal"]?.stringValue.flatMap({ Hex.decode($0) }), salt.count == 16,
              let fingerprint = json["huella"]?.stringValue.flatMap({ Hex.decode($0) }), fingerprint.count == 32,
              let sealed = json["cifrado"]?.stringValue.flatMap({ Hex.decode($0) }), sealed.count > AESGCM.nonceSize + AESGCM.tagSize else {
            throw CryptoError("el respaldo de claves está incompleto o dañado (scrypt, sal, huella, cifrado)")
        }
        self.init(parameters: ScryptParameters(logN: logN, r: r, p: p), salt: salt, fingerprint: fingerprint, sealed: sealed)
    }

    init(parameters: ScryptParameters, salt: [UInt8], fingerprint: [UInt8], sealed: [UInt8]) {
        self.parameters = parameters
        self.salt = salt
        self.fingerprint = fingerprint
        self.sealed = sealed
    }
}
