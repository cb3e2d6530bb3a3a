import ArgumentParser
import Catalog
import Foundation
import Indicators
import Postgres
import Projections

struct IndicatorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicators",
        abstract: "Calcula las metas para el bienestar y parámetros del PNTdP desde las proyecciones, con sustitución, banderas (NA, ND, p/) y procedencia.",
        discussion: "Sin --year, la serie 2019–2024. Con --as-of, además el valor como estaba en esa fecha (solo eventos registrados hasta entonces) y los eventos que explican la diferencia.")
    @OptionGroup var options: ProjectorOptions
    @Option(help: "Año (por omisión, 2019–2024).") var year: Int?
    @Option(name: .customLong("indicador"), help: "Solo este indicador (p. ej. 1.2).") var indicator: String?
    @Option(name: .customLong("as-of"), help: "Fecha (AAAA-MM-DD): el valor como estaba al final de ese día.") var asOf: String?
    @Option(help: "json, csv, md o html.") var format: Format = .md
    @Option(name: .customLong("indicators"), help: "Carpeta de las fichas (por omisión ./projections/indicators).") var directory: String?

    enum Format: String, ExpressibleByArgument { case json, csv, md, html }

    func run() async throws {
        let projector = try options.makeProjector()
        let folder = directory ?? (Environment.value("SINTRA_PROJECTIONS_DIR").map { $0 + "/indicators" } ?? "projections/indicators")
        let definitions = try IndicatorDefinition.loadAll(directory: URL(fileURLWithPath: folder))
        let engine = IndicatorEngine(pool: projector.pool, indicators: definitions)
        let years = year.map { [$0] } ?? Array(2019...2024)
        let ids = indicator.map { Set([$0]) }
        try await projector.start()
        let now = try await engine.compute(years: years, today: CalendarDate.today(), only: ids)
        guard let asOf else { print(render(now, definitions)); return }
        guard let day = CalendarDate(asOf), let end = Timestamp(iso8601: "\(day)T23:59:59.999999Z") else {
            throw ValidationError("«\(asOf)» no es una fecha AAAA-MM-DD")
        }
        let position = try await projector.position(recordedAtOrBefore: end)
        let label = "asof_\(position)"
        let schemas = try await projector.replay(until: position, label: label)
        let past: [IndicatorResult]
        do {
            past = try await engine.compute(years: years, source: .init(schemas: [schemas["hechos"]!, schemas["expedientes"]!], position: position),
                                            today: day, only: ids)
            try await projector.dropReplay(label: label)
        } catch {
            try? await projector.dropReplay(label: label)
            throw error
        }
        if format == .json || format == .csv {
            print("# al \(asOf) (posición \(position))")
            print(render(past, definitions))
            print("# ahora")
            print(render(now, definitions))
            return
        }
        print("# Indicadores al \(asOf) (registro hasta la posición \(position)) y ahora (posición \(now.first?.logPosition ?? 0))\n")
        print("| indicador | año | al \(asOf) | ahora | eventos que explican la diferencia |")
        print("| --- | --- | --- | --- | --- |")
        for (then, current) in zip(past, now) {
            let added = current.variables.flatMap(\.positions).filter { $0 > position }
            let explanation = then.display == current.display ? "—" : (added.isEmpty ? "cambio de definición o de validación" : "posiciones " + added.prefix(12).map(String.init).joined(separator: ", ") + (added.count > 12 ? "…" : ""))
            print("| \(current.id) | \(current.year) | \(then.display) | \(current.display) | \(explanation) |")
        }
    }

    private func render(_ results: [IndicatorResult], _ definitions: [IndicatorDefinition]) -> String {
        switch format {
        case .json: AnnexRenderer.json(results)
        case .csv: AnnexRenderer.csv(results)
        case .md: AnnexRenderer.markdown(results, definitions: definitions)
        case .html: AnnexRenderer.html(results, definitions: definitions)
        }
    }
}
