import AnnualReport
import ArgumentParser
import Catalog
import Foundation
import Reports
import Statistics

/// `sintra informe-anual`: the inputs of the Comisión Intersecretarial's annual report for a year
/// (SINTRA objective 9), built from the reports of `events/reportes/informe-anual.json`.
struct AnnualReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "informe-anual",
        abstract: "Insumos del informe anual de la Comisión Intersecretarial: cada módulo por institución y nacional, comparado con el año anterior, "
            + "la revisión de completitud, el anexo de indicadores y las estadísticas publicadas del año.",
        discussion: "Cada tabla es un reporte del módulo de reportes; su definición (con el filtro del año) viene en el JSON y se puede ejecutar con «sintra reportes run».")
    @OptionGroup var projector: ProjectorOptions
    @OptionGroup var events: EventsOptions
    @OptionGroup var fichas: IndicatorFolderOptions
    @Option(name: .customLong("anio"), help: "Año del informe.") var year: Int
    @Option(help: "md (por omisión), html (para imprimir), json o xlsx (xlsx requiere --salida).") var format: Format = .md
    @Option(name: .customLong("salida"), help: "Escribe el informe en este archivo en vez de imprimirlo.") var output: String?
    @Option(name: .customLong("umbral"), help: "Para los reportes del plan escritos para publicación: se suprime toda cifra de 1 a este número (por omisión 10).")
    var threshold: Int = StatisticsBuilder.defaultThreshold

    enum Format: String, ExpressibleByArgument { case md, html, json, xlsx }

    func validate() throws {
        if format == .xlsx && output == nil { throw ValidationError("--format xlsx: indique el archivo con --salida (una hoja de cálculo no se imprime)") }
        if threshold < 1 { throw ValidationError("--umbral: al menos 1 (se suprime toda cifra de 1 al umbral)") }
        do { try AnnualReportBuilder.check(year: year) } catch { throw ValidationError(String(describing: error)) }
    }

    func run() async throws {
        let definitions = try events.load()
        let catalogue = ReportCatalogue(definitions: definitions)
        let plan: AnnualReportPlan
        do { plan = try AnnualReportPlan.load(eventsDirectory: URL(fileURLWithPath: events.resolved), catalogue: catalogue) } catch let error as AnnualReportError {
            printError("ERROR: \(error)")
            throw ExitCode(1)
        }
        let builder = AnnualReportBuilder(projector: try projector.makeProjector(), catalogs: definitions.catalogs, catalogue: catalogue,
                                          indicators: try fichas.load())
        let report = try await builder.build(plan, year: year, threshold: threshold)
        let bytes: [UInt8] = switch format {
        case .md: Array(AnnualReportRenderer.markdown(report).utf8)
        case .html: Array(AnnualReportRenderer.html(report).utf8)
        case .json: Array((AnnualReportJSON.render(report) + "\n").utf8)
        case .xlsx: AnnualReportRenderer.xlsx(report)
        }
        guard let output else { print(String(decoding: bytes, as: UTF8.self), terminator: ""); return }
        try Data(bytes).write(to: URL(fileURLWithPath: output))
        let pending = report.completeness.pending
        print("Escrito «\(output)»: informe anual \(year), registro hasta la posición \(report.position).")
        print(pending.isEmpty ? "Revisión de completitud: todas las instituciones obligadas registraron cada módulo."
              : "Revisión de completitud: \(pending.count) institución(es) obligada(s) sin algún módulo: "
                + pending.prefix(8).map { "\($0.code) (\($0.missing.count))" }.joined(separator: ", ") + (pending.count > 8 ? "…" : ""))
    }
}
