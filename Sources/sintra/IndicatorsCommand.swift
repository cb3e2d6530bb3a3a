import ArgumentParser
import CanonicalJSON
import Catalog
import EventLog
import Foundation
import Indicators
import Postgres
import Projections
import Publications

struct IndicatorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicators",
        abstract: "Calcula las metas para el bienestar y parámetros del PNTdP desde las proyecciones, con sustitución, banderas (NA, ND, p/) y procedencia.",
        discussion: "Sin --year, la serie 2019–2024. Con --as-of, además el valor como estaba en esa fecha (solo eventos registrados hasta entonces) y los eventos que explican la diferencia.")
    @OptionGroup var options: ProjectorOptions
    @Option(name: .customLong("anio"), help: "Año (por omisión, 2019–2024).") var year: Int?
    @Option(name: .customLong("indicador"), help: "Solo este indicador (p. ej. 1.2).") var indicator: String?
    @Option(name: .customLong("as-of"), help: "Fecha (AAAA-MM-DD): el valor como estaba al final de ese día.") var asOf: String?
    @Option(help: "json, csv, md o html.") var format: Format = .md
    @Flag(name: .customLong("guardar-cierres"),
          help: "Calcula y guarda, en una sola pasada por el registro, los indicadores al cierre de cada día pasado que no los tenga (después, --as-of de esos días es una consulta).")
    var keepDayEnds = false
    @OptionGroup var fichas: IndicatorFolderOptions

    enum Format: String, ExpressibleByArgument { case json, csv, md, html }

    func run() async throws {
        let projector = try options.makeProjector()
        let definitions = try fichas.load()
        // What the projector kept at this position is looked up; what it had not, this run keeps.
        let engine = IndicatorEngine(pool: projector.pool, indicators: definitions, kept: KeptIndicators(projector: projector))
        let years = year.map { [$0] } ?? Array(2019...2024)
        let ids = indicator.map { Set([$0]) }
        try await projector.start()
        if keepDayEnds {
            let started = ContinuousClock.now
            let days = try await DayEndIndicators(projector: projector, current: definitions, years: Array(2019...2024)).keepMissing(today: .today()).computed
            let elapsed = ContinuousClock.now - started
            let seconds = String(format: "%.1f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            print(days.isEmpty ? "Todos los días pasados del registro ya tenían sus indicadores guardados."
                  : "Indicadores al cierre de \(days.count) día(s) pasado(s) calculados y guardados en una pasada, en \(seconds) s.")
            return
        }
        // Only the JSON annex and a comparison with a past date use each variable's positions.
        let now = try await engine.compute(years: years, today: CalendarDate.today(), only: ids, keep: true, provenance: format == .json || asOf != nil)
        // SINTRA Capacitación: every annex from a training database says so.
        let training = try await DeploymentEnvironment.of(projector.pool) == .capacitacion
        guard let asOf else { print(mark(render(now, definitions), training: training)); return }
        guard let day = CalendarDate(asOf), let end = Timestamp(endOfDay: day.description) else {
            throw ValidationError("«\(asOf)» no es una fecha AAAA-MM-DD")
        }
        let position = try await projector.position(recordedAtOrBefore: end)
        let computation = try await IndicatorsAsOf(projector: projector, history: IndicatorDefinitionHistory(pool: projector.pool))
            .compute(position: position, years: years, today: day, current: definitions, only: ids)
        let today = CalendarDate.today()
        let comparison = AsOfComparison(asOf: day, today: today, position: position, then: computation.results, now: now,
                                        definitions: definitions, withoutRecordedDefinition: computation.withoutRecordedDefinition,
                                        recordChanges: try await RecordChange.after(position, projector.pool))
        if !computation.withoutRecordedDefinition.isEmpty {
            printError("Aviso: el registro no tenía aún versión adoptada de \(computation.withoutRecordedDefinition.joined(separator: ", ")) "
                       + "en la posición \(position); se calcularon con la ficha actual (se adoptan al publicar).")
        }
        print(mark(render(comparison, asOf: asOf, position: position, now: now), training: training))
    }

    /// The comparison of `--as-of` in the chosen format.
    private func render(_ comparison: AsOfComparison, asOf: String, position: Int64, now: [IndicatorResult]) -> String {
        switch format {
        case .json:
            // One document (both sets and their differences), so it can be piped to any JSON reader.
            return String(decoding: CanonicalJSON.serialize(comparison.json), as: UTF8.self)
        case .csv:
            // One table: the first column says which cut each line belongs to.
            func tagged(_ results: [IndicatorResult], _ cut: String) -> [String] {
                AnnexRenderer.csv(results).split(separator: "\n").dropFirst().map { "\(cut),\($0)" }
            }
            let header = "corte," + (AnnexRenderer.csv([]).split(separator: "\n").first.map(String.init) ?? "")
            return ([header] + tagged(comparison.then, "al-\(asOf)") + tagged(comparison.now, "ahora")).joined(separator: "\n")
        case .md, .html:
            var lines = ["# Indicadores al \(asOf) (registro hasta la posición \(position)) y ahora (posición \(now.first?.logPosition ?? 0))\n",
                         "| indicador | año | al \(asOf) | ahora | qué explica la diferencia |", "| --- | --- | --- | --- | --- |"]
            for difference in comparison.differences {
                lines.append("| \(difference.indicator) | \(difference.year) | \(difference.then?.display ?? "—") | \(difference.now?.display ?? "—") | \(difference.explanation ?? "—") |")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Output of a SINTRA Capacitación database carries `TrainingMark` in its own format.
    private func mark(_ output: String, training: Bool) -> String {
        training ? TrainingMark.apply(output, format: format.rawValue) : output
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
