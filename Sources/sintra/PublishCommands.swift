import Accounts
import ArgumentParser
import Catalog
import Commands
import EventLog
import Foundation
import Indicators
import Projections
import Publications
import Statistics

/// The fichas folder, as `sintra indicators` finds it.
struct IndicatorFolderOptions: ParsableArguments {
    @Option(name: .customLong("indicators"), help: "Carpeta de las fichas (por omisión $SINTRA_PROJECTIONS_DIR/indicators o ./projections/indicators).")
    var directory: String?

    func load() throws -> [IndicatorDefinition] {
        let folder = try directory ?? (ConfigReader.load().folder(Settings.projectionsDirectory, holding: "indicators") + "/indicators")
        return try IndicatorDefinition.loadAll(directory: URL(fileURLWithPath: folder))
    }
}

/// `2019-2024` or `2023`.
struct YearRange: ExpressibleByArgument {
    let years: [Int]
    init?(argument: String) {
        let parts = argument.split(separator: "-").compactMap { Int($0) }
        guard (1...2).contains(parts.count), parts.allSatisfy({ (1990...2100).contains($0) }), parts.first! <= parts.last! else { return nil }
        years = Array(parts.first!...parts.last!)
    }
}

/// A publication is recorded in the name of the account that publishes (--cuenta or --token), which
/// needs the «publicar» permission: never an institution typed on the command line.
func publishingContext(_ accounts: AccountService, _ acting: ActingAccountOptions) async throws -> CommandContext {
    let identity = try await acting.identity(accounts)
    return try await report { try AuthorizedCommands(accounts: accounts).context(identity, action: .publicar, client: "sintra-publish/1") }
}

struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publica cifras y deja constancia en el registro (evento PublicacionRealizada), a nombre de la cuenta que publica: qué se publicó, en qué posición y con qué definiciones.",
        subcommands: [Indicators.self, Stats.self])

    struct Indicators: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "indicators",
            abstract: "Publica el anexo «Avance de las Metas para el bienestar y Parámetros» con todas sus cifras.",
            discussion: """
                Antes registra las versiones de las fichas que aún no estén en el registro. Con --out escribe el anexo en \
                JSON (el documento cuya huella SHA-256 queda en el evento), Markdown y HTML.
                """)
        @OptionGroup var command: CommandOptions
        @OptionGroup var projector: ProjectorOptions
        @OptionGroup var fichas: IndicatorFolderOptions
        @Option(name: .customLong("anios"), help: "Años que cubre, p. ej. 2019-2024 (por omisión) o 2023.") var years = YearRange(argument: "2019-2024")!
        @OptionGroup var acting: ActingAccountOptions
        @Option(help: "Carpeta donde escribir anexo.json, anexo.md y anexo.html.") var out: String?

        func run() async throws {
            let projector = try projector.makeProjector()
            let accounts = try await command.makeAccountService()
            let handler = accounts.handler
            let current = try fichas.load()
            let publisher = IndicatorPublisher(projector: projector, history: IndicatorDefinitionHistory(pool: projector.pool), current: current)
            let context = try await publishingContext(accounts, acting)
            let training = try await DeploymentEnvironment.of(projector.pool) == .capacitacion
            let published: IndicatorPublisher.Published
            do { published = try await publisher.publish(years: years.years, handler: handler, context: context, training: training) } catch let error as CommandError {
                throw ValidationError("no se registró la publicación: \(error)")
            }
            let publication = published.publication
            if let out {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                try published.document.write(toFile: out + "/anexo.json", atomically: true, encoding: .utf8)
                let markdown = AnnexRenderer.markdown(published.results, definitions: current)
                let html = AnnexRenderer.html(published.results, definitions: current)
                try (training ? TrainingMark.markdown(markdown) : markdown).write(toFile: out + "/anexo.md", atomically: true, encoding: .utf8)
                try (training ? TrainingMark.html(html) : html).write(toFile: out + "/anexo.html", atomically: true, encoding: .utf8)
                print("Anexo escrito en \(out)/anexo.json, anexo.md y anexo.html.")
            }
            print("Publicación \(publication.streamId) registrada en la posición \(formatCount(publication.position)): anexo de indicadores "
                  + "\(publication.years.first!)–\(publication.years.last!), \(publication.figures.count) cifras calculadas con el registro hasta la "
                  + "posición \(formatCount(publication.logPosition)).")
            print("Huella SHA-256 de anexo.json: \(publication.fingerprint)")
            print("Compárela después con lo que se sabe: sintra publications compare --year \(publication.years.last!)")
            if training { print(TrainingMark.notice) }
        }
    }
}

