import CanonicalJSON

/// One compiled JSON Schema (2020-12) node: the subset of keywords SINTRA's definitions use.
///
/// Compiling up front turns every keyword into a typed field once, so validating a payload is a
/// walk over Swift values rather than a re-reading of JSON, and so an unknown or misspelt keyword
/// is a load error instead of a rule that silently never runs.
final class SchemaNode: Sendable {
    /// Where the node is: `<document URI>#<JSON pointer>`, the key `$ref` resolves to.
    let location: String
    /// `true`/`false` schemas.
    let alwaysValid: Bool?
    let types: [JSONType]?
    let enumValues: [JSONValue]?
    let constValue: JSONValue?
    /// Absolute location of the `$ref` target, checked to exist when the set is linked.
    let ref: String?

    // Objects.
    let properties: [(name: String, schema: SchemaNode)]
    let required: [String]
    let additionalProperties: SchemaNode?
    let dependentRequired: [(name: String, requires: [String])]
    let minProperties: Int?
    let maxProperties: Int?

    // Arrays.
    let prefixItems: [SchemaNode]
    let items: SchemaNode?
    let minItems: Int?
    let maxItems: Int?
    let uniqueItems: Bool

    // Strings.
    let minLength: Int?
    let maxLength: Int?
    let pattern: Pattern?
    let isDateFormat: Bool

    // Numbers.
    let minimum: Double?
    let maximum: Double?
    let exclusiveMinimum: Double?
    let exclusiveMaximum: Double?
    let multipleOf: Double?

    // Combinators and conditionals.
    let allOf: [SchemaNode]
    let anyOf: [SchemaNode]
    let oneOf: [SchemaNode]
    let not: SchemaNode?
    let ifSchema: SchemaNode?
    let thenSchema: SchemaNode?
    let elseSchema: SchemaNode?

    // SINTRA's annotations (see events/README.md).
    let catalog: String?
    let isPersonal: Bool
    let isVariable: Bool
    /// For a municipio: the sibling property that holds its entidad.
    let entidadSibling: String?
    let description: String?

