/// The data dictionary of `events/README.md`, generated from the definitions so that it cannot
/// drift from what validation enforces: module → events → fields → catalogue, with counts.
public enum DataDictionary {
    /// The 12 modules of SINTRA with their documented variable counts (seed 000, "¿Qué es SINTRA?").
    public static let modules: [(id: String, name: String, documentedVariables: Int)] = [
        ("instrumentos", "Instrumentos", 13),
        ("convenios", "Convenios", 5),
        ("avances-legislativos", "Avances legislativos", 6),
        ("comisiones", "Comisiones", 16),
        ("colaboracion-internacional", "Colaboración internacional", 7),
        ("capacitacion", "Capacitación / sensibilización", 34),
        ("difusion", "Difusión", 13),
        ("materiales-de-difusion", "Materiales de difusión", 6),
        ("atencion-a-victimas", "Atención a víctimas y posibles víctimas", 44),
        ("modelos-de-atencion", "Modelos de atención a víctimas", 19),
        ("unidades-especializadas", "Unidades especializadas", 10),
        ("operativos", "Operativos de rescate", 16),
    ]
    static let otherModules: [(id: String, name: String)] = [
        ("programa", "Hechos del programa (PNTdP)"), ("sistema", "Validación y consentimiento"),
    ]

    public static let startMarker = "<!-- diccionario:inicio (generado por `sintra definitions dictionary --write`; no editar a mano) -->"
    public static let endMarker = "<!-- diccionario:fin -->"

    /// One row of the dictionary: a property of an event, flattened to its path.
    public struct Field: Sendable, Equatable {
        public let path: String
        public let type: String
        public let required: Bool
        public let catalog: String?
        public let isPersonal: Bool
        public let isVariable: Bool
        public let description: String
    }

    /// The distinct variable paths of a module across the current versions of its events.
    public static func variables(of module: String, in set: DefinitionSet) -> [String] {
        var seen: [String] = []
        for definition in set.current where definition.module == module {
            for field in fields(of: definition, in: set) where field.isVariable && !seen.contains(field.path) {
                seen.append(field.path)
            }
        }
        return seen
    }

    /// The definition's own properties (references are named, not expanded), depth first.
    public static func fields(of definition: EventDefinition, in set: DefinitionSet) -> [Field] {
        var result: [Field] = []
        func walk(_ node: SchemaNode, _ prefix: String) {
            for (name, property) in node.properties {
                let path = prefix.isEmpty ? name : "\(prefix).\(name)"
                let target = set.resolve(property)
                result.append(Field(
                    path: path, type: typeName(property, set), required: node.required.contains(name),
                    catalog: property.catalog ?? target.catalog ?? target.items.map(set.resolve)?.catalog ?? property.items.map(set.resolve)?.catalog,
                    isPersonal: property.isPersonal || target.isPersonal, isVariable: property.isVariable,
                    description: property.description ?? target.description ?? ""))
                walk(property, path)
                if let items = property.items { walk(items, path + "[]") }
            }
            for branch in node.allOf + node.anyOf + node.oneOf + [node.thenSchema, node.elseSchema].compactMap({ $0 }) {
                walk(branch, prefix)
            }
        }
        walk(definition.root, "")
        // A property named in several branches is one field.
        var unique: [Field] = []
        for field in result where !unique.contains(where: { $0.path == field.path }) { unique.append(field) }
        return unique
    }

    static func typeName(_ node: SchemaNode, _ set: DefinitionSet) -> String {
        if let ref = node.ref {
            let name = ref.split(separator: "/").last.map(String.init) ?? ref
            return ref.contains("comun.json") ? name : "→ \(name)"
        }
        guard let types = node.types else { return "—" }
        return types.map { type in
            if type == .array, let items = node.items { return "lista de \(typeName(items, set))" }
            if type == .string, node.isDateFormat { return "fecha" }
            return type.rawValue
        }.joined(separator: " o ")
    }

    /// The Markdown block between the markers.
    public static func markdown(_ set: DefinitionSet) -> String {
        var out = [startMarker, "", "## Data dictionary (diccionario de datos)", ""]
        out.append("Columns: **campo** (path; `[]` = each element of a list), **tipo**, **obl.** (required), **catálogo**, **personal** "
            + "(🔒 = encrypted, never in statistics), **var.** (● = one of the module's documented variables).")
        out.append("")
        out.append("| module | events | variables | documented (seed 000) |")
        out.append("| --- | --- | ---: | ---: |")
        var total = 0
        for module in modules {
            let count = variables(of: module.id, in: set).count
            total += count
            let events = set.current.filter { $0.module == module.id }.map { "`\($0.eventType)`" }.joined(separator: ", ")
            out.append("| \(module.name) | \(events) | \(count) | \(module.documentedVariables) |")
        }
        out.append("| **total** | | **\(total)** | **189** |")
        for module in otherModules {
            let events = set.current.filter { $0.module == module.id }.map { "`\($0.eventType)`" }.joined(separator: ", ")
            out.append("| \(module.name) | \(events) | — | — |")
        }
        let allModules = modules.map { ($0.id, $0.name) } + otherModules
        for (id, name) in allModules {
            let definitions = set.all.filter { $0.module == id }
            guard !definitions.isEmpty else { continue }
            out += ["", "### \(name) (`\(id)`)"]
            for definition in definitions {
                let isCurrent = set.latest(definition.eventType)?.version == definition.version
                let flow = definition.startsStream ? "abre un flujo `\(definition.streamCategory)-…`" : "se agrega a un flujo `\(definition.streamCategory)-…` existente"
                out += ["", "#### `\(definition.eventType)` v\(definition.version)\(isCurrent ? "" : " (versión anterior; se lee convertida a la actual)")", ""]
                out.append("Comando `\(definition.command)`; \(flow); fecha del evento: `\(definition.dateField ?? "—")`. Archivo `\(definition.file)`.")
                out += ["", definition.description]
                if let comment = definition.comment { out += ["", "_Fundamento:_ \(comment)"] }
                out += ["", "| campo | tipo | obl. | catálogo | personal | var. | descripción |", "| --- | --- | --- | --- | --- | --- | --- |"]
                for field in fields(of: definition, in: set) {
                    let cells = ["`\(field.path)`", field.type, field.required ? "sí" : "", field.catalog.map { "`\($0)`" } ?? "",
                                 field.isPersonal ? "🔒" : "", field.isVariable ? "●" : "",
                                 field.description.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")]
                    out.append("| " + cells.joined(separator: " | ") + " |")
                }
            }
        }
        out += ["", endMarker]
        return out.joined(separator: "\n")
    }

    /// `readme` with its dictionary block replaced by `markdown(set)` (or appended if absent).
    public static func updating(readme: String, with set: DefinitionSet) -> String {
        let block = markdown(set)
        guard let start = readme.range(of: startMarker), let end = readme.range(of: endMarker), start.lowerBound < end.lowerBound else {
            return readme + "\n" + block + "\n"
        }
        return String(readme[..<start.lowerBound]) + block + String(readme[end.upperBound...])
    }
}

extension DefinitionSet {
    /// Follows `$ref`s to the node that holds the keywords.
    func resolve(_ node: SchemaNode) -> SchemaNode {
        var current = node
        var hops = 0
        while let ref = current.ref, let target = nodeAt(ref), hops < 16 {
            current = target
            hops += 1
        }
        return current
    }
}
