import Accounts
import ArgumentParser
import CanonicalJSON
import Catalog
import Commands
import Definitions
import Foundation
import Records

/// `sintra registros`: the records of the modules beside the case files (operations, trainings,
/// dissemination, instruments, programme facts…) consulted, corrected and annulled — one mechanism
/// for every module. Corrections and annulments act as an account, like every console write.
struct RecordsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registros",
        abstract: "Registros de los módulos (operativos, capacitaciones, difusión, instrumentos, hechos del programa…): consultar, corregir y anular.",
        discussion: "La lista lee la proyección «hechos» (cada registro como está hoy; los anulados ya no aparecen); un registro muestra su historial completo.",
        subcommands: [List.self, Show.self, Correct.self, Annul.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Registros vigentes, del más reciente al más antiguo, por páginas.")
        @OptionGroup var options: CommandOptions
        @Option(name: .customLong("modulo"), help: "Módulo (operativos, capacitacion, difusion…).") var module: String?
        @Option(name: .customLong("institucion"), help: "Institución que hizo el registro.") var institution: String?
        @Option(name: .customLong("entidad"), help: "Entidad del lugar del registro (clave INEGI de 2 dígitos).") var entidad: String?
        @Option(name: .customLong("desde"), help: "Con fecha desde (AAAA-MM-DD).") var from: String?
        @Option(name: .customLong("hasta"), help: "Con fecha hasta (AAAA-MM-DD).") var to: String?
        @Option(name: .customLong("variable"), help: "Variable categórica del módulo, campo=código (se puede repetir).") var variables: [String] = []
        @Option(name: .customLong("limite"), help: "Registros por página (máximo 500).") var limit = 50
        @Option(name: .customLong("despues-de"), help: "Cursor de la página siguiente (lo imprime la página anterior).") var cursor: Int64?
        @Option(help: "texto o json.") var format: DataFormat = .texto

        func run() async throws {
            var problems: [String] = []
            func date(_ text: String?, _ flag: String) -> CalendarDate? {
                guard let text else { return nil }
                if let date = CalendarDate(text) { return date }
                problems.append("\(flag): «\(text.prefix(20))» no es una fecha AAAA-MM-DD")
                return nil
            }
            var pairs: [String: String] = [:]
            for variable in variables {
                let parts = variable.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty { pairs[parts[0]] = parts[1] } else {
                    problems.append("--variable: «\(variable.prefix(60))» debe ser campo=código")
                }
            }
            let filter = ModuleRecordFilter(module: module, institution: institution, entidad: entidad, from: date(from, "--desde"),
                                            to: date(to, "--hasta"), variables: pairs)
            if !(1...500).contains(limit) { problems.append("--limite: de 1 a 500") }
            guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "\n")) }
            let handler = try await options.makeHandler()
            let page: ModuleRecordPage
            do {
                page = try await ModuleRecordReader(store: handler.store, definitions: handler.definitions).list(filter, pageSize: limit, after: cursor)
            } catch let error as RecordQueryError {
                printError("ERROR:\n" + error.problems.map { "  • \($0.path): \($0.message)" }.joined(separator: "\n"))
                throw ExitCode(1)
            }
            if format == .json { printJSON(page.json); return }
            if page.records.isEmpty { print("Ningún registro con esos filtros."); return }
            var table = TextTable("Registro", "Tipo", "Fecha", "Institución")
            for record in page.records { table.add(record.recordId, record.eventType, record.date, record.institution) }
            table.print()
            if let next = page.next { print("Página siguiente: --despues-de \(next)") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Un registro: sus datos como están hoy (sin datos personales) y su historial (registrado, corregido antes → después, anulado; quién y cuándo).")
        @OptionGroup var options: CommandOptions
        @Argument(help: "Identificador del registro (operativo-…, capacitacion-…).") var recordId: String
        @Option(help: "texto o json.") var format: DataFormat = .texto

        func run() async throws {
            let handler = try await options.makeHandler()
            guard let record = try await ModuleRecordReader(store: handler.store, definitions: handler.definitions).read(recordId) else {
                printError("ERROR: no existe un registro de módulo «\(recordId.prefix(80))» (los expedientes se consultan con `sintra cases show`)")
                throw ExitCode(1)
            }
            if format == .json { printJSON(record.json); return }
            print("\(record.eventType) \(record.recordId) — \(record.module), \(record.institution)")
            print(record.annulledOn.map { "ANULADO el \($0): no cuenta en indicadores ni estadísticas." } ?? "Vigente.")
            print(String(decoding: CanonicalJSON.serialize(record.data), as: UTF8.self))
            print("\nHistorial:")
            for change in record.history {
                print("  v\(change.version) \(change.recordedAt) \(change.kind.rawValue) por \(change.userId ?? "?") (\(change.institution))"
                      + (change.reason.map { ": \($0)" } ?? ""))
                for field in change.fields {
                    let show = { (value: JSONValue) in String(decoding: CanonicalJSON.serialize(value), as: UTF8.self) }
                    print("      \(field.field): \(show(field.before)) → \(show(field.after))")
                }
            }
        }
    }

    struct Correct: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "corregir",
            abstract: "Corrige campos de un registro (validados contra su propia definición y los catálogos de su fecha), con el motivo.")
        @OptionGroup var act: RecordActOptions
        @Option(name: .customLong("correcciones"), help: #"Objeto JSON con los campos corregidos, p. ej. '{"personasRescatadas": {"mujeres": 12, "hombres": 0}}'."#)
        var corrections: String

        func run() async throws {
            guard let fixes = try? CanonicalJSON.parse(corrections), fixes.isObject else {
                throw ValidationError("--correcciones: debe ser un objeto JSON con los campos corregidos")
            }
            try await act.send("corregir-registro", ["correcciones": fixes])
        }
    }

    struct Annul: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "anular",
            abstract: "Anula un registro, con el motivo: sigue en el historial, pero deja de contar en indicadores y estadísticas.")
        @OptionGroup var act: RecordActOptions

        func run() async throws { try await act.send("anular-registro", [:]) }
    }
}

