import ArgumentParser
import EventLog
import Foundation
import Postgres
import Privacy

/// The keyring that protects personal data: `--master-key FILE` or $SINTRA_MASTER_KEY_FILE.
struct KeyringOptions: ParsableArguments {
    @Option(name: .customLong("master-key"), help: "Archivo de claves de datos personales (por omisión $SINTRA_MASTER_KEY_FILE).")
    var file: String?

    func path() throws -> String {
        try ConfigReader.load().required(Settings.masterKeyFile, flag: file, why: "falta el archivo de claves (créelo con `sintra keys generate`)")
    }

    func load() throws -> Keyring { try Keyring.load(file: try path()) }

    /// The vault over `pool` with this keyring, rereading the file after a rotation made elsewhere.
    func vault(_ pool: ConnectionPool) throws -> DataKeyVault {
        let path = try path()
        return DataKeyVault(pool: pool, keyring: try Keyring.load(file: path), keyringFile: path)
    }
}

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Claves que cifran los datos personales: generar el archivo; rotar la clave maestra (lo que hace definitivo cada borrado); respaldarlo y restaurarlo.",
        subcommands: [Generate.self, Rotate.self, Backup.self, Restore.self])

    static func write(_ keyring: Keyring, to path: String, replacing: Bool) throws {
        if !replacing && FileManager.default.fileExists(atPath: path) {
            throw ValidationError("«\(path)» ya existe; no se sobrescribe un archivo de claves")
        }
        let temporary = path + ".nuevo"
        try? FileManager.default.removeItem(atPath: temporary)
        guard FileManager.default.createFile(atPath: temporary, contents: Data(keyring.fileText.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("no se pudo escribir «\(temporary)»")
        }
        // rename(2) replaces the file in one step: a reader sees the old keyring or the new one, never none.
        if replacing {
            guard rename(temporary, path) == 0 else { throw ValidationError("no se pudo reemplazar «\(path)»: \(String(cString: strerror(errno)))") }
        } else {
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        }
    }

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Crea un archivo de claves nuevo (modo 0600); con --ambiente capacitacion, el de una instancia de capacitación.")
        @Argument(help: "Ruta del archivo.") var path: String
        @OptionGroup var environment: EnvironmentOptions

        func run() throws {
            let chosen = try environment.resolved()
            try KeysCommand.write(Keyring.generate(environment: chosen), to: path, replacing: false)
            if chosen == .capacitacion {
                print("Archivo de claves de capacitación creado: \(path). Solo abre datos de SINTRA Capacitación.")
            } else {
                print("Archivo de claves creado: \(path). Respáldelo fuera del servidor: sin él los datos personales son ilegibles.")
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Nueva generación de la clave maestra: vuelve a envolver cada clave de datos y destruye la anterior; el registro no se toca.",
            discussion: """
                Un borrado de datos personales es definitivo solo después de esta rotación: hasta entonces, el WAL de \
                PostgreSQL y los respaldos anteriores guardan la clave borrada envuelta con una clave maestra que aún existe. \
                Ejecútela tras cada borrado o a diario con --si-hay-borrados (temporizador de systemd en el README). Se conecta \
                como dueño de la base (--admin-url o $SINTRA_ADMIN_DATABASE_URL): la aplicación no puede envolver ni borrar claves. \
                Después, reemplace todo respaldo del archivo de claves: uno anterior conserva la clave maestra destruida.
                """)
        @Option(name: .customLong("admin-url"), help: "Conexión del dueño de la base (por omisión $SINTRA_ADMIN_DATABASE_URL).")
        var adminURL: String?
        @OptionGroup var keys: KeyringOptions
        @Flag(name: .customLong("si-hay-borrados"), help: "Solo si hay borrados aún no definitivos (para un trabajo programado).")
        var onlyIfPending = false

        func run() async throws {
            let url = try ConfigReader.load().required(Settings.adminURL, flag: adminURL, why: "falta la conexión del dueño de la base")
            let path = try keys.path()
            let pool = ConnectionPool(connectionString: url, maxConnections: 1)
            // Closed explicitly rather than by a `defer` that starts a Task: that form crashed the
            // release build (Swift 6.3.1, while splitting this coroutine).
            do {
                try await rotate(pool: pool, path: path)
                await pool.close()
            } catch {
                await pool.close()
                throw error
            }
        }

        private func rotate(pool: ConnectionPool, path: String) async throws {
            // A keyring that is not the database's must not start a generation the right one lacks.
            try await KeyringOptions.requireIdentity(try keys.load(), file: path, pool: pool)
            let generations = KeyGenerations(owner: pool)
            let pending = try await generations.pendingErasures()
            if onlyIfPending && pending.count == 0 {
                print("Ningún borrado pendiente: todos los borrados registrados ya son definitivos.")
                return
            }
            let outcome = try await generations.rotate(keyringFile: path) { try KeysCommand.write($0, to: path, replacing: true) }
            print("Clave maestra «\(outcome.active)» activa; \(formatCount(Int64(outcome.rewrapped))) claves de datos envueltas de nuevo.")
            print("Destruidas del archivo de claves: \(outcome.retired.map { "«\($0)»" }.joined(separator: ", ")).")
            print("\(formatCount(Int64(outcome.finalizedErasures))) borrado(s) ahora definitivo(s)"
                  + (outcome.completedErasures > 0 ? "; \(outcome.completedErasures) borrado(s) interrumpido(s) completado(s)." : "."))
            print("Reemplace los respaldos del archivo de claves \(path): los anteriores conservan la clave maestra destruida.")
        }
    }
}