    init(compiling json: JSONValue, at location: String, baseURI: String, compiler: inout SchemaCompiler) {
        self.location = location
        var reader = KeywordReader(json: json, location: location, compiler: compiler)
        alwaysValid = json.boolValue
        switch reader.value("type") {
        case .string(let text)?:
            if let type = JSONType(rawValue: text) { types = [type] } else { reader.fail("type", "tipo «\(text)» desconocido"); types = [] }
        case .array(let list)?:
            types = list.compactMap { item in
                guard let type = item.stringValue.flatMap(JSONType.init(rawValue:)) else {
                    reader.fail("type", "tipo \(item) desconocido"); return nil
                }
                return type
            }
        case nil: types = nil
        default: reader.fail("type", "debe ser un texto o una lista de textos"); types = []
        }
        enumValues = reader.array("enum")
        constValue = reader.value("const")
        ref = reader.string("$ref").map { SchemaCompiler.resolve($0, against: baseURI) }

        func sub(_ keyword: String) -> SchemaNode? {
            reader.value(keyword).map { SchemaNode(compiling: $0, at: "\(location)/\(keyword)", baseURI: baseURI, compiler: &reader.compiler) }
        }
        func subs(_ keyword: String) -> [SchemaNode] {
            (reader.array(keyword) ?? []).enumerated().map { index, element in
                SchemaNode(compiling: element, at: "\(location)/\(keyword)/\(index)", baseURI: baseURI, compiler: &reader.compiler)
            }
        }
        properties = (reader.object("properties") ?? []).map { member in
            (member.key, SchemaNode(compiling: member.value, at: "\(location)/properties/\(member.key)", baseURI: baseURI, compiler: &reader.compiler))
        }
        required = reader.strings("required") ?? []
        additionalProperties = sub("additionalProperties")
        dependentRequired = (reader.object("dependentRequired") ?? []).compactMap { member in
            guard let names = member.value.arrayValue, names.allSatisfy({ $0.stringValue != nil }) else {
                reader.fail("dependentRequired/\(member.key)", "debe ser una lista de nombres de campo")
                return nil
            }
            return (member.key, names.compactMap(\.stringValue))
        }
        minProperties = reader.count("minProperties")
        maxProperties = reader.count("maxProperties")
        prefixItems = subs("prefixItems")
        items = sub("items")
        minItems = reader.count("minItems")
        maxItems = reader.count("maxItems")
        uniqueItems = reader.bool("uniqueItems") ?? false
        minLength = reader.count("minLength")
        maxLength = reader.count("maxLength")
        pattern = reader.string("pattern").flatMap { text in
            do { return try Pattern(text) } catch { reader.fail("pattern", "expresión regular no válida: \(text)"); return nil }
        }
        if let format = reader.string("format"), format != "date" {
            reader.fail("format", "formato «\(format)» no admitido (solo «date»)")
        }
        isDateFormat = reader.string("format") == "date"
        minimum = reader.number("minimum")
        maximum = reader.number("maximum")
        exclusiveMinimum = reader.number("exclusiveMinimum")
        exclusiveMaximum = reader.number("exclusiveMaximum")
        multipleOf = reader.number("multipleOf")
        allOf = subs("allOf")
        anyOf = subs("anyOf")
        oneOf = subs("oneOf")
        not = sub("not")
        ifSchema = sub("if")
        thenSchema = sub("then")
        elseSchema = sub("else")
        catalog = reader.string("x-catalogo")
        isPersonal = reader.bool("x-personal") ?? false
        isVariable = reader.bool("x-variable") ?? false
        entidadSibling = reader.string("x-entidad")
        description = reader.string("description")
        if let catalog, !reader.compiler.catalogIds.contains(catalog) {
            reader.fail("x-catalogo", "el catálogo «\(catalog)» no existe en events/catalogs")
        }
        // `$defs` are compiled so that `$ref`s can reach them; nothing validates against them directly.
        for member in reader.object("$defs") ?? [] {
            _ = SchemaNode(compiling: member.value, at: "\(location)/$defs/\(member.key)", baseURI: baseURI, compiler: &reader.compiler)
        }
        // `$id` and `$schema` would change how references resolve if nested; `x-evento` describes a whole event.
        if !location.hasSuffix("#") {
            for keyword in ["$id", "$schema", "x-evento"] where reader.value(keyword) != nil {
                reader.fail(keyword, "solo se admite en la raíz de una definición")
            }
        }
        reader.checkUnknownKeywords()
        compiler = reader.compiler
        compiler.nodes[location] = self
    }
}

/// The JSON Schema instance types.
enum JSONType: String, Sendable {
    case null, boolean, object, array, number, integer, string

    func matches(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.null, .null), (.boolean, .bool), (.object, .object), (.array, .array), (.number, .number), (.string, .string): true
        case (.integer, .number(let number)): number.isFinite && number.rounded(.towardZero) == number
        default: false
        }
    }

    /// How an error message names the type.
    var spanishName: String {
        switch self {
        case .null: "nulo"
        case .boolean: "verdadero o falso"
        case .object: "un objeto"
        case .array: "una lista"
        case .number: "un número"
        case .integer: "un número entero"
        case .string: "un texto"
        }
    }
}

/// A `pattern`, compiled once. JSON Schema patterns are ECMA-262 and unanchored; Swift's
/// `Regex` accepts the subset our definitions use, matched on Unicode scalars like ECMA-262.
final class Pattern: @unchecked Sendable {
    // Regex is immutable once built and matching does not mutate it; it is just not marked Sendable.
    private let regex: Regex<AnyRegexOutput>
    let source: String

    init(_ source: String) throws {
        self.source = source
        self.regex = try Regex(source).matchingSemantics(.unicodeScalar)
    }

