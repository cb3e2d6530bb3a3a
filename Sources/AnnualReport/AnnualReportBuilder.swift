import CanonicalJSON
import Catalog
import EventLog
import Indicators
import Projections
import Publications
import Reports
import Statistics

/// Computes the annual report with the reports module's own runner: each table of the plan for the
/// year and the year before, one «records per institution» report per module for the completeness
/// review, the indicators annex of the year and the statistics release that covers it.
public struct AnnualReportBuilder: Sendable {
    let projector: Projector
    let catalogs: CatalogSet
    let catalogue: ReportCatalogue
    let indicators: [IndicatorDefinition]

    public init(projector: Projector, catalogs: CatalogSet, catalogue: ReportCatalogue, indicators: [IndicatorDefinition]) {
        self.projector = projector
        self.catalogs = catalogs
        self.catalogue = catalogue
        self.indicators = indicators
    }

    /// The years a report can be asked for: from the first year of SINTRA's records to next year.
    public static func check(year: Int, today: CalendarDate = .today()) throws {
        guard (2012...today.year + 1).contains(year) else {
            throw AnnualReportError.year("--anio: \(year) no es un año del registro; se admite de 2012 a \(today.year + 1)")
        }
    }

    /// `threshold` suppresses the reports of the plan written for publication (`"modo": "publicacion"`);
    /// the others are internal: true counts, never personal data.
    public func build(_ plan: AnnualReportPlan, year: Int, threshold: Int, today: CalendarDate = .today()) async throws -> AnnualReport {
        try Self.check(year: year, today: today)
        try await projector.start()
        let runner = ReportRunner(projector: projector, catalogs: catalogs)
        func run(_ document: JSONValue, _ year: Int) async throws -> ReportResult {
            try await runner.run(try ReportDefinition.parse(AnnualReportPlan.withYear(document, year), catalogue: catalogue), threshold: threshold)
        }
        var sections: [AnnualReport.Section] = []
        for section in plan.sections {
            var tables: [AnnualReport.Table] = []
            for document in section.reports {
                let source = document["fuente"]?.stringValue ?? ""
                tables.append(AnnualReport.Table(
                    definition: AnnualReportPlan.withYear(document, year), result: try await run(document, year), previous: try await run(document, year - 1),
                    module: source == ReportSource.people ? nil : catalogue.source(source)?.module))
            }
            sections.append(AnnualReport.Section(key: section.key, title: section.title, tables: tables))
        }
        let completeness = try await self.completeness(plan, year: year, run: run)
        let results = try await IndicatorEngine(pool: projector.pool, indicators: indicators, kept: KeptIndicators(projector: projector))
            .compute(years: [year], today: today, keep: true)
        var statistics: (release: Publication, report: StatisticsReport)?
        if let release = try await Publication.latest(.statistics, covering: year, projector.pool) {
            let report = try await StatisticsPublisher(projector: projector, labels: Labels(catalogs: catalogs)).report(of: release)
            statistics = (release, report.restricted(to: year))
        }
        let position = sections.flatMap(\.tables).map(\.result.position).max() ?? 0
        return AnnualReport(year: year, title: plan.title, description: plan.description, date: today.description, position: position,
                            sections: sections, completeness: completeness, indicators: results, statistics: statistics,
                            training: try await DeploymentEnvironment.of(projector.pool) == .capacitacion)
    }

    /// One report per module (records per recording institution), for the year and the one before,
    /// beside the institutions obliged to report: the members of the Comisión Intersecretarial in
    /// force during the year (catalogue `instituciones`, `integranteCI`).
    func completeness(_ plan: AnnualReportPlan, year: Int, run: (JSONValue, Int) async throws -> ReportResult) async throws -> AnnualReport.Completeness {
        var modules: [AnnualReport.Completeness.Module] = []
        var counts: [String: [String: (year: Int, previous: Int)]] = [:]
        for source in plan.recordSources {
            let description = catalogue.source(source)?.description ?? source
            modules.append(.init(source: source, module: catalogue.source(source)?.module ?? source, description: description))
            let document: JSONValue = .object([
                .init(key: "titulo", value: .string("Registros por institución: \(source)")), .init(key: "fuente", value: .string(source)),
                .init(key: "filas", value: "institucionQueRegistra"), .init(key: "medida", value: "registros"),
            ])
            for (offset, result) in [try await run(document, year), try await run(document, year - 1)].enumerated() {
                for (index, row) in result.rows.enumerated() {
                    let count = Int(result.grid[index][result.columns.count])
                    var entry = counts[row.code, default: [:]][source] ?? (0, 0)
                    if offset == 0 { entry.year = count } else { entry.previous = count }
                    counts[row.code, default: [:]][source] = entry
                }
            }
        }
        let first = CalendarDate("\(year)-01-01")!, last = CalendarDate("\(year)-12-31")!
        let catalog = catalogs.catalogs["instituciones"]
        let obliged = Set((catalog?.values ?? []).filter { value in
            value.extra["integranteCI"]?.boolValue == true && value.validFrom <= last && (value.validUntil.map { $0 >= first } ?? true)
        }.map(\.code))
        let codes = obliged.union(counts.keys).sorted()
        let institutions = codes.map { code in
            let mine = counts[code] ?? [:]
            return AnnualReport.Completeness.Institution(
                code: code, label: catalog?.value(code)?.label ?? code, obliged: obliged.contains(code), counts: mine,
                missing: obliged.contains(code) ? plan.recordSources.filter { (mine[$0]?.year ?? 0) == 0 } : [])
        }
        return AnnualReport.Completeness(modules: modules, institutions: institutions)
    }
}
