import ArgumentParser
import Cryptography
import Foundation
import Postgres
import Privacy

extension KeyringOptions {
    /// Refuses, before anything is written, a keyring that is not the database's (`KeyringIdentity`):
    /// a regenerated or foreign keyring would wrap new data keys the right one cannot open.
    static func requireIdentity(_ keyring: Keyring, file: String?, pool: ConnectionPool) async throws {
        do { _ = try await KeyringIdentity.check(keyring, pool: pool) } catch let mismatch as KeyringIdentity.Mismatch {
            printError(identityMessage(file: file, mismatch))
            throw ExitCode(1)
        }
    }

    static func identityMessage(file: String?, _ mismatch: KeyringIdentity.Mismatch) -> String {
        "ERROR: el archivo de claves\(file.map { " «\($0)»" } ?? "") no es el de esta base de datos: \(mismatch). No se escribió nada. "
            + "Restaure el archivo de claves original desde su respaldo (sintra keys restaurar RESPALDO --master-key ARCHIVO) "
            + "o apunte SINTRA_MASTER_KEY_FILE a él; con otro archivo los datos personales y las cuentas no abren, "
            + "y cada escritura mezclaría claves de dos archivos."
    }
}

/// The passphrase of a keyring backup: `$SINTRA_FRASE_DE_RESPALDO`, or asked on the terminal.
enum BackupPassphrase {
    static func read(confirm: Bool) throws -> String {
        if let given = try ConfigReader.load().text(Settings.backupPassphrase) { return try checked(given) }
        guard isatty(0) == 1, let typed = getpass("Frase de paso del respaldo: ") else {
            throw ValidationError("no hay terminal para pedir la frase de paso: use la variable SINTRA_FRASE_DE_RESPALDO")
        }
        let first = String(cString: typed)
        if confirm {
            guard let again = getpass("Repítala: "), String(cString: again) == first else { throw ValidationError("las frases no coinciden") }
        }
        return try checked(first)
    }

    private static func checked(_ passphrase: String) throws -> String {
        // scrypt makes each guess expensive, not a short passphrase safe.
        guard passphrase.count >= 12 else { throw ValidationError("la frase de paso del respaldo debe tener al menos 12 caracteres") }
        return passphrase
    }
}

extension KeysCommand {
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "respaldar",
            abstract: "Respalda el archivo de claves cifrado con una frase de paso (scrypt + AES-256-GCM), para guardarlo aparte de la base.",
            discussion: """
                Sin el archivo de claves se pierden todos los datos personales y todas las cuentas (el inicio de sesión \
                encuentra la cuenta con una clave derivada de él). Guarde el respaldo y la frase en lugares distintos, y \
                reemplácelo tras cada rotación (sintra keys rotate): uno anterior conserva la clave maestra destruida.
                """)
        @OptionGroup var keys: KeyringOptions
        @Option(name: .customLong("salida"), help: "Archivo del respaldo (modo 0600; no se sobrescribe).") var output: String

        func run() throws {
            let keyring = try keys.load()
            let backup = try KeyringBackup.seal(keyring, passphrase: try BackupPassphrase.read(confirm: true))
            guard !FileManager.default.fileExists(atPath: output) else { throw ValidationError("«\(output)» ya existe; no se sobrescribe un respaldo") }
            guard FileManager.default.createFile(atPath: output, contents: Data(backup.fileText.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw ValidationError("no se pudo escribir «\(output)»")
            }
            print("Respaldo del archivo de claves escrito en \(output) (huella \(Hex.encode(backup.fingerprint).prefix(16))…).")
            print("Guárdelo fuera del servidor y lejos de los respaldos de la base; sin la frase de paso no se puede abrir.")
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restaurar",
            abstract: "Restaura el archivo de claves desde un respaldo, solo si es el de la base de datos (DATABASE_URL).",
            discussion: "Se niega a escribir un archivo de claves que no corresponda a la base: compara su huella con la que la base guarda.")
        @Argument(help: "Archivo del respaldo (sintra keys respaldar).") var backupFile: String
        @OptionGroup var keys: KeyringOptions
        @OptionGroup var database: DatabaseOptions
        @Flag(name: .customLong("reemplazar"), help: "Reemplaza un archivo de claves existente en --master-key.") var replace = false

        func run() async throws {
            let path = try keys.path()
            guard let text = try? String(contentsOfFile: backupFile, encoding: .utf8) else { throw ValidationError("no se pudo leer «\(backupFile)»") }
            let backup = try KeyringBackup(parsing: text)
            let keyring: Keyring
            do { keyring = try backup.open(passphrase: try BackupPassphrase.read(confirm: false)) } catch let error as CryptoError {
                printError("ERROR: \(error)")
                throw ExitCode(1)
            }
            let pool = ConnectionPool(connectionString: try database.resolved(), maxConnections: 1)
            do {
                // Compare only: the database's fingerprint is written by the first process that serves or writes.
                _ = try await KeyringIdentity.check(keyring, pool: pool, establish: false)
            } catch let mismatch as KeyringIdentity.Mismatch {
                await pool.close()
                printError("ERROR: el respaldo «\(backupFile)» no es el archivo de claves de esta base de datos: \(mismatch). "
                           + "No se escribió nada; busque el respaldo que corresponde a esta base.")
                throw ExitCode(1)
            }
            await pool.close()
            try KeysCommand.write(keyring, to: path, replacing: replace)
            print("Archivo de claves restaurado en \(path) (modo 0600); corresponde a la base de datos.")
        }
    }
}
