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

    func makeHandler() throws -> CommandHandler {
        let url = try database.resolved()
        let store = EventStore(pool: ConnectionPool(connectionString: url, maxConnections: 8))
        return CommandHandler(definitions: try events.load(), store: store,
                              vault: try keys.vault(store.pool))
    }
}

struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ejecuta los comandos de un archivo JSON Lines (uno por línea, cada uno con su clave de idempotencia) y reporta cada línea.",
        discussion: """
            Cada línea es {"comando": …, "claveDeIdempotencia": …, "flujo"?: …, "versionEsperada"?: …, "datos": {…}}.
            Una línea surte efecto completa o no surte efecto; volver a ejecutar el mismo archivo no cambia nada.
            Sale con código 1 si alguna línea fue rechazada.
            """)
    @Argument(help: "Archivo JSON Lines.") var file: String
    @OptionGroup var options: CommandOptions
    @Option(name: .customLong("usuario"), help: "Usuario que registra (queda en los metadatos de cada evento).") var user: String = "carga-masiva"
    @Option(name: .customLong("institucion"), help: "Institución que registra (clave del catálogo de instituciones).") var institution: String
    @Option(help: "Formato del reporte: text o json.") var format: ReportFormat = .text

    enum ReportFormat: String, ExpressibleByArgument { case text, json }

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("no se pudo leer «\(file)»") }
        let handler = try options.makeHandler()
        let context = CommandContext(userId: user, institutionId: institution, client: "sintra-submit/1", today: CalendarDate.today())
        var accepted = 0, replayed = 0, rejected = 0
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let number = index + 1
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            let outcome: LineOutcome
            switch parse(line) {
            case .failure(let rejection):
                outcome = .rejected(rejection.problems)
            case .success(let command) where handler.definitions.definition(forCommand: command.name)?.isInternal == true:
                outcome = .rejected([Problem(path: "comando", code: "comando-interno",
                                             message: "«\(command.name)» lo registra SINTRA por sí mismo; no se envía en un archivo")])
            case .success(let command):
                do {
                    outcome = .accepted(try await handler.handle(command, context: context))
                } catch .rejected(let rejection) {
                    outcome = .rejected(rejection.problems)
                } catch .conflict(let stream, let expected, let current) {
                    outcome = .rejected([Problem(path: "versionEsperada", code: "conflicto-de-version",
                        message: "«\(stream)» está en la versión \(current), no en la \(expected)")])
                } catch .unavailable(let message) {
                    await handler.store.close()
                    printError("línea \(number): ERROR de infraestructura, se detiene la carga: \(message)")
                    printError("Vuelva a ejecutar el mismo archivo: las líneas ya aplicadas no se repiten.")
                    throw ExitCode(2)
                }
            }
            switch outcome {
            case .accepted(let result): if result.replayed { replayed += 1 } else { accepted += 1 }
            case .rejected: rejected += 1
            }
            report(number, outcome)
        }
        await handler.store.close()
        if format == .text {
            print("Resumen: \(accepted) aceptadas, \(replayed) ya aplicadas antes (sin cambios), \(rejected) rechazadas")
        }
        if rejected > 0 { throw ExitCode(1) }
    }

    enum LineOutcome {
        case accepted(CommandResult)
        case rejected([Problem])
    }

    private func parse(_ line: Substring) -> Result<Command, CommandRejection> {
        do {
            return Command.parse(try CanonicalJSON.parse(String(line)))
        } catch {
            return .failure(CommandRejection([Problem(path: error.path, code: "json-invalido", message: "JSON no válido: \(error.message)")]))
        }
    }

    private func report(_ number: Int, _ outcome: LineOutcome) {
        switch (format, outcome) {
        case (.text, .accepted(let result)):
            let what = result.replayed ? "ya aplicada (sin cambios)" : "aceptada"
            var line = "línea \(number): \(what): \(result.eventType) → \(result.streamId) v\(result.streamVersion) (posición \(result.position))"
            if !result.possibleDuplicates.isEmpty { line += "; posible duplicado de \(result.possibleDuplicates.joined(separator: ", "))" }
            print(line)
        case (.text, .rejected(let problems)):
            print("línea \(number): rechazada (\(problems.count) problema\(problems.count == 1 ? "" : "s"))")
            for problem in problems { print("    \(problem)") }
        case (.json, .accepted(let result)):
            let json: JSONValue = ["linea": .number(Double(number)), "estado": .string(result.replayed ? "ya-aplicada" : "aceptada"),
                                   "evento": .string(result.eventType), "flujo": .string(result.streamId),
                                   "version": .number(Double(result.streamVersion)), "posicion": .number(Double(result.position)),
                                   "posiblesDuplicados": .array(result.possibleDuplicates.map { .string($0) })]
            print(json)
        case (.json, .rejected(let problems)):
            let json: JSONValue = ["linea": .number(Double(number)), "estado": "rechazada",
                                   "problemas": .array(problems.map { ["campo": .string($0.path), "codigo": .string($0.code), "mensaje": .string($0.message)] })]
            print(json)
        }
    }
}