/// What a correction and an annulment both take: the record, the reason, the date, who acts.
struct RecordActOptions: ParsableArguments {
    @OptionGroup var options: CommandOptions
    @OptionGroup var acting: ActingAccountOptions
    @Argument(help: "Identificador del registro.") var recordId: String
    @Option(name: .customLong("motivo"), help: "Causa (error de captura, duplicado…) y el documento que la respalda.") var reason: String
    @Option(name: .customLong("fecha"), help: "Fecha del acto (por omisión hoy).") var date: String?

    /// Sends `name` on the record with the reason, the date and `data`, as the acting account.
    func send(_ name: String, _ data: [String: JSONValue]) async throws {
        var payload: [JSONMember] = [.init(key: "fecha", value: .string(date ?? CalendarDate.today().description)), .init(key: "motivo", value: .string(reason))]
        payload += data.sorted { $0.key < $1.key }.map { JSONMember(key: $0.key, value: $0.value) }
        try await sendCommand(name, recordId, .object(payload), options, acting)
    }
}

/// Sends one command as the acting account, with the same permissions and rules as the API;
/// prints what was recorded, or every problem in Spanish (exit 1).
private func sendCommand(_ name: String, _ stream: String, _ data: JSONValue, _ options: CommandOptions, _ acting: ActingAccountOptions) async throws {
    let service = try await options.makeAccountService()
    let identity = try await acting.identity(service)
    let context = try await report { try AuthorizedCommands(accounts: service).context(identity, command: name, client: "sintra-registros/1") }
    let command = Command(name: name, data: data, streamId: stream, idempotencyKey: "consola-\(UUID().uuidString.lowercased())")
    do {
        let result = try await service.handler.handle(command, context: context)
        print("\(result.eventType) → \(result.streamId) v\(result.streamVersion) (posición \(result.position))")
    } catch .rejected(let rejection) {
        printError("ERROR: no se registró nada:\n" + rejection.problems.map { "  • \($0.path): \($0.message)" }.joined(separator: "\n"))
        throw ExitCode(1)
    } catch .forbidden(let reason) {
        printError("ERROR: \(reason)")
        throw ExitCode(1)
    } catch {
        printError("ERROR: \(error)")
        throw ExitCode(2)
    }
}
