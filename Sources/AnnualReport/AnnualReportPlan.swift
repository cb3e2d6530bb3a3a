import CanonicalJSON
import Foundation
import Reports

/// What the annual report holds: sections of reports, each an ordinary report definition of the
/// reports module (`events/reportes/informe-anual.json`), so the annual report is not a second
/// engine and every table can be run, saved and traced on its own. A year is a filter added to each.
public struct AnnualReportPlan: Sendable {
    public struct Section: Sendable {
        public let key: String
        public let title: String
        /// The report definitions as written, without the year.
        public let reports: [JSONValue]
    }

    public let title: String
    public let description: String
    public let sections: [Section]

    public static let fileName = "reportes/informe-anual.json"

    /// Reads and checks the plan against the report variables: every problem of every report at once.
    public static func load(eventsDirectory: URL, catalogue: ReportCatalogue) throws -> AnnualReportPlan {
        let url = eventsDirectory.appendingPathComponent(fileName)
        let document: JSONValue
        do { document = try CanonicalJSON.parse(try Data(contentsOf: url)) } catch {
            throw AnnualReportError.plan(["\(url.path): no se pudo leer como JSON (\(error))"])
        }
        return try parse(document, catalogue: catalogue)
    }

    public static func parse(_ document: JSONValue, catalogue: ReportCatalogue) throws -> AnnualReportPlan {
        var problems: [String] = []
        var sections: [Section] = []
        for (index, section) in (document["secciones"]?.arrayValue ?? []).enumerated() {
            guard let key = section["clave"]?.stringValue, let title = section["titulo"]?.stringValue,
                  let reports = section["reportes"]?.arrayValue, !reports.isEmpty else {
                problems.append("secciones[\(index)]: clave, titulo y reportes (al menos uno) son requeridos")
                continue
            }
            for (number, report) in reports.enumerated() {
                do { _ = try ReportDefinition.parse(withYear(report, 2000), catalogue: catalogue) } catch let error as ReportInputError {
                    problems += error.problems.map { "secciones[\(index)].reportes[\(number)] (\(report["titulo"]?.stringValue ?? "")): \($0)" }
                }
            }
            sections.append(Section(key: key, title: title, reports: reports))
        }
        if sections.isEmpty { problems.append("secciones: se requiere al menos una") }
        guard problems.isEmpty else { throw AnnualReportError.plan(problems) }
        return AnnualReportPlan(title: document["titulo"]?.stringValue ?? "Informe anual", description: document["descripcion"]?.stringValue ?? "",
                                sections: sections)
    }

    /// The report definition restricted to `year` (a filter `anio`, beside the report's own filters).
    public static func withYear(_ report: JSONValue, _ year: Int) -> JSONValue {
        guard case .object(var members) = report else { return report }
        var filters = report["filtros"]?.objectValue ?? []
        filters.removeAll { $0.key == "anio" }
        filters.append(.init(key: "anio", value: .array([.string(String(year))])))
        members.removeAll { $0.key == "filtros" }
        members.append(.init(key: "filtros", value: .object(filters)))
        return .object(members)
    }

    /// The record sources the plan covers (not «personas»): the modules the completeness review asks about.
    public var recordSources: [String] {
        var seen: [String] = []
        for section in sections {
            for report in section.reports {
                if let source = report["fuente"]?.stringValue, source != ReportSource.people, !seen.contains(source) { seen.append(source) }
            }
        }
        return seen
    }
}

public enum AnnualReportError: Error, Sendable, CustomStringConvertible {
    /// The plan file does not describe valid reports.
    case plan([String])
    /// A year outside what the log can hold.
    case year(String)

    public var description: String {
        switch self {
        case .plan(let problems): "el plan del informe anual (events/\(AnnualReportPlan.fileName)) no es válido:\n" + problems.map { "  \($0)" }.joined(separator: "\n")
        case .year(let message): message
        }
    }
}