extension Publish {
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Publica una entrega de estadísticas públicas (JSON, CSV y datapackage.json) y la registra con su huella.")
        @OptionGroup var command: CommandOptions
        @OptionGroup var projector: ProjectorOptions
        @Option(name: .customLong("anio"), help: "Solo este año (por omisión, toda la serie).") var year: Int?
        @Option(name: .customLong("umbral"), help: "Se suprime toda cifra de 1 a este número (por omisión $SINTRA_UMBRAL o 10); no menor que el de una entrega anterior del año.")
        var thresholdFlag: Int?
        /// --umbral, else $SINTRA_UMBRAL (or the configuration file), else 10; `validate` has refused one that does not parse.
        var threshold: Int { ((try? ConfigReader.load().integer(Settings.threshold, flag: thresholdFlag)) ?? nil) ?? StatisticsBuilder.defaultThreshold }
        @Option(name: .customLong("grupos-de-edad"), help: "Catálogo de grupos de edad (por omisión grupos-de-edad-programa-estatal); el mismo que la entrega anterior del año.")
        var ageBands = StatisticsBuilder.defaultAgeBands
        @OptionGroup var acting: ActingAccountOptions
        @Option(help: "Carpeta donde escribir la entrega.") var out: String

        func validate() throws {
            _ = try ConfigReader.load().integer(Settings.threshold, flag: thresholdFlag)
        }

        func run() async throws {
            let catalogs = try command.events.load().catalogs
            let projector = try projector.makeProjector()
            let publisher = StatisticsPublisher(projector: projector, labels: Labels(catalogs: catalogs))
            let accounts = try await command.makeAccountService()
            let context = try await publishingContext(accounts, acting)
            let published: StatisticsPublisher.Published
            do {
                published = try await publisher.publish(year: year, threshold: threshold, ageBands: ageBands, handler: accounts.handler, context: context)
            } catch PublicationError.refused(let reason) {
                printError("ERROR: no se publicó: \(reason)")
                throw ExitCode(1)
            }
            let files = try DataPackage.export(published.report, to: URL(fileURLWithPath: out), wholeSeries: year == nil)
            try published.document.write(toFile: out + "/entrega.json", atomically: true, encoding: .utf8)
            let publication = published.publication
            print("Escritos en \(out): entrega.json, \(files.joined(separator: ", "))")
            print("Publicación \(publication.streamId) registrada en la posición \(formatCount(publication.position)): estadísticas "
                  + "\(publication.years.first!)–\(publication.years.last!), registro hasta la posición \(formatCount(publication.logPosition)), umbral \(threshold).")
            print("Huella SHA-256 de entrega.json: \(publication.fingerprint)")
            print(published.report.rule)
            if published.report.training { print(TrainingMark.notice + " (lo dicen también entrega.json y cada archivo)") }
        }
    }
}

