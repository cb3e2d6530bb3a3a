import CanonicalJSON
import Catalog
import Commands
import Definitions

/// What a list of module records is narrowed to. Every value is checked against the definitions
/// and catalogues before any query runs (`validated`): a filter a caller mistyped is an error that
/// names it, never an empty list.
public struct ModuleRecordFilter: Sendable, Equatable {
    /// A module (`operativos`, `capacitacion`…: the folder of its definitions).
    public var module: String?
    /// The institution that made the record.
    public var institution: String?
    /// Entidad of the record's place (`lugar.entidad`, INEGI code).
    public var entidad: String?
    /// The record's own date, both ends included.
    public var from: CalendarDate?
    public var to: CalendarDate?
    /// Categorical variables of the module's definitions: field → code (`tipoDeLugar=bar-o-cantina`).
    public var variables: [String: String]

    public init(module: String? = nil, institution: String? = nil, entidad: String? = nil, from: CalendarDate? = nil, to: CalendarDate? = nil,
                variables: [String: String] = [:]) {
        self.module = module
        self.institution = institution
        self.entidad = entidad
        self.from = from
        self.to = to
        self.variables = variables
    }

    /// The event types the list covers, or every problem with the filter (`path` names the filter).
    public func validated(_ definitions: DefinitionSet) -> Result<[EventDefinition], RecordQueryError> {
        var problems: [Problem] = []
        let recordTypes = Set(ModuleRecordDecider.openingTypes(definitions))
        var chosen = definitions.current.filter { recordTypes.contains($0.eventType) }
        if let module {
            let modules = Set(chosen.map(\.module))
            if modules.contains(module) {
                chosen = chosen.filter { $0.module == module }
            } else {
                problems.append(Problem(path: "modulo", code: "modulo-desconocido",
                                        message: "«\(module.prefix(60))» no es un módulo con registros; use uno de: \(modules.sorted().joined(separator: ", "))"))
            }
        }
        if let entidad, definitions.catalogs["entidades-federativas"]?.value(entidad) == nil {
            problems.append(Problem(path: "entidad", code: "catalogo-codigo-desconocido", message: "«\(entidad.prefix(20))» no es una clave INEGI de entidad (dos dígitos, p. ej. 07)"))
        }
        if let from, let to, to < from {
            problems.append(Problem(path: "hasta", code: "periodo-invertido", message: "termina (\(to)) antes de empezar (\(from))"))
        }
        if !variables.isEmpty && module == nil {
            problems.append(Problem(path: "variable", code: "requiere-modulo", message: "las variables se filtran dentro de un módulo: indique también el módulo"))
        }
        for (field, code) in variables.sorted(by: { $0.key < $1.key }) where module != nil {
            let allowed = chosen.compactMap { definition in Self.categorical(field, in: definition, common: definitions.common) }
            guard let catalogue = allowed.first else {
                let names = Set(chosen.flatMap { Self.categoricalFields($0, common: definitions.common) }).sorted()
                problems.append(Problem(path: "variable.\(field.prefix(60))", code: "variable-desconocida",
                    message: "«\(field.prefix(60))» no es una variable categórica del módulo; use una de: \(names.joined(separator: ", "))"))
                continue
            }
            if definitions.catalogs[catalogue]?.value(code) == nil {
                problems.append(Problem(path: "variable.\(field)", code: "catalogo-codigo-desconocido",
                                        message: "«\(code.prefix(60))» no es un código del catálogo «\(catalogue)»"))
            }
        }
        return problems.isEmpty ? .success(chosen) : .failure(RecordQueryError(problems))
    }

    /// A top-level field of `definition` that is a variable with a catalogue (or an array of one),
    /// never a personal one: its catalogue; nil when it is not such a field. Catalogues named through
    /// `comun.json` (`"$ref": "comun.json#/$defs/institucion"`) count like those written in place.
    static func categorical(_ field: String, in definition: EventDefinition, common: JSONValue) -> String? {
        guard let schema = definition.document["properties"]?[field], schema["x-variable"]?.boolValue == true else { return nil }
        func resolved(_ node: JSONValue?) -> JSONValue? {
            guard let node, let ref = node["$ref"]?.stringValue, ref.hasPrefix("comun.json#/$defs/") else { return node }
            return common["$defs"]?[String(ref.dropFirst("comun.json#/$defs/".count))]
        }
        let node = resolved(schema), items = resolved(schema["items"])
        if schema["x-personal"]?.boolValue == true || node?["x-personal"]?.boolValue == true { return nil }
        return schema["x-catalogo"]?.stringValue ?? node?["x-catalogo"]?.stringValue ?? schema["items"]?["x-catalogo"]?.stringValue
            ?? items?["x-catalogo"]?.stringValue
    }

    static func categoricalFields(_ definition: EventDefinition, common: JSONValue) -> [String] {
        (definition.document["properties"]?.objectValue ?? []).map(\.key).filter { categorical($0, in: definition, common: common) != nil }
    }

    /// The variable filters as one JSON containment (`datos @> …`): an array field contains the code.
    func containment(_ definitions: [EventDefinition]) -> JSONValue {
        .object(variables.sorted { $0.key < $1.key }.map { field, code in
            let isArray = definitions.contains { $0.document["properties"]?[field]?["type"]?.stringValue == "array" }
            return JSONMember(key: field, value: isArray ? .array([.string(code)]) : .string(code))
        })
    }
}

/// A consultation the caller must fix: every problem, each naming its filter.
public struct RecordQueryError: Error, Sendable, CustomStringConvertible {
    public let problems: [Problem]
    public init(_ problems: [Problem]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
