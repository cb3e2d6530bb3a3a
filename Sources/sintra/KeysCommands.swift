import ArgumentParser
import Foundation
import Postgres
import Privacy

/// The keyring that protects personal data: `--master-key FILE` or $SINTRA_MASTER_KEY_FILE.
struct KeyringOptions: ParsableArguments {
    @Option(name: .customLong("master-key"), help: "Archivo de claves de datos personales (por omisión $SINTRA_MASTER_KEY_FILE).")
    var file: String?

    func load() throws -> Keyring {
        guard let path = file ?? Environment.value("SINTRA_MASTER_KEY_FILE") else {
            throw ValidationError("indique el archivo de claves con --master-key o SINTRA_MASTER_KEY_FILE (créelo con `sintra keys generate`)")
        }
        return try Keyring.load(file: path)
    }
}

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Claves que cifran los datos personales: generar, agregar una clave maestra, rotar, retirar la anterior.",
        subcommands: [Generate.self, Add.self, Rotate.self, Retire.self])

    static func write(_ keyring: Keyring, to path: String, replacing: Bool) throws {
        if !replacing && FileManager.default.fileExists(atPath: path) {
            throw ValidationError("«\(path)» ya existe; no se sobrescribe un archivo de claves")
        }
        let temporary = path + ".nuevo"
        try? FileManager.default.removeItem(atPath: temporary)
        guard FileManager.default.createFile(atPath: temporary, contents: Data(keyring.fileText.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("no se pudo escribir «\(temporary)»")
        }
        if replacing { _ = try FileManager.default.replaceItemAt(URL(fileURLWithPath: path), withItemAt: URL(fileURLWithPath: temporary)) }
        else { try FileManager.default.moveItem(atPath: temporary, toPath: path) }
    }

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Crea un archivo de claves nuevo (modo 0600).")
        @Argument(help: "Ruta del archivo.") var path: String

        func run() throws {
            try KeysCommand.write(Keyring.generate(), to: path, replacing: false)
            print("Archivo de claves creado: \(path). Respáldelo fuera del servidor: sin él los datos personales son ilegibles.")
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Agrega una clave maestra nueva y la hace activa (después, `sintra keys rotate`).")
        @Argument(help: "Ruta del archivo de claves.") var path: String
        @Option(help: "Identificador de la nueva clave.") var id: String

        func run() throws {
            let keyring = try Keyring.load(file: path).addingMasterKey(id: id)
            try KeysCommand.write(keyring, to: path, replacing: true)
            print("Clave maestra «\(id)» agregada y activa en \(path). Ejecute `sintra keys rotate` para volver a envolver las claves de datos.")
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Vuelve a envolver cada clave de datos con la clave maestra activa; el registro no se toca.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var keys: KeyringOptions

        func run() async throws {
            let pool = ConnectionPool(connectionString: try database.resolved(), maxConnections: 1)
            let vault = DataKeyVault(pool: pool, keyring: try keys.load())
            do {
                let count = try await vault.rotate()
                await pool.close()
                print("\(formatCount(Int64(count))) claves de datos envueltas con la clave maestra «\(vault.keyring.activeId)»")
            } catch {
                await pool.close()
                throw error
            }
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Quita una clave maestra del archivo, solo si ya ninguna clave de datos depende de ella (después de `sintra keys rotate`).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Ruta del archivo de claves.") var path: String
        @Option(help: "Identificador de la clave maestra a retirar.") var id: String

        func run() async throws {
            let keyring = try Keyring.load(file: path)
            let pool = ConnectionPool(connectionString: try database.resolved(), maxConnections: 1)
            let rows = try await pool.query("SELECT count(*) FROM personal_data_keys WHERE master_key_id = $1", [.text(id)])
            await pool.close()
            let pending = try rows[0].decode(Int64.self, 0)
            guard pending == 0 else {
                throw ValidationError("\(formatCount(pending)) claves de datos siguen envueltas con «\(id)»: ejecute antes `sintra keys rotate`")
            }
            try KeysCommand.write(try keyring.removingMasterKey(id: id), to: path, replacing: true)
            print("Clave maestra «\(id)» retirada de \(path).")
        }
    }
}
