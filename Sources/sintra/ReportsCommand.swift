import Accounts
import ArgumentParser
import CanonicalJSON
import Catalog
import Foundation
import Projections
import Reports
import Statistics

/// `sintra reportes`: the reports module (módulo 5): pivot tables over any categorical variable of any
/// module, for publication (suppressed) or internal use (true counts), never with personal data.
struct ReportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reportes",
        abstract: "Reportes: tablas de cualquier variable categórica de cualquier módulo en filas y columnas, con filtros y una medida; sin datos personales.",
        subcommands: [Run.self, Save.self, Saved.self, Variables.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run", abstract: "Calcula un reporte: un archivo JSON (fuente, filas, columnas, filtros, medida, modo) o el nombre de un reporte guardado.")
        @OptionGroup var projector: ProjectorOptions
        @OptionGroup var events: EventsOptions
        @Argument(help: "Archivo JSON con la definición del reporte, o el nombre de un reporte guardado.") var file: String
        @Option(help: "json, csv, md, html o xlsx (xlsx requiere --salida).") var format: Format = .md
        @Option(name: .customLong("salida"), help: "Escribe el reporte en este archivo en vez de imprimirlo.") var output: String?
        @Option(name: .customLong("umbral"), help: "Reportes para publicación: se suprime toda cifra de 1 a este número (por omisión 10).")
        var threshold: Int = StatisticsBuilder.defaultThreshold
        @Option(name: .customLong("as-of"), help: "Fecha AAAA-MM-DD: el reporte como estaba al final de ese día.") var asOf: String?

        enum Format: String, ExpressibleByArgument { case json, csv, md, html, xlsx }

        func validate() throws {
            if format == .xlsx && output == nil { throw ValidationError("--format xlsx: indique el archivo con --salida (una hoja de cálculo no se imprime)") }
            if threshold < 1 { throw ValidationError("--umbral: al menos 1 (se suprime toda cifra de 1 al umbral)") }
            if let asOf, CalendarDate(asOf) == nil { throw ValidationError("--as-of: «\(asOf)» no es una fecha AAAA-MM-DD") }
        }

        func run() async throws {
            let definitions = try events.load()
            let catalogs = definitions.catalogs
            let projector = try self.projector.makeProjector()
            let document: JSONValue
            if FileManager.default.fileExists(atPath: file) {
                document = try readDefinition(file)
            } else if file.range(of: "^[a-z0-9]+(-[a-z0-9]+)*$", options: .regularExpression) != nil {
                try await projector.start()
                guard let saved = try await SavedReports(pool: projector.pool).named(file) else {
                    printError("ERROR: no hay un archivo «\(file)» ni un reporte guardado con ese nombre (sintra reportes guardados los lista)")
                    throw ExitCode(1)
                }
                document = saved.document
            } else {
                printError("ERROR: no existe el archivo «\(file)»")
                throw ExitCode(1)
            }
            let report: ReportDefinition
            do { report = try ReportDefinition.parse(document, catalogue: ReportCatalogue(definitions: definitions)) } catch let error as ReportInputError {
                printError("ERROR: el reporte «\(file)» no es válido:")
                for problem in error.problems { printError("  \(problem)") }
                throw ExitCode(1)
            }
            try await projector.start()
            let result = try await ReportRunner(projector: projector, catalogs: catalogs)
                .run(report, threshold: threshold, asOf: asOf.flatMap { CalendarDate($0) })
            let bytes: [UInt8] = switch format {
            case .json: Array((ReportRenderer.json(result) + "\n").utf8)
            case .csv: Array(ReportRenderer.csv(result).utf8)
            case .md: Array(ReportRenderer.markdown(result).utf8)
            case .html: Array(ReportRenderer.html(result).utf8)
            case .xlsx: ReportWorkbook.xlsx(result)
            }
            if let output {
                try Data(bytes).write(to: URL(fileURLWithPath: output))
                print("Escrito «\(output)»: \(result.title) (posición \(result.position)). \(result.rule)")
            } else {
                print(String(decoding: bytes, as: UTF8.self), terminator: "")
            }
        }
    }

    struct Save: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "guardar",
            abstract: "Guarda un reporte con un nombre (evento ReporteGuardado, a nombre de la cuenta que actúa) para volver a ejecutarlo; el mismo nombre lo reemplaza.")
        @Argument(help: "Archivo JSON con la definición del reporte.") var file: String
        @Option(name: .customLong("nombre"), help: "Nombre: minúsculas, dígitos y guiones.") var name: String
        @Option(name: .customLong("descripcion"), help: "Para qué sirve (sin datos personales).") var purpose: String?
        @OptionGroup var options: CommandOptions
        @OptionGroup var acting: ActingAccountOptions

        func run() async throws {
            let document = try readDefinition(file)
            let definitions = try options.events.load()
            do { _ = try ReportDefinition.parse(document, catalogue: ReportCatalogue(definitions: definitions)) } catch let error as ReportInputError {
                printError("ERROR: el reporte «\(file)» no es válido; no se guardó nada:")
                for problem in error.problems { printError("  \(problem)") }
                throw ExitCode(1)
            }
            var data: [JSONMember] = [.init(key: "fecha", value: .string(CalendarDate.today().description)), .init(key: "nombre", value: .string(name)),
                                      .init(key: "definicion", value: document)]
            if let purpose { data.append(.init(key: "descripcion", value: .string(purpose))) }
            let line: JSONValue = .object([.init(key: "comando", value: "guardar-reporte"), .init(key: "claveDeIdempotencia", value: .string(UUID().uuidString)),
                                           .init(key: "datos", value: .object(data))])
            let service = try await options.makeAccountService()
            let identity = try await acting.identity(service)
            var failed = false
            try await BulkLoad(accounts: service).run(String(decoding: CanonicalJSON.serialize(line), as: UTF8.self), as: identity, client: "sintra-reportes/1") { _, outcome in
                switch outcome {
                case .accepted(let result): print("Guardado «\(name)» (posición \(result.position)); ejecútelo con: sintra reportes run \(name)")
                case .rejected(let problems):
                    failed = true
                    printError("ERROR: no se guardó «\(name)»:")
                    for problem in problems { printError("  \(problem)") }
                }
            }
            await service.handler.store.close()
            if failed { throw ExitCode(1) }
        }
    }

    struct Saved: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "guardados", abstract: "Los reportes guardados: nombre, título, quién y cuándo.")
        @OptionGroup var projector: ProjectorOptions

        func run() async throws {
            let projector = try self.projector.makeProjector()
            try await projector.start()
            for saved in try await SavedReports(pool: projector.pool).all() {
                print("\(saved.name)\t\(saved.document["titulo"]?.stringValue ?? "")\t\(saved.institution)\t\(saved.date)")
            }
        }
    }

    struct Variables: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "variables", abstract: "Las fuentes y las variables que un reporte puede usar, generadas de las definiciones de eventos.")
        @OptionGroup var events: EventsOptions
        @Option(name: .customLong("fuente"), help: "Solo esta fuente (un tipo de evento, o «personas»).") var source: String?

        func run() async throws {
            let catalogue = ReportCatalogue(definitions: try events.load())
            let sources = catalogue.sources.filter { source == nil || $0.name == source }
            if sources.isEmpty {
                printError("ERROR: «\(source ?? "")» no es una fuente; se admiten: \(catalogue.sources.map(\.name).joined(separator: ", "))")
                throw ExitCode(1)
            }
            for source in sources {
                print("\(source.name) (\(source.module))")
                print("  dimensiones: \(source.dimensions.joined(separator: ", "))")
                print("  medidas: " + (source.isPeople ? "personas" : (["registros"] + source.numerics.map { "suma de \($0)" }).joined(separator: ", ")))
            }
        }
    }
}

/// A report's definition from a JSON file, or a Spanish error.
func readDefinition(_ file: String) throws -> JSONValue {
    do { return try CanonicalJSON.parse(Array(try Data(contentsOf: URL(fileURLWithPath: file)))) } catch {
        printError("ERROR: no se pudo leer «\(file)» como JSON: \(error)")
        throw ExitCode(1)
    }
}
