import CanonicalJSON
import Foundation
import Definitions

public enum Measure: Sendable, Equatable {
    /// People, each once (only the source `personas`).
    case people
    /// Records of the source's event type.
    case records
    /// The sum of a numeric variable over the records.
    case sum(String)

    public var label: String {
        switch self {
        case .people: "Personas (cada una una vez)"
        case .records: "Registros"
        case .sum(let variable): "Suma de \(variable)"
        }
    }

    var json: JSONValue {
        switch self {
        case .people: "personas"
        case .records: "registros"
        case .sum(let variable): ["suma": .string(variable)]
        }
    }
}

public enum ReportMode: String, Sendable {
    /// For publication: the public statistics' primary and secondary suppression.
    case publication = "publicacion"
    /// For the Secretaría Técnica: true counts, never personal data.
    case `internal` = "interno"
}

/// A report as people write it (a JSON document), checked against the generated variables.
///
/// ```json
/// {"titulo": "…", "fuente": "CapacitacionImpartida", "filas": "modalidad", "columnas": "anio",
///  "filtros": {"lugar": ["07"]}, "medida": {"suma": "totalDeParticipantes"}, "modo": "publicacion"}
/// ```
public struct ReportDefinition: Sendable {
    public let title: String
    public let source: ReportSource
    public let rows: ReportVariable
    public let columns: ReportVariable?
    public let filters: [(variable: ReportVariable, values: [String])]
    public let measure: Measure
    public let mode: ReportMode
    /// The document as given (saved reports keep it).
    public let document: JSONValue

    static let keys = ["titulo", "fuente", "filas", "columnas", "filtros", "medida", "modo"]

    /// The report, or every problem with it (each naming its field and what is allowed).
    public static func parse(_ document: JSONValue, catalogue: ReportCatalogue) throws -> ReportDefinition {
        var problems: [Problem] = []
        func fail(_ path: String, _ code: String, _ message: String) { problems.append(Problem(path: path, code: code, message: message)) }
        guard let members = document.objectValue else {
            throw ReportInputError(problems: [Problem(path: "", code: "tipo", message: "un reporte es un objeto JSON con " + keys.joined(separator: ", "))])
        }
        for member in members where !keys.contains(member.key) {
            fail(member.key, "clave-desconocida", "clave desconocida; se admiten: \(keys.joined(separator: ", "))")
        }
        let title = document["titulo"]?.stringValue ?? ""
        if title.trimmingCharacters(in: .whitespaces).isEmpty || title.count > 200 { fail("titulo", "requerido", "requerido: un texto de 1 a 200 caracteres") }
        let sourceNames = catalogue.sources.map(\.name)
        guard let sourceName = document["fuente"]?.stringValue, let source = catalogue.source(sourceName) else {
            fail("fuente", "fuente-desconocida", "\(document["fuente"].map { "«\($0.stringValue ?? $0.description)» no es una fuente" } ?? "requerida"); "
                + "se admiten: \(sourceNames.joined(separator: ", "))")
            throw ReportInputError(problems: problems)
        }
        func dimension(_ path: String, _ value: JSONValue?) -> ReportVariable? {
            guard let name = value?.stringValue else { fail(path, "requerido", "el nombre de una variable (texto)"); return nil }
            let allowed = "dimensiones permitidas en «\(source.name)»: \(source.dimensions.joined(separator: ", "))"
            guard let variable = source.variable(name) else {
                fail(path, "variable-desconocida", "la variable «\(name)» no existe en «\(source.name)»; \(allowed)"); return nil
            }
            switch variable.role {
            case .dimension: return variable
            case .personal: fail(path, "dato-personal", "«\(name)» es un dato personal: nunca puede usarse en un reporte; \(allowed)")
            case .numeric: fail(path, "variable-numerica", "«\(name)» es numérica: solo puede ser la medida {\"suma\": \"\(name)\"}; \(allowed)")
            case .unusable(let reason): fail(path, "variable-no-categorica", "«\(name)» no puede ser dimensión: \(reason); \(allowed)")
            }
            return nil
        }
        let rows = dimension("filas", document["filas"])
        let columns = document["columnas"].flatMap { $0.isNull ? nil : dimension("columnas", $0) }
        if let rows, let columns, rows.name == columns.name { fail("columnas", "repetida", "«\(rows.name)» ya está en las filas") }
        var filters: [(ReportVariable, [String])] = []
        if let given = document["filtros"] {
            if let members = given.objectValue {
                for member in members {
                    let path = "filtros.\(member.key)"
                    guard let variable = dimension(path, .string(member.key)) else { continue }
                    let values = member.value.arrayValue?.compactMap(\.stringValue) ?? []
                    if variable.extraction == .year, values.contains(where: { Int32($0) == nil }) {
                        fail(path, "valores", "años como textos de cuatro cifras, p. ej. [\"2023\"]")
                    } else if values.isEmpty || values.count != member.value.arrayValue?.count || values.count > 500 {
                        fail(path, "valores", "una lista de 1 a 500 códigos (textos), p. ej. [\"07\", \"09\"]")
                    } else {
                        filters.append((variable, values))
                    }
                }
            } else {
                fail("filtros", "tipo", "un objeto: variable → lista de códigos, p. ej. {\"anio\": [\"2023\"]}")
            }
        }
        let measure = parseMeasure(document["medida"], source: source, fail: fail)
        let mode: ReportMode
        if let given = document["modo"] {
            if let parsed = given.stringValue.flatMap(ReportMode.init(rawValue:)) { mode = parsed } else {
                fail("modo", "valor", "«publicacion» (con supresión, como las estadísticas públicas) o «interno» (cifras reales, sin datos personales)")
                mode = .internal
            }
        } else {
            mode = .internal
        }
        guard problems.isEmpty, let rows, let measure else { throw ReportInputError(problems: problems) }
        return ReportDefinition(title: title, source: source, rows: rows, columns: columns, filters: filters, measure: measure, mode: mode, document: document)
    }

