import API
import ArgumentParser
import CanonicalJSON
import Definitions
import Foundation

/// Where the event definitions and catalogues are: `--events`, $SINTRA_EVENTS_DIR, or `./events`
/// (else the repository's, found from anywhere: `RepositoryFolder`).
struct EventsOptions: ParsableArguments {
    @Option(name: .customLong("events"), help: "Carpeta de definiciones y catálogos (por omisión $SINTRA_EVENTS_DIR o ./events).")
    var directory: String?

    var resolved: String { (try? ConfigReader.load())?.folder(Settings.eventsDirectory, flag: directory, holding: "definitions") ?? directory ?? "events" }

    func load() throws -> DefinitionSet {
        do {
            let definitions = try DefinitionSet.load(eventsDirectory: URL(fileURLWithPath: resolved))
            // The code names event types through `EventType`; a name no definition declares (a typo,
            // a definition removed) must stop the program now, not fail a rule in production.
            let missing = definitions.missingEventTypes()
            guard missing.isEmpty else {
                printError("ERROR: el código usa tipos de evento que ninguna definición de «\(resolved)» declara: \(missing.joined(separator: ", "))")
                throw ExitCode(1)
            }
            return definitions
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("ERROR: \(error)")
            // Run from another folder, the default ./events is not there: say how to point at it.
            if !FileManager.default.fileExists(atPath: resolved) {
                printError("No existe la carpeta «\(URL(fileURLWithPath: resolved).path)»: indique la carpeta events/ del repositorio con --events o $SINTRA_EVENTS_DIR.")
            }
            throw ExitCode(1)
        }
    }
}

struct DefinitionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "definitions",
        abstract: "Definiciones de eventos y catálogos (events/): comprobarlas, listar comandos, generar el diccionario.",
        subcommands: [Check.self, Commands.self, Dictionary.self, OpenAPI.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Carga y comprueba todas las definiciones; muestra las variables por módulo.")
        @OptionGroup var events: EventsOptions

        func run() throws {
            let set = try events.load()
            print("\(set.all.count) definiciones (\(set.current.count) tipos de evento), \(set.catalogs.catalogs.count) catálogos, \(set.commands.count) comandos")
            var ok = true
            for module in DataDictionary.modules {
                let count = DataDictionary.variables(of: module.id, in: set).count
                ok = ok && count == module.documentedVariables
                print("  \(module.name.padding(toLength: 42, withPad: " ", startingAt: 0)) \(count) de \(module.documentedVariables)\(count == module.documentedVariables ? "" : "  ✗")")
            }
            if !ok { throw ExitCode(1) }
        }
    }

    struct Commands: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lista los comandos, el evento que registra cada uno y su flujo.")
        @OptionGroup var events: EventsOptions
        @Option(help: "texto o json.") var format: DataFormat = .texto

        func run() throws {
            let set = try events.load()
            let definitions = set.commands.compactMap { set.definition(forCommand: $0) }
            if format == .json {
                printJSON(["comandos": .array(definitions.map { definition in
                    ["comando": .string(definition.command), "evento": .string(definition.eventType), "version": .number(Double(definition.version)),
                     "modulo": .string(definition.module), "flujo": .string(definition.streamCategory), "iniciaFlujo": .bool(definition.startsStream),
                     "interno": .bool(definition.isInternal)]
                })])
                return
            }
            var table = TextTable("comando", "evento", "flujo")
            for definition in definitions {
                let flow = definition.startsStream ? "nuevo \(definition.streamCategory)-…" : "sobre \(definition.streamCategory)-…"
                table.add(definition.command, "\(definition.eventType) v\(definition.version)", flow)
            }
            table.print()
        }
    }

    struct Dictionary: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Imprime el diccionario de datos, o lo escribe en events/README.md con --write.")
        @OptionGroup var events: EventsOptions
        @Flag(help: "Actualiza el bloque generado de events/README.md.") var write = false

        func run() throws {
            let set = try events.load()
            guard write else { print(DataDictionary.markdown(set)); return }
            let path = events.resolved + "/README.md"
            let readme = try String(contentsOfFile: path, encoding: .utf8)
            try DataDictionary.updating(readme: readme, with: set).write(toFile: path, atomically: true, encoding: .utf8)
            print("Diccionario actualizado en \(path)")
        }
    }

    struct OpenAPI: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "openapi",
            abstract: "Imprime el contrato OpenAPI 3.1 de la API (esquemas tomados de las definiciones), o lo escribe en events/openapi.json con --write.")
        @OptionGroup var events: EventsOptions
        @Flag(help: "Escribe events/openapi.json.") var write = false

        func run() throws {
            let text = OpenAPIDocument.text(APIServer.contract(definitions: try events.load()))
            guard write else { print(text, terminator: ""); return }
            let path = events.resolved + "/openapi.json"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            print("Contrato escrito en \(path)")
        }
    }
}
