import CanonicalJSON
import Definitions

/// How a variable's value is read for one record.
public enum Extraction: Sendable, Equatable {
    /// A scalar at a path of the record's payload (a catalogue code, an enum value, true/false).
    case field([String])
    /// A list at a path of the payload: the record is in every row of the values it holds.
    case list([String])
    /// A place (`lugar`) reduced to its entidad, or `EXT` abroad.
    case place([String])
    /// The record's own year, month (`AAAA-MM`) or recording institution (projection columns).
    case year, month, institution
    /// A number at a path of the payload, for the measure `suma`.
    case number([String])
    /// An attribute of a person as the `estadisticas` projection keeps it.
    case person(PersonAttribute)
}

/// What a report may do with a variable.
public enum VariableRole: Sendable, Equatable {
    /// Rows, columns and filters.
    case dimension
    /// Only the measure `suma`.
    case numeric
    /// Encrypted personal data: never in a report.
    case personal
    /// Recorded but not usable (free text, dates, identifiers, or not kept by the projection): with the reason.
    case unusable(String)
}

public struct ReportVariable: Sendable {
    public let name: String
    public let role: VariableRole
    public let extraction: Extraction?
    /// The catalogue that labels its codes, when it has one.
    public let catalog: String?
    /// True when one record can hold several values (a list): the total counts records, not the sum of rows.
    public let multiValued: Bool
    public let description: String
}

/// What a report counts over: the records of one event type of a module (from the `hechos`
/// projection) or the people of the case files (from the `estadisticas` projection, each person once).
public struct ReportSource: Sendable {
    public static let people = "personas"
    public let name: String
    public let module: String
    public let description: String
    public let variables: [ReportVariable]
    public var isPeople: Bool { name == Self.people }

    public func variable(_ name: String) -> ReportVariable? { variables.first { $0.name == name } }
    public var dimensions: [String] { variables.filter { $0.role == .dimension }.map(\.name) }
    public var numerics: [String] { variables.filter { $0.role == .numeric }.map(\.name) }
}

/// Every source and variable a report may name, generated from the event definitions: a property
/// marked `x-variable` with a catalogue, an enum or a yes/no is a dimension; a number is a measure;
/// an `x-personal` property is never usable.
public struct ReportCatalogue: Sendable {
    public let sources: [ReportSource]

    public func source(_ name: String) -> ReportSource? { sources.first { $0.name == name } }

    public init(definitions: DefinitionSet) {
        let modules = Set(DataDictionary.modules.map(\.id) + ["programa"])
        var sources: [ReportSource] = []
        for definition in definitions.current
        where modules.contains(definition.module) && definition.streamType != "Expediente" && !definition.isInternal && definition.startsStream {
            sources.append(ReportSource(name: definition.eventType, module: definition.module, description: definition.description,
                                        variables: Self.recordVariables(definition, definitions)))
        }
        sources.append(Self.peopleSource(definitions))
        self.sources = sources
    }

    /// The general variables of every record, then its own properties.
    static func recordVariables(_ definition: EventDefinition, _ set: DefinitionSet) -> [ReportVariable] {
        var result = [
            ReportVariable(name: "anio", role: .dimension, extraction: .year, catalog: nil, multiValued: false,
                           description: "Año del registro (de su fecha: \(definition.dateField ?? "la de captura"))."),
            ReportVariable(name: "mes", role: .dimension, extraction: .month, catalog: nil, multiValued: false,
                           description: "Mes del registro (AAAA-MM)."),
            ReportVariable(name: "institucionQueRegistra", role: .dimension, extraction: .institution, catalog: "instituciones",
                           multiValued: false, description: "Institución que capturó el registro."),
        ]
        let properties = definition.document["properties"]?.objectValue ?? []
        for field in DataDictionary.fields(of: definition, in: set) where !field.path.contains("[]") {
            let path = field.path.split(separator: ".").map(String.init)
            var node = JSONValue.object(properties)[path[0]]
            for key in path.dropFirst() { node = node?["properties"]?[key] }
            if field.isPersonal {
                result.append(ReportVariable(name: field.path, role: .personal, extraction: nil, catalog: nil, multiValued: false, description: field.description))
                continue
            }
            // Numbers inside a breakdown by sex (`participantesPorSexo.mujeres`) come from the common definition.
            if field.type == "desglosePorSexo" {
                for key in set.common["$defs"]?["desglosePorSexo"]?["properties"]?.objectValue?.map(\.key) ?? [] {
                    result.append(ReportVariable(name: "\(field.path).\(key)", role: .numeric, extraction: .number(path + [key]), catalog: nil,
                                                 multiValued: false, description: "\(field.description) (\(key))"))
                }
            }
            guard field.isVariable || path.count > 1 else { continue }
            let enumerated = node?["enum"] != nil || node?["items"]?["enum"] != nil
            let role: VariableRole
            let extraction: Extraction?
            var multi = false
            switch field.type {
            case "boolean": (role, extraction) = (.dimension, .field(path))
            case "lugar": (role, extraction) = (.dimension, .place(path))
            case "cantidad", "integer", "number", "porcentaje":
                (role, extraction) = (.numeric, .number(path))
            case "object", "desglosePorSexo":
                (role, extraction) = (.unusable("es un desglose: use sus partes (\(field.path).…) como medida «suma»"), nil)
            case "anio": (role, extraction) = (.dimension, .field(path))
            case "fecha":
                (role, extraction) = (.unusable("es una fecha: use «anio» o «mes»"), nil)
            case let type where type.hasPrefix("lista de"):
                if field.catalog != nil || enumerated { (role, extraction) = (.dimension, .list(path)); multi = true } else {
                    (role, extraction) = (.unusable("es una lista sin catálogo"), nil)
                }
            default:
                if field.catalog != nil || enumerated { (role, extraction) = (.dimension, .field(path)) } else {
                    (role, extraction) = (.unusable("es texto libre o un identificador, no una categoría"), nil)
                }
            }
            let catalog = extraction.map { if case .place = $0 { true } else { false } } == true ? "lugar" : field.catalog
            result.append(ReportVariable(name: field.path, role: role, extraction: extraction, catalog: catalog,
                                         multiValued: multi, description: field.description))
        }
        return result
    }
}