    static func parseMeasure(_ value: JSONValue?, source: ReportSource, fail: (String, String, String) -> Void) -> Measure? {
        let sums = source.numerics.isEmpty ? "ninguna" : source.numerics.joined(separator: ", ")
        let allowed = source.isPeople ? "«personas»" : "«registros» o {\"suma\": variable} con una de: \(sums)"
        if value?.stringValue == "personas" {
            if source.isPeople { return .people }
            fail("medida", "medida-no-aplica", "«personas» solo con la fuente «personas»; para «\(source.name)» se admite \(allowed)")
            return nil
        }
        if value?.stringValue == "registros" {
            if !source.isPeople { return .records }
            fail("medida", "medida-no-aplica", "la fuente «personas» cuenta personas, cada una una vez: use «personas»")
            return nil
        }
        if let name = value?["suma"]?.stringValue, value?.objectValue?.count == 1 {
            guard !source.isPeople else {
                fail("medida.suma", "medida-no-aplica", "la fuente «personas» solo admite la medida «personas»"); return nil
            }
            guard let variable = source.variable(name) else {
                fail("medida.suma", "variable-desconocida", "la variable «\(name)» no existe en «\(source.name)»; variables sumables: \(sums)"); return nil
            }
            switch variable.role {
            case .numeric: return .sum(name)
            case .personal: fail("medida.suma", "dato-personal", "«\(name)» es un dato personal: nunca puede usarse en un reporte; variables sumables: \(sums)")
            default: fail("medida.suma", "variable-no-numerica", "«\(name)» no es numérica, no se puede sumar; variables sumables: \(sums)")
            }
            return nil
        }
        fail("medida", value == nil ? "requerido" : "valor", "se admite \(allowed)")
        return nil
    }
}

/// Everything wrong with a report's definition; nothing was run or written.
public struct ReportInputError: Error, Sendable, CustomStringConvertible {
    public let problems: [Problem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
