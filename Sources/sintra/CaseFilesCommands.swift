import Accounts
import ArgumentParser
import CanonicalJSON
import CaseFiles
import Catalog
import EventLog
import Postgres
import Privacy

extension CommandOptions {
    func makeReader() throws -> CaseFileReader {
        let store = EventStore(pool: ConnectionPool(connectionString: try database.resolved(), maxConnections: 4))
        return CaseFileReader(store: store, vault: try keys.vault(store.pool), definitions: try events.load())
    }
}

struct CasesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases",
        abstract: "Expedientes: lista con filtros, un expediente con su línea de tiempo, búsqueda por CURP o por nombre.",
        discussion: "Lee la proyección «expedientes» (póngala al día con `sintra projections run --once`). Sin --datos-personales no se muestra ningún dato personal.",
        subcommands: [List.self, Show.self, Find.self, Reindex.self])

    enum Format: String, ExpressibleByArgument { case texto, json }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Expedientes, del registro más reciente al más antiguo, por páginas.")
        @OptionGroup var options: CommandOptions
        @Option(name: .customLong("institucion"), help: "Que registró, participó o recibió una canalización.") var institution: String?
        @Option(name: .customLong("entidad"), help: "Entidad de detección (clave INEGI de 2 dígitos).") var entidad: String?
        @Option(name: .customLong("municipio"), help: "Municipio de detección (clave INEGI de 5 dígitos).") var municipio: String?
        @Option(name: .customLong("estado"), help: "abierto o cerrado.") var status: String?
        @Option(name: .customLong("modalidad"), help: "Modalidad de explotación documentada (catálogo modalidades).") var modality: String?
        @Option(name: .customLong("desde"), help: "Detectados desde esta fecha (AAAA-MM-DD).") var from: String?
        @Option(name: .customLong("hasta"), help: "Detectados hasta esta fecha (AAAA-MM-DD).") var to: String?
        @Option(name: .customLong("validado"), help: "si o no.") var validated: String?
        @Option(name: .customLong("limite"), help: "Expedientes por página (máximo 500).") var limit = 50
        @Option(name: .customLong("despues-de"), help: "Cursor de la página siguiente (lo imprime la página anterior).") var cursor: Int64?
        @Option(help: "texto o json.") var format: Format = .texto

        func run() async throws {
            var problems: [String] = []
            let fromDate = from.flatMap { text in CalendarDate(text) ?? { problems.append("--desde: «\(text)» no es una fecha AAAA-MM-DD"); return nil }() }
            let toDate = to.flatMap { text in CalendarDate(text) ?? { problems.append("--hasta: «\(text)» no es una fecha AAAA-MM-DD"); return nil }() }
            if let status, !["abierto", "cerrado"].contains(status) { problems.append("--estado: use abierto o cerrado") }
            if let validated, !["si", "no"].contains(validated) { problems.append("--validado: use si o no") }
            if !(1...CaseFileReader.maximumPageSize).contains(limit) { problems.append("--limite: de 1 a \(CaseFileReader.maximumPageSize)") }
            guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "\n")) }
            let filter = CaseFilter(institution: institution, entidad: entidad, municipio: municipio, status: status, modality: modality,
                                    detectedFrom: fromDate, detectedTo: toDate, validated: validated.map { $0 == "si" })
            let page = try await options.makeReader().list(filter, pageSize: limit, after: cursor)
            if format == .json {
                let items: [JSONValue] = page.cases.map { item in
                    ["expediente": .string(item.caseId), "institucion": .string(item.registeringInstitution), "sexo": item.sex.map(JSONValue.string) ?? .null,
                     "edad": item.age.map { .number(Double($0)) } ?? .null, "entidad": item.entidad.map(JSONValue.string) ?? .null,
                     "fechaDeDeteccion": .string(item.detectedOn.description), "estado": .string(item.status), "validado": .bool(item.validated),
                     "modalidades": .array(item.modalities.map(JSONValue.string))]
                }
                let next: JSONValue = page.next.map { .number(Double($0)) } ?? .null
                print(String(decoding: CanonicalJSON.serialize(["expedientes": .array(items), "siguiente": next]), as: UTF8.self))
                return
            }
            var table = TextTable("expediente", "institución", "detección", "estado", "validado", "sexo", "edad", "entidad")
            for item in page.cases {
                table.add(item.caseId, item.registeringInstitution, item.detectedOn.description, item.status, item.validated ? "sí" : "no",
                          item.sex ?? "—", item.age.map(String.init) ?? "—", item.entidad ?? "—")
            }
            table.print()
            print("\(page.cases.count) expediente(s)." + (page.next.map { " Página siguiente: --despues-de \($0)" } ?? ""))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Un expediente: datos generales, victimización, línea de tiempo, canalizaciones, instituciones, posibles duplicados (JSON).",
            discussion: "Con --datos-personales actúa como una cuenta (--cuenta o --token) a la que la tabla de permisos se lo permite; la consulta queda registrada con su --motivo antes de mostrarse, como en la API.")
        @OptionGroup var options: CommandOptions
        @OptionGroup var acting: ActingAccountOptions
        @Argument(help: "Identificador del expediente (expediente-…).") var caseId: String
        @Flag(name: .customLong("datos-personales"), help: "Abre los datos personales (requiere --motivo y una cuenta).") var personal = false
        @Option(name: .customLong("motivo"), help: "Para qué se consultan los datos personales.") var purpose: String?

        func validate() throws {
            if personal && (purpose ?? "").trimmingCharacters(in: .whitespaces).count < PersonalDataAccess.minimumPurposeLength {
                throw ValidationError("--datos-personales requiere --motivo (al menos \(PersonalDataAccess.minimumPurposeLength) caracteres): toda consulta de datos personales declara su finalidad")
            }
        }

        func run() async throws {
            var access: (PersonalDataAccess, Identity)?
            if personal, let purpose {
                let service = try await options.makeAccountService()
                let identity = try await acting.identity(service)
                let reader = PersonalDataAccess(accounts: service)
                try await report { try await reader.authorize(identity, record: caseId, purpose: purpose) }
                access = (reader, identity)
            }
            guard let file = try await options.makeReader().read(caseId, personal: personal) else {
                printError("ERROR: no existe el expediente «\(caseId.prefix(80))» (o la proyección aún no lo aplica)")
                throw ExitCode(1)
            }
            if let (reader, identity) = access, let purpose, file.personalDataOpened {
                try await report { try await reader.record(caseId, fields: file.personalFields, purpose: purpose, by: identity, client: "consola") }
            }
            print(String(decoding: CanonicalJSON.serialize(file.json), as: UTF8.self))
            if personal && !file.personalDataOpened {
                // The same fact the JSON states, in words.
                printError(file.summary.personalDataErased ? "Los datos personales de este expediente fueron borrados; no se pueden abrir."
                                                           : "Los datos personales de este expediente no se pudieron abrir (su clave no está).")
            }
        }
    }

    struct Find: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Expedientes de una persona, por su CURP exacta o por su nombre (por índices ciegos; ni la CURP ni el nombre llegan a la base).",
            discussion: """
                --nombre busca palabras completas sin acentos ni mayúsculas: «Maria Lopez» encuentra «MARÍA LÓPEZ PÉREZ»; \
                todas las palabras deben estar en el nombre. Busca en la proyección «expedientes» y marca los posibles duplicados \
                registrados por otra institución. Los expedientes registrados antes del índice de nombres necesitan `sintra cases reindex`.
                """)
        @OptionGroup var options: CommandOptions
        @Option(name: .customLong("curp"), help: "CURP de 18 caracteres.") var curp: String?
        @Option(name: .customLong("nombre"),
                help: "Nombre, apellidos o parte de ellos (palabras completas); «-» lo lee de la entrada estándar, para que no quede en la lista de procesos ni en el historial.")
        var name: String?
        @Option(help: "texto o json.") var format: DataFormat = .texto

        func validate() throws {
            if (curp == nil) == (name == nil) { throw ValidationError("indique --curp o --nombre (uno de los dos)") }
            if let curp, BlindIndex.normalizeCURP(curp).count != 18 { throw ValidationError("--curp: una CURP tiene 18 caracteres") }
            if let name, name != "-", case .failure(let problem) = CaseFileReader.nameSearchTokens(name) { throw ValidationError("--nombre: \(problem.message)") }
        }

        func run() async throws {
            let reader = try options.makeReader()
            if let curp {
                let found = try await reader.find(curp: curp)
                if format == .json { printJSON(["expedientes": .array(found.map(JSONValue.string))]); return }
                if found.isEmpty { print("Ningún expediente con esa CURP."); return }
                for id in found { print(id) }
                return
            }
            // A name typed on the command line is visible to every user in the process list: «-» reads it instead.
            let typed = name == "-" ? (readLine() ?? "") : (name ?? "")
            if case .failure(let problem) = CaseFileReader.nameSearchTokens(typed) { throw ValidationError("--nombre: \(problem.message)") }
            let page = try await reader.find(name: typed, pageSize: CaseFileReader.maximumPageSize)
            if format == .json {
                printJSON(["expedientes": .array(page.hits.map { hit in
                    ["expediente": .string(hit.summary.caseId), "institucion": .string(hit.summary.registeringInstitution),
                     "posibleDuplicadoEnOtraInstitucion": .bool(hit.possibleDuplicateElsewhere)]
                }), "hayMas": .bool(page.next != nil)])
                return
            }
            if page.hits.isEmpty { print("Ningún expediente con ese nombre."); return }
            var table = TextTable("expediente", "institución", "detección", "estado", "posible duplicado")
            for hit in page.hits {
                table.add(hit.summary.caseId, hit.summary.registeringInstitution, hit.summary.detectedOn.description, hit.summary.status,
                          hit.possibleDuplicateElsewhere ? "sí, en otra institución" : "—")
            }
            table.print()
            print("\(page.hits.count) expediente(s)." + (page.next != nil ? " Hay más: precise el nombre." : ""))
        }
    }

    struct Reindex: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rehace el índice ciego de nombres de todos los expedientes (abre sus datos generales con el archivo de claves).",
            discussion: "Para expedientes registrados antes del índice de nombres. Se puede repetir: cada expediente queda con el mismo índice. Los expedientes con datos personales borrados se omiten.")
        @OptionGroup var options: CommandOptions

        func run() async throws {
            let store = EventStore(pool: ConnectionPool(connectionString: try options.database.resolved(), maxConnections: 2))
            let rebuild = NameIndexRebuild(store: store, vault: try options.keys.vault(store.pool))
            let outcome = try await rebuild.run { outcome in
                if outcome.indexed % 1000 == 0 { printError("… \(outcome.indexed) expedientes") }
            }
            print("Índice de nombres rehecho: \(outcome.indexed) expediente(s); \(outcome.withoutKey) sin datos personales (borrados) omitido(s).")
        }
    }
}