    func matches(_ text: String) -> Bool { text.contains(regex) }
}

/// Shared state while compiling a set of documents: every node by location, and problems.
struct SchemaCompiler {
    var nodes: [String: SchemaNode] = [:]
    var problems: [String] = []
    let catalogIds: Set<String>

    init(catalogIds: Set<String>) { self.catalogIds = catalogIds }

    /// `comun.json#/$defs/x` against `https://…/eventos/X.v1.json` → `https://…/eventos/comun.json#/$defs/x`.
    static func resolve(_ reference: String, against base: String) -> String {
        let (document, fragment) = split(reference)
        if document.isEmpty { return base + "#" + fragment }
        if document.contains("://") { return document + "#" + fragment }
        let directory = base[..<(base.lastIndex(of: "/").map { base.index(after: $0) } ?? base.endIndex)]
        return directory + document + "#" + fragment
    }

    private static func split(_ reference: String) -> (String, String) {
        guard let hash = reference.firstIndex(of: "#") else { return (reference, "") }
        return (String(reference[..<hash]), String(reference[reference.index(after: hash)...]))
    }
}

/// Reads keywords off one schema object, remembering which it used so the rest can be reported.
private struct KeywordReader {
    static let known: Set<String> = [
        "$schema", "$id", "$ref", "$defs", "$comment", "title", "description", "examples", "default", "deprecated",
        "type", "enum", "const", "properties", "required", "additionalProperties", "items", "prefixItems", "minItems",
        "maxItems", "uniqueItems", "minLength", "maxLength", "pattern", "format", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
        "dependentRequired", "minProperties", "maxProperties",
        "x-evento", "x-variable", "x-catalogo", "x-personal", "x-entidad",
    ]
    let members: [JSONMember]
    let location: String
    var compiler: SchemaCompiler

    init(json: JSONValue, location: String, compiler: SchemaCompiler) {
        self.location = location
        self.compiler = compiler
        switch json {
        case .object(let members): self.members = members
        case .bool: self.members = []
        default:
            self.members = []
            self.compiler.problems.append("\(location): un esquema debe ser un objeto o true/false")
        }
    }

    mutating func fail(_ keyword: String, _ message: String) {
        compiler.problems.append("\(location)/\(keyword): \(message)")
    }

    func value(_ keyword: String) -> JSONValue? { members.first { $0.key == keyword }?.value }

    mutating func typed<T>(_ keyword: String, _ what: String, _ extract: (JSONValue) -> T?) -> T? {
        guard let json = value(keyword) else { return nil }
        guard let result = extract(json) else { fail(keyword, "debe ser \(what)"); return nil }
        return result
    }
    mutating func string(_ keyword: String) -> String? { typed(keyword, "un texto") { $0.stringValue } }
    mutating func bool(_ keyword: String) -> Bool? { typed(keyword, "true o false") { $0.boolValue } }
    mutating func number(_ keyword: String) -> Double? { typed(keyword, "un número") { $0.numberValue } }
    mutating func array(_ keyword: String) -> [JSONValue]? { typed(keyword, "una lista") { $0.arrayValue } }
    mutating func object(_ keyword: String) -> [JSONMember]? { typed(keyword, "un objeto") { $0.objectValue } }
    mutating func count(_ keyword: String) -> Int? {
        typed(keyword, "un entero no negativo") { $0.int64Value.flatMap { $0 >= 0 ? Int($0) : nil } }
    }
    mutating func strings(_ keyword: String) -> [String]? {
        typed(keyword, "una lista de textos") { json in
            json.arrayValue.flatMap { items in
                let texts = items.compactMap(\.stringValue)
                return texts.count == items.count ? texts : nil
            }
        }
    }

    mutating func checkUnknownKeywords() {
        for member in members where !Self.known.contains(member.key) {
            fail(member.key, "palabra clave desconocida (¿error de escritura?)")
        }
    }
}
