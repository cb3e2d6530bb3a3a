import ArgumentParser
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
}
