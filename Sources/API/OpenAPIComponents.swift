import CanonicalJSON
import Definitions

/// The event definitions as flat OpenAPI components that client generators follow.
///
/// Generators resolve `#/components/schemas/<Name>` and nothing deeper, so each `$defs` entry of
/// `comun.json` and of every definition is lifted to a component of its own (`comun.fecha`,
/// `VictimaRegistrada.v2.persona`) and every `$ref` re-pointed to it; a `$ref` into another
/// definition's properties (`VictimizacionDocumentada.v1.json#/properties/ruta`) is replaced by a
/// copy of what it points to. The schemas say the same as the files in `events/`.
struct OpenAPIComponents {
    /// Every definition's document by file name without `.json` (`VictimaRegistrada.v1`), and `comun`.
    let documents: [String: JSONValue]

    init(definitions: DefinitionSet) {
        var documents = ["comun": definitions.common]
        for definition in definitions.all { documents[definition.key] = definition.document }
        self.documents = documents
    }

    /// `comun`'s definitions, then each current definition and its own `$defs`, as named components.
    func schemas(current: [EventDefinition]) -> [JSONMember] {
        var members = lifted("comun")
        for definition in current.sorted(by: { $0.key < $1.key }) {
            members.append(.init(key: definition.key, value: schema(definition.key)))
            members += lifted(definition.key)
        }
        return members
    }

    /// The document of `owner` without its identity and `$defs`, references re-pointed.
    func schema(_ owner: String) -> JSONValue {
        let members = (documents[owner]?.objectValue ?? []).filter { !["$id", "$schema", "$defs"].contains($0.key) }
        return rewrite(.object(members), owner: owner)
    }

    /// The `$defs` of `owner` as components named `<owner>.<name>`.
    func lifted(_ owner: String) -> [JSONMember] {
        (documents[owner]?["$defs"]?.objectValue ?? []).map { .init(key: "\(owner).\($0.key)", value: rewrite($0.value, owner: owner)) }
    }

    func rewrite(_ value: JSONValue, owner: String) -> JSONValue {
        switch value {
        case .object(let members):
            if let reference = value["$ref"]?.stringValue {
                let siblings = members.filter { $0.key != "$ref" }.map { JSONMember(key: $0.key, value: rewrite($0.value, owner: owner)) }
                switch target(of: reference, owner: owner) {
                case .component(let name):
                    return .object([.init(key: "$ref", value: .string("#/components/schemas/\(name)"))] + siblings)
                case .copy(let resolved, let resolvedOwner):
                    // The copy keeps the referring schema's own words (its description) over the target's.
                    let copied = rewrite(resolved, owner: resolvedOwner).objectValue ?? []
                    let keys = Set(siblings.map(\.key))
                    return .object(copied.filter { !keys.contains($0.key) } + siblings)
                case .unresolved:
                    return .object([.init(key: "$ref", value: .string(reference))] + siblings)
                }
            }
            return Self.composingAlternatives(.object(members.map { .init(key: $0.key, value: rewrite($0.value, owner: owner)) }))
        case .array(let items):
            return .array(items.map { rewrite($0, owner: owner) })
        default:
            return value
        }
    }

    /// An object whose `oneOf`/`anyOf` beside its `properties` only says which fields are required
    /// («institucion» or «organizacionDeLaSociedadCivil») reads, to swift-openapi-generator, as the
    /// alternatives alone: the typed client loses every property. Written as `allOf: [{the object},
    /// {oneOf: […]}]` it means exactly the same in JSON Schema — the alternatives add no properties,
    /// so `additionalProperties` judges the same fields — and the generators keep the properties.
    static func composingAlternatives(_ schema: JSONValue) -> JSONValue {
        guard case .object(let members) = schema, schema["properties"] != nil else { return schema }
        let alternatives = members.filter { member in
            ["oneOf", "anyOf"].contains(member.key) && (member.value.arrayValue ?? []).allSatisfy { branch in
                (branch.objectValue ?? []).allSatisfy { ["required", "description"].contains($0.key) }
            }
        }
        guard !alternatives.isEmpty else { return schema }
        let structural: Set<String> = ["type", "properties", "required", "additionalProperties", "patternProperties", "propertyNames",
                                       "minProperties", "maxProperties", "dependentRequired"]
        let moved = Set(alternatives.map(\.key)).union(structural).union(["allOf"])
        let object = JSONValue.object(members.filter { structural.contains($0.key) })
        let allOf = [object] + (schema["allOf"]?.arrayValue ?? []) + alternatives.map { JSONValue.object([$0]) }
        return .object(members.filter { !moved.contains($0.key) } + [.init(key: "allOf", value: .array(allOf))])
    }

    enum Target {
        case component(String)
        case copy(JSONValue, owner: String)
        case unresolved
    }

    /// Where a reference of `owner`'s document leads: a lifted `$defs` entry, or a copy of anything else.
    func target(of reference: String, owner: String) -> Target {
        guard let hash = reference.firstIndex(of: "#") else { return .unresolved }
        let file = String(reference[..<hash])
        let document = file.isEmpty ? owner : file.replacingOccurrences(of: ".json", with: "")
        let path = reference[reference.index(after: hash)...].split(separator: "/").map { String($0).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~") }
        if path.count == 2, path[0] == "$defs" { return .component("\(document).\(path[1])") }
        guard var node = documents[document] else { return .unresolved }
        for key in path {
            guard let next = node[key] ?? Int(key).flatMap({ node[$0] }) else { return .unresolved }
            node = next
        }
        return .copy(node, owner: document)
    }
}
