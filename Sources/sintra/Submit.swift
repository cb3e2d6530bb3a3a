import Accounts
import ArgumentParser
import CanonicalJSON
import Catalog
import Commands
import Definitions
import EventLog
import Foundation
import Postgres
import Privacy

/// Everything a command needs: the log, the key vault, the definitions.
struct CommandOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var keys: KeyringOptions
    @OptionGroup var events: EventsOptions

    /// The handler, once the keyring and the database are known to be of one environment: a training
    /// keyring (SINTRA Capacitación) never wraps data keys in a production database, nor the reverse.
    func makeHandler() async throws -> CommandHandler {
        let url = try database.resolved()
        let store = EventStore(pool: ConnectionPool(connectionString: url, maxConnections: 8))
        let handler = CommandHandler(definitions: try events.load(), store: store,
                                     vault: try keys.vault(store.pool))
        let keyring = handler.vault.keyring.environment
        if let database = try await DeploymentEnvironment.of(store.pool), database != keyring {
            await store.close()
            printError("ERROR: el archivo de claves es de \(keyring.label) pero la base de datos es de \(database.label): "
                       + "no se mezclan los datos de capacitación con los de producción. Revise DATABASE_URL y SINTRA_MASTER_KEY_FILE")
            throw ExitCode(1)
        }
        // The keyring must be the database's own before anything is written with it.
        do { try await KeyringOptions.requireIdentity(handler.vault.keyring, file: try? keys.path(), pool: store.pool) } catch {
            await store.close()
            throw error
        }
        return handler
    }
}

struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ejecuta los comandos de un archivo JSON Lines (uno por línea, cada uno con su clave de idempotencia) y reporta cada línea.",
        discussion: """
            Cada línea es {"comando": …, "claveDeIdempotencia": …, "flujo"?: …, "versionEsperada"?: …, "datos": {…}}.
            Actúa como una cuenta (--cuenta USUARIO o --token): cada evento queda a su nombre y de su institución, \
            con los permisos de sus roles, como en la API (POST /v1/cargas).
            Una línea surte efecto completa o no surte efecto; volver a ejecutar el mismo archivo no cambia nada.
            Sale con código 1 si alguna línea fue rechazada.
            """)
    @Argument(help: "Archivo JSON Lines.") var file: String
    @OptionGroup var options: CommandOptions
    @OptionGroup var acting: ActingAccountOptions
    @Option(help: "Formato del reporte: texto o json.") var format: ReportFormat = .texto

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable { case texto, json }

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            printError("ERROR: no se pudo leer «\(file)»")
            throw ExitCode(1)
        }
        let service = try await options.makeAccountService()
        let identity = try await acting.identity(service)
        var accepted = 0, replayed = 0, rejected = 0
        do {
            try await BulkLoad(accounts: service).run(String(decoding: data, as: UTF8.self), as: identity, client: "sintra-submit/1") { number, outcome in
                switch outcome {
                case .accepted(let result): if result.replayed { replayed += 1 } else { accepted += 1 }
                case .rejected: rejected += 1
                }
                report(number, outcome)
            }
        } catch let interrupted as BulkLoad.Interrupted {
            await service.handler.store.close()
            printError("línea \(interrupted.line): ERROR de infraestructura, se detiene la carga: \(interrupted.message)")
            printError("Vuelva a ejecutar el mismo archivo: las líneas ya aplicadas no se repiten.")
            throw ExitCode(2)
        }
        await service.handler.store.close()
        if format == .texto {
            print("Resumen: \(accepted) aceptadas, \(replayed) ya aplicadas antes (sin cambios), \(rejected) rechazadas")
        }
        if rejected > 0 { throw ExitCode(1) }
    }

    private func report(_ number: Int, _ outcome: BulkLoad.Outcome) {
        switch format {
        case .texto:
            switch outcome {
            case .accepted(let result):
                let what = result.replayed ? "ya aplicada (sin cambios)" : "aceptada"
                var line = "línea \(number): \(what): \(result.eventType) → \(result.streamId) v\(result.streamVersion) (posición \(result.position))"
                if !result.possibleDuplicates.isEmpty { line += "; posible duplicado de \(result.possibleDuplicates.joined(separator: ", "))" }
                print(line)
            case .rejected(let problems):
                print("línea \(number): rechazada (\(problems.count) problema\(problems.count == 1 ? "" : "s"))")
                for problem in problems { print("    \(problem)") }
            }
        case .json:
            print(String(decoding: CanonicalJSON.serialize(BulkLoad.json(number, outcome)), as: UTF8.self))
        }
    }
}