struct Publications: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publications",
        abstract: "Publicaciones registradas: listarlas y comparar lo publicado con lo que se sabe ahora.",
        subcommands: [List.self, Compare.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cada publicación: fecha, tipo, años, posición del registro y huella.")
        @OptionGroup var projector: ProjectorOptions
        @Option(help: "texto o json.") var format: DataFormat = .texto

        func run() async throws {
            let all = try await Publication.all(try projector.makeProjector().pool)
            if format == .json {
                printJSON(["publicaciones": .array(all.map { item in
                    ["publicacion": .string(item.streamId), "posicion": .number(Double(item.position)), "fecha": .string(item.date.description),
                     "tipo": .string(item.kind.rawValue), "anios": .array(item.years.map { .number(Double($0)) }),
                     "posicionDelRegistro": .number(Double(item.logPosition)), "umbral": item.threshold.map { .number(Double($0)) } ?? .null,
                     "definiciones": .array(item.definitions.map { ["clave": .string($0.key), "version": .number(Double($0.version))] }),
                     "huella": .string(item.fingerprint), "institucion": .string(item.institution)]
                })])
                return
            }
            if all.isEmpty { print("No hay publicaciones registradas."); return }
            print("| publicación | fecha | tipo | años | registro hasta | umbral | definiciones | huella |")
            print("| --- | --- | --- | --- | --- | ---: | --- | --- |")
            for item in all {
                let definitions = item.definitions.map { "\($0.key) v\($0.version)" }.joined(separator: ", ")
                print("| \(item.streamId) | \(item.date) | \(item.kind.rawValue) | \(item.years.first ?? 0)–\(item.years.last ?? 0) | "
                      + "\(formatCount(item.logPosition)) | \(item.threshold.map(String.init) ?? "—") | \(definitions) | \(item.fingerprint.prefix(16))… |")
            }
        }
    }

    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lo publicado para un año frente a lo que se sabe ahora, con cada cifra recalculada en la posición publicada.",
            discussion: """
                Tres columnas por cifra: como se publicó; recalculada hoy en la misma posición del registro con las fichas \
                vigentes entonces (debe coincidir: si no, la cifra publicada no se puede reproducir y el comando termina con \
                código 1); y ahora, con los eventos posteriores que explican la diferencia.
                """)
        @OptionGroup var projector: ProjectorOptions
        @OptionGroup var fichas: IndicatorFolderOptions
        @OptionGroup var events: EventsOptions
        @Option(name: .customLong("anio"), help: "Año publicado; se toma la última publicación del anexo (o de estadísticas, con --tipo) que lo cubre.") var year: Int?
        @Option(name: .customLong("tipo"), help: "anexo-de-indicadores (por omisión) o estadisticas-publicas, con --anio.") var kind = "anexo-de-indicadores"
        @Option(name: .customLong("publicacion"), help: "Flujo de la publicación (publicacion-…), en lugar de --anio.") var stream: String?
        @Option(help: "texto o json.") var format: DataFormat = .texto

        func validate() throws {
            if (year == nil) == (stream == nil) { throw ValidationError("indique --anio o --publicacion") }
        }

        func run() async throws {
            let projector = try projector.makeProjector()
            let all = try await Publication.all(projector.pool)
            // A comparison on a SINTRA Capacitación database says so before anything else.
            let training = try await DeploymentEnvironment.of(projector.pool) == .capacitacion
            if training && format == .texto { print("> **\(TrainingMark.notice)**\n") }
            guard let wanted = Publication.Kind(rawValue: kind) else { throw ValidationError("--tipo: anexo-de-indicadores o estadisticas-publicas") }
            let found = stream.map { id in all.first { $0.streamId == id } } ?? all.last { $0.kind == wanted && $0.years.contains(year!) }
            guard let publication = found else {
                throw ValidationError(stream.map { "no hay una publicación «\($0)»" } ?? "no hay una publicación \(wanted == .statistics ? "de estadísticas" : "del anexo de indicadores") que cubra \(year!)")
            }
            if publication.kind == .statistics { return try await compareStatistics(publication, projector, training: training) }
            let publisher = IndicatorPublisher(projector: projector, history: IndicatorDefinitionHistory(pool: projector.pool), current: try fichas.load())
            let rows = try await publisher.compare(publication, today: CalendarDate.today())
                .filter { year == nil || $0.year == year }
            let failures = rows.filter { !$0.reproduces }
            if format == .json {
                printJSON(["publicacion": .string(publication.streamId), "posicionDelRegistro": .number(Double(publication.logPosition)),
                           "reproduce": .bool(failures.isEmpty), "cifras": .array(rows.map { row in
                    ["indicador": .string(row.indicator), "anio": .number(Double(row.year)), "publicado": .string(row.published.display),
                     "recalculado": row.reproduced.map { .string($0.display) } ?? .null, "ahora": row.now.map { .string($0.display) } ?? .null,
                     "reproduce": .bool(row.reproduces), "posicionesPosteriores": .array(row.laterPositions.map { .number(Double($0)) })]
                })], training: training)
                if !failures.isEmpty { throw ExitCode(1) }
                return
            }
            print("# Publicación \(publication.streamId) del \(publication.date) (registro hasta la posición \(formatCount(publication.logPosition)))\n")
            print("| indicador | año | publicado | recalculado en \(formatCount(publication.logPosition)) | ahora | eventos posteriores que cuentan ahora |")
            print("| --- | --- | --- | --- | --- | --- |")
            for row in rows {
                let later = row.laterPositions
                let explanation = later.isEmpty ? (row.now?.display == row.published.display ? "—" : "cambio de definición o de validación")
                    : "posiciones " + later.prefix(12).map(String.init).joined(separator: ", ") + (later.count > 12 ? "…" : "")
                print("| \(row.indicator) | \(row.year) | \(row.published.display) | \(row.reproduced?.display ?? "—")\(row.reproduces ? "" : " ⚠") "
                      + "| \(row.now?.display ?? "—") | \(explanation) |")
            }
            if failures.isEmpty {
                print("\nLas \(rows.count) cifras publicadas se reproducen exactamente en la posición \(formatCount(publication.logPosition)).")
            } else {
                printError("\nATENCIÓN: \(failures.count) cifra(s) publicadas no se reproducen (⚠): "
                           + failures.map { "\($0.indicator) \($0.year)" }.joined(separator: ", "))
                throw ExitCode(1)
            }
        }

        private func compareStatistics(_ publication: Publication, _ projector: Projector, training: Bool) async throws {
            let check = try await StatisticsPublisher(projector: projector, labels: Labels(catalogs: try events.load().catalogs)).check(publication)
            if format == .json {
                printJSON(["publicacion": .string(publication.streamId), "posicionDelRegistro": .number(Double(publication.logPosition)),
                           "umbral": publication.threshold.map { .number(Double($0)) } ?? .null, "reproduce": .bool(check.reproduces),
                           "versionAhora": check.versionNow.map { .number(Double($0)) } ?? .null,
                           "cambios": .array(check.changedCells.map { cell in
                    ["tabla": .string(cell.table), "fila": .string(cell.row), "columna": .string(cell.column),
                     "publicado": cell.then.map { .number(Double($0)) } ?? .null, "ahora": cell.now.map { .number(Double($0)) } ?? .null]
                })], training: training)
                if !check.reproduces { throw ExitCode(1) }
                return
            }
            print("# Publicación \(publication.streamId) del \(publication.date): estadísticas \(publication.years.first ?? 0)–\(publication.years.last ?? 0), "
                  + "registro hasta la posición \(formatCount(publication.logPosition)), umbral \(publication.threshold ?? 0)\n")
            if let version = check.versionNow {
                print("La proyección «estadisticas» cambió de versión desde entonces (ahora \(version)); la reproducción usa la versión actual.")
            }
            if check.changedCells.isEmpty {
                print("Ninguna cifra publicada cambió con lo que se sabe ahora.")
            } else {
                print("| tabla | fila | columna | publicado | ahora |")
                print("| --- | --- | --- | --- | --- |")
                for cell in check.changedCells {
                    print("| \(cell.table) | \(cell.row) | \(cell.column) | \(cell.then.map(String.init) ?? "(s)") | \(cell.now.map(String.init) ?? "(s)") |")
                }
            }
            if check.reproduces {
                print("\nLa entrega se reproduce exactamente (misma huella SHA-256) en la posición \(formatCount(publication.logPosition)).")
            } else {
                printError("\nATENCIÓN: la entrega recalculada en la posición \(publication.logPosition) no tiene la huella publicada.")
                throw ExitCode(1)
            }
        }
    }
}
