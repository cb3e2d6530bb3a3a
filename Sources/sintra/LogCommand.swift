import ArgumentParser
import Cryptography
import EventLog
import Foundation
import Postgres

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Consulta y escribe el registro de eventos.",
        subcommands: [Tail.self, Stats.self, Append.self])

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Muestra los últimos N eventos.")
        @OptionGroup var database: DatabaseOptions
        @Option(name: .shortAndLong, help: "Cuántos eventos.") var count: Int = 10

        func run() async throws {
            let store = openStore(try database.resolved())
            let events = try await store.tail(count)
            await store.close()
            for event in events {
                print("#\(event.position)  \(event.recordedAt.iso8601)  \(event.streamId) v\(event.version)  \(event.eventType)/\(event.schemaVersion)")
                print("    ocurrió: \(event.occurredAt.iso8601)  metadatos: \(event.metadata)")
                print("    contenido: \(event.payload)")
                print("    hash: \(Hex.encode(event.hash))")
            }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cuenta de eventos, posición y hash de la cabeza.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let store = openStore(try database.resolved())
            let head = try await store.head()
            await store.close()
            print("eventos:            \(formatCount(head.count))")
            print("posición de cabeza: \(head.position)")
            print("hash de cabeza:     \(Hex.encode(head.hash))")
        }
    }

    struct Append: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Agrega un evento a un flujo (para operación y pruebas; los módulos tendrán sus propios comandos).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Identificador del flujo, p. ej. victima-123.") var stream: String
        @Option(name: .customLong("stream-type"), help: "Tipo del flujo, p. ej. Victima.") var streamType: String
        @Option(name: .customLong("type"), help: "Tipo de evento, p. ej. VictimaRegistrada.") var eventType: String
        @Option(help: "Contenido JSON (objeto).") var payload: String
        @Option(help: "Versión esperada: any, no-stream o un número.") var expected: String = "any"
        @Option(help: "Usuario que registra.") var user: String
        @Option(help: "Institución que registra.") var institution: String
        @Option(name: .customLong("occurred-at"), help: "Fecha del hecho (RFC 3339); por omisión, ahora.") var occurredAt: String?
        @Option(name: .customLong("idempotency-key")) var idempotencyKey: String?

        func run() async throws {
            var problems: [InputProblem] = []
            var expectedVersion = ExpectedVersion.any
            do { expectedVersion = try ExpectedVersion(parsing: expected) } catch {
                if case .invalidInput(let found) = error { problems += found }
            }
            var occurred = Timestamp.now()
            if let occurredAt {
                if let parsed = Timestamp(iso8601: occurredAt) { occurred = parsed } else {
                    problems.append(InputProblem(path: "occurredAt", message: "«\(occurredAt)» no es una fecha RFC 3339"))
                }
            }
            guard problems.isEmpty else { throw ValidationError(EventLogError.invalidInput(problems).description) }
            let store = openStore(try database.resolved())
            let outcome: Result<AppendResult, EventLogError>
            do {
                outcome = .success(try await store.append(AppendRequest(
                    streamId: stream, streamType: streamType, expectedVersion: expectedVersion,
                    events: [NewEvent(eventType: eventType, payload: payload, occurredAt: occurred)],
                    metadata: EventMetadata(userId: user, institutionId: institution, client: "sintra-cli"),
                    idempotencyKey: idempotencyKey)))
            } catch {
                outcome = .failure(error)
            }
            await store.close()
            switch outcome {
            case .success(let result):
                print(result.replayed
                      ? "Ya registrado antes (misma clave de idempotencia): posición \(result.lastPosition), versión \(result.streamVersion)."
                      : "Registrado en la posición \(result.lastPosition); el flujo está en la versión \(result.streamVersion).")
            case .failure(let error):
                printError("ERROR: \(error)")
                throw ExitCode(error.isConflict ? 3 : 2)
            }
        }
    }
}

extension EventLogError {
    var isConflict: Bool { if case .conflict = self { true } else { false } }
}
