import ArgumentParser
import CanonicalJSON
import Cryptography
import EventLog
import Foundation
import Postgres

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Consulta el registro de eventos (se escribe solo mediante comandos: sintra submit, sintra demo).",
        subcommands: [Tail.self, Stats.self])

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Muestra los últimos N eventos.")
        @OptionGroup var database: DatabaseOptions
        @Option(name: .shortAndLong, help: "Cuántos eventos.") var count: Int = 10
        @Option(help: "texto o json (un documento con los eventos tal como están guardados, cifrados donde son personales).") var format: DataFormat = .texto

        func run() async throws {
            let store = openStore(try database.resolved())
            let events = try await store.tail(count)
            await store.close()
            if format == .json {
                printJSON(["eventos": .array(events.map { event in
                    ["posicion": .number(Double(event.position)), "flujo": .string(event.streamId), "version": .number(Double(event.version)),
                     "evento": .string(event.eventType), "versionDelEsquema": .number(Double(event.schemaVersion)),
                     "ocurrioEn": .string(event.occurredAt.iso8601), "registradoEn": .string(event.recordedAt.iso8601),
                     "datos": (try? CanonicalJSON.parse(event.payload)) ?? .string(event.payload),
                     "metadatos": (try? CanonicalJSON.parse(event.metadata)) ?? .string(event.metadata), "hash": .string(Hex.encode(event.hash))]
                })])
                return
            }
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
        @Option(help: "texto o json.") var format: DataFormat = .texto

        func run() async throws {
            let store = openStore(try database.resolved())
            let head = try await store.head()
            await store.close()
            if format == .json {
                printJSON(["eventos": .number(Double(head.count)), "posicion": .number(Double(head.position)), "hash": .string(Hex.encode(head.hash))])
                return
            }
            print("eventos:            \(formatCount(head.count))")
            print("posición de cabeza: \(head.position)")
            print("hash de cabeza:     \(Hex.encode(head.hash))")
        }
    }
}
