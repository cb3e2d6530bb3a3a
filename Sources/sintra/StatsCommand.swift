import ArgumentParser
import CanonicalJSON
import Catalog
import EventLog
import Foundation
import Indicators
import Projections
import Statistics

/// `sintra stats`: the public statistics of Ley General art. 88 fr. VIII, with disclosure control.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Estadísticas públicas (Ley General, art. 88, fr. VIII) por año y entidad, con supresión de cifras pequeñas.",
        discussion: "Cuenta personas, no registros: los expedientes vinculados cuentan una vez; solo casos con consentimiento y registro validado.",
        subcommands: [Show.self, ExportFiles.self], defaultSubcommand: Show.self)

    /// What both subcommands need: the projector (brought up to date first), the catalogues for the
    /// labels, the year and the threshold.
    struct Options: ParsableArguments {
        @OptionGroup var projector: ProjectorOptions
        @OptionGroup var events: EventsOptions
        @Option(name: .customLong("anio"), help: "Solo este año (por omisión, todos los años con datos).") var year: Int?
        @Option(name: .customLong("umbral"), help: "Se suprime toda cifra de 1 a este número (por omisión $SINTRA_UMBRAL o 10).")
        var thresholdFlag: Int?
        /// --umbral, else $SINTRA_UMBRAL (or the configuration file), else 10; `validate` has refused one that does not parse.
        var threshold: Int { ((try? ConfigReader.load().integer(Settings.threshold, flag: thresholdFlag)) ?? nil) ?? StatisticsBuilder.defaultThreshold }
        @Option(name: .customLong("grupos-de-edad"), help: "Catálogo de grupos de edad: grupos-de-edad-programa-estatal (por omisión), grupos-de-edad-quinquenales o grupos-de-edad-sintra-2024.")
        var ageBands: String = StatisticsBuilder.defaultAgeBands

        func validate() throws {
            // One rule wherever a threshold is set (stats, publish, serve): at least 1. With 0 nothing
            // would be suppressed, and the output would still claim a rule «de 1 a 0».
            _ = try ConfigReader.load().integer(Settings.threshold, flag: thresholdFlag)
        }

        /// The report (marked CAPACITACIÓN when the database is a SINTRA Capacitación one).
        func compute() async throws -> StatisticsReport {
            let projector = try self.projector.makeProjector()
            guard projector.projection("estadisticas") != nil else {
                throw ValidationError("no está la proyección «estadisticas» en la carpeta de proyecciones")
            }
            let catalogs: CatalogSet
            do { catalogs = try CatalogSet.load(directory: URL(fileURLWithPath: events.resolved).appendingPathComponent("catalogs")) } catch {
                throw ValidationError("no se pudieron leer los catálogos: \(error)")
            }
            let labels = Labels(catalogs: catalogs)
            guard labels.ageBandCatalogs.contains(ageBands) else {
                throw ValidationError("--grupos-de-edad: no hay un catálogo «\(ageBands)»; use \(labels.ageBandCatalogs.joined(separator: ", "))")
            }
            try await projector.start()
            let data = try await StatisticsSource(pool: projector.pool).read()
            return StatisticsBuilder(labels: labels, threshold: threshold, ageBands: ageBands).build(data, year: year)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Imprime las tablas (texto, json o csv).")
        @OptionGroup var options: Options
        @Option(help: "texto, json o csv.") var format: Format = .texto

        enum Format: String, ExpressibleByArgument { case texto, json, csv }

        func run() async throws {
            // A report from SINTRA Capacitación carries the mark itself, in every format (StatisticsRenderer).
            let report = try await options.compute()
            switch format {
            case .texto: print(StatisticsRenderer.text(report), terminator: "")
            case .json: print(StatisticsRenderer.json(report))
            case .csv: print(StatisticsRenderer.csv(report), terminator: "")
            }
        }
    }

    struct ExportFiles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Escribe JSON y CSV por año (y de toda la serie sin --year) con su diccionario de datos datapackage.json (Frictionless).")
        @OptionGroup var options: Options
        @Option(help: "Carpeta de destino (se crea si no existe).") var dir: String

        func run() async throws {
            let report = try await options.compute()
            let files = try DataPackage.export(report, to: URL(fileURLWithPath: dir), wholeSeries: options.year == nil)
            print("Escritos en \(dir): \(files.joined(separator: ", "))")
            print(report.rule)
            if report.training { print(TrainingMark.notice + " (lo dicen también los archivos)") }
        }
    }
}
