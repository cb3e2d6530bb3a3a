/// A definition's fields as a tree a form can be drawn from: the web interface builds every
/// command's form from this, so a field added to a definition appears in its form with no web code
/// changed. References are followed (`comun.json` pieces), and the properties named only in
/// branches (`oneOf`, `if/then/else`: "this one or that one") join the object's fields as optional
/// ones — the validator still judges the combination when the form is sent.
public struct FormField: Sendable, Equatable {
    public indirect enum Kind: Sendable, Equatable {
        case text
        /// `textoLibre` and other long strings: several lines.
        case longText
        case integer
        case number
        case boolean
        case date
        /// A code from a catalogue (`x-catalogo`).
        case catalog(String)
        /// A closed list of values (`enum`).
        case choice([String])
        /// An object: its own fields.
        case group([FormField])
        /// An array: each item is `item` (a catalogue's codes, a text, a group…).
        case list(FormField)
    }

    public let name: String
    public let kind: Kind
    public let required: Bool
    public let isPersonal: Bool
    /// The definition's description, which the data dictionary also shows: the form's help text.
    public let description: String
    public let maxLength: Int?
    public let minimum: Double?
    public let maximum: Double?
    public let maxItems: Int?
    /// For a municipio: the sibling field that holds its entidad.
    public let entidadSibling: String?

    public init(name: String, kind: Kind, required: Bool = false, isPersonal: Bool = false, description: String = "",
                maxLength: Int? = nil, minimum: Double? = nil, maximum: Double? = nil, maxItems: Int? = nil, entidadSibling: String? = nil) {
        self.name = name
        self.kind = kind
        self.required = required
        self.isPersonal = isPersonal
        self.description = description
        self.maxLength = maxLength
        self.minimum = minimum
        self.maximum = maximum
        self.maxItems = maxItems
        self.entidadSibling = entidadSibling
    }
}

extension DefinitionSet {
    /// The fields of `definition`'s payload, in the order the definition lists them.
    public func formFields(of definition: EventDefinition) -> [FormField] {
        fields(of: resolve(definition.root), depth: 0)
    }

    private func fields(of node: SchemaNode, depth: Int) -> [FormField] {
        var result: [FormField] = []
        var seen: Set<String> = []
        func add(_ holder: SchemaNode, required: Bool) {
            for (name, property) in holder.properties where !seen.contains(name) {
                seen.insert(name)
                result.append(field(name, property, required: required && holder.required.contains(name), depth: depth))
            }
        }
        add(node, required: true)
        // Properties that only a branch names are optional here; required ones of the node keep their flag.
        for branch in node.allOf + node.anyOf + node.oneOf + [node.thenSchema, node.elseSchema].compactMap({ $0 }) {
            add(resolve(branch), required: false)
        }
        return result
    }

    private func field(_ name: String, _ property: SchemaNode, required: Bool, depth: Int) -> FormField {
        let target = resolve(property)
        let description = property.description ?? target.description ?? ""
        let personal = property.isPersonal || target.isPersonal
        let catalog = property.catalog ?? target.catalog
        let kind: FormField.Kind
        let types = target.types ?? []
        if let catalog {
            kind = .catalog(catalog)
        } else if let values = target.enumValues, values.allSatisfy({ $0.stringValue != nil }) {
            kind = .choice(values.compactMap(\.stringValue))
        } else if types.contains(.object), depth < 4 {
            kind = .group(fields(of: target, depth: depth + 1))
        } else if types.contains(.array), let items = target.items {
            kind = .list(field(name, items, required: false, depth: depth + 1))
        } else if types.contains(.boolean) {
            kind = .boolean
        } else if types.contains(.integer) {
            kind = .integer
        } else if types.contains(.number) {
            kind = .number
        } else if target.isDateFormat {
            kind = .date
        } else if (target.maxLength ?? 0) > 300 {
            kind = .longText
        } else {
            kind = .text
        }
        return FormField(name: name, kind: kind, required: required, isPersonal: personal, description: description,
                         maxLength: target.maxLength, minimum: target.minimum, maximum: target.maximum, maxItems: target.maxItems,
                         entidadSibling: property.entidadSibling ?? target.entidadSibling)
    }
}
