import CanonicalJSON
import Cryptography
import EventLog
import Foundation

/// The secrets that protect personal data, read from one file (`--master-key FILE` or
/// `SINTRA_MASTER_KEY_FILE`), never from the database:
///
/// ```json
/// { "claveDeIndices": "<64 hex>", "activa": "m2",
///   "clavesMaestras": [ { "id": "m1", "clave": "<64 hex>" }, { "id": "m2", "clave": "<64 hex>" } ] }
/// ```
///
/// Several master keys may be listed so that a rotation can proceed: data keys wrapped by an old
/// master still open while `sintra keys rotate` re-wraps them under the active one; then
/// `sintra keys retire` removes the old entry. The blind-index key never rotates (changing it would change every index).
///
/// A training keyring (SINTRA Capacitación) says so with `"ambiente": "capacitacion"`; a file without
/// it is a production keyring. `sintra serve` refuses a keyring of another environment than its own,
/// so training keys never sit beside production data (they could not open it anyway: every data key
/// is wrapped by a master key the other keyring does not hold).
public struct Keyring: Sendable {
    public struct MasterKey: Sendable {
        public let id: String
        let key: [UInt8]
    }

    public let masterKeys: [MasterKey]
    public let activeId: String
    let indexKey: [UInt8]
    /// The environment the keyring belongs to.
    public let environment: DeploymentEnvironment

    public var active: MasterKey { masterKeys.first { $0.id == activeId }! }
    func master(_ id: String) -> MasterKey? { masterKeys.first { $0.id == id } }

    /// A new keyring with fresh random keys.
    public static func generate(id: String = "m1", environment: DeploymentEnvironment = .produccion) -> Keyring {
        Keyring(masterKeys: [MasterKey(id: id, key: SecureRandom.bytes(count: 32))], activeId: id, indexKey: SecureRandom.bytes(count: 32),
                environment: environment)
    }

    /// This keyring with a new master key added and made active.
    public func addingMasterKey(id: String) throws(CryptoError) -> Keyring {
        guard master(id) == nil else { throw CryptoError("ya existe una clave maestra «\(id)»") }
        return Keyring(masterKeys: masterKeys + [MasterKey(id: id, key: SecureRandom.bytes(count: 32))], activeId: id, indexKey: indexKey, environment: environment)
    }

    /// This keyring without a retired master key (after `sintra keys rotate` re-wrapped everything).
    public func removingMasterKey(id: String) throws(CryptoError) -> Keyring {
        guard id != activeId else { throw CryptoError("no se puede retirar la clave maestra activa «\(id)»") }
        guard master(id) != nil else { throw CryptoError("no existe la clave maestra «\(id)»") }
        return Keyring(masterKeys: masterKeys.filter { $0.id != id }, activeId: activeId, indexKey: indexKey, environment: environment)
    }

    public init(parsing text: String) throws(CryptoError) {
        let json: JSONValue
        do { json = try CanonicalJSON.parse(text) } catch { throw CryptoError("el archivo de claves no es JSON válido: \(error.message)") }
        guard let indexHex = json["claveDeIndices"]?.stringValue, let index = Hex.decode(indexHex), index.count == 32 else {
            throw CryptoError("el archivo de claves requiere «claveDeIndices»: 32 bytes en hexadecimal")
        }
        guard let list = json["clavesMaestras"]?.arrayValue, !list.isEmpty else {
            throw CryptoError("el archivo de claves requiere «clavesMaestras» con al menos una clave")
        }
        var keys: [MasterKey] = []
        for (position, entry) in list.enumerated() {
            guard let id = entry["id"]?.stringValue, !id.isEmpty, let hex = entry["clave"]?.stringValue,
                  let key = Hex.decode(hex), key.count == 32 else {
                throw CryptoError("clavesMaestras[\(position)] requiere «id» y «clave» (32 bytes en hexadecimal)")
            }
            keys.append(MasterKey(id: id, key: key))
        }
        guard let active = json["activa"]?.stringValue, keys.contains(where: { $0.id == active }) else {
            throw CryptoError("«activa» debe nombrar una de las claves maestras")
        }
        var environment = DeploymentEnvironment.produccion
        if let value = json["ambiente"] {
            guard let name = value.stringValue, let named = DeploymentEnvironment(rawValue: name) else {
                throw CryptoError("«ambiente» debe ser \(DeploymentEnvironment.allCases.map(\.rawValue).joined(separator: " o "))")
            }
            environment = named
        }
        self.init(masterKeys: keys, activeId: active, indexKey: index, environment: environment)
    }

    init(masterKeys: [MasterKey], activeId: String, indexKey: [UInt8], environment: DeploymentEnvironment = .produccion) {
        self.masterKeys = masterKeys
        self.activeId = activeId
        self.indexKey = indexKey
        self.environment = environment
    }

    public static func load(file: String) throws(CryptoError) -> Keyring {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw CryptoError("no se pudo leer el archivo de claves «\(file)»")
        }
        return try Keyring(parsing: text)
    }

    /// The file's text (pretty, one key per line), to write with mode 0600.
    public var fileText: String {
        let masters = masterKeys.map { "    { \"id\": \"\($0.id)\", \"clave\": \"\(Hex.encode($0.key))\" }" }.joined(separator: ",\n")
        // Production files stay exactly as they were before environments existed.
        let mark = environment == .produccion ? "" : "  \"ambiente\": \"\(environment.rawValue)\",\n"
        return "{\n\(mark)  \"claveDeIndices\": \"\(Hex.encode(indexKey))\",\n  \"activa\": \"\(activeId)\",\n  \"clavesMaestras\": [\n\(masters)\n  ]\n}\n"
    }
}
