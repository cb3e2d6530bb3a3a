import CanonicalJSON

/// One event type at one schema version, as `events/definitions/<modulo>/<Tipo>.v<N>.json` defines it.
public struct EventDefinition: Sendable {
    public let eventType: String
    public let version: Int
    /// `atencion-a-victimas`, `operativos`, …, `programa` or `sistema`.
    public let module: String
    /// The command that records it (`registrar-persona`); kebab-case, unique among current versions.
    public let command: String
    /// `x-evento.accion`: what a person must be allowed to do to send the command (`capturar`,
    /// `validar`, …; the `accion` column of the permission table).
    public let action: String
    /// Stream id prefix (`expediente`) and stream type (`Expediente`).
    public let streamCategory: String
    public let streamType: String
    /// True when the command creates a new stream; false when it appends to one the caller names.
    public let startsStream: Bool
    /// The stream type of an event that goes onto the record of any module beside the case files
    /// (`RegistroCorregido`, `RegistroAnulado`): one correction and one annulment for every module.
    public static let anyModuleRecord = "RegistroDeModulo"
    public var appliesToAnyModuleRecord: Bool { streamType == Self.anyModuleRecord }
    /// The top-level `format: date` property that dates the event.
    public let dateField: String?
    /// `x-evento.interno`: only SINTRA itself records it (a publication, an access to personal data,
    /// an account change made through its own endpoint); no API endpoint or file submits it directly.
    public let isInternal: Bool
    /// `x-evento.leidoPorLasReglas` (default true). False for an event no later command's rules
    /// read (an attention counts for the stream's version only): the state commands are decided
    /// on leaves it out, so a case with a thousand attentions is as cheap to decide on as a new one.
    public let isReadByRules: Bool
    public let title: String
    public let description: String
    public let comment: String?
    /// Path of the file, relative to `events/`.
    public let file: String
    /// The whole document, for the API contract and the dictionary.
    public let document: JSONValue
    public let examples: [JSONValue]
    let root: SchemaNode

    /// `VictimaRegistrada.v1`
    public var key: String { "\(eventType).v\(version)" }
}

extension EventDefinition {
    /// Reads `x-evento` and the descriptive keywords, reporting every problem under `file`.
    static func read(document: JSONValue, root: SchemaNode, file: String, problems: inout [String]) -> EventDefinition? {
        func fail(_ message: String) { problems.append("\(file): \(message)") }
        guard let header = document["x-evento"], header.isObject else { fail("falta x-evento"); return nil }
        let known: Set<String> = ["tipo", "version", "modulo", "comando", "accion", "flujo", "fecha", "interno", "leidoPorLasReglas"]
        for member in header.objectValue ?? [] where !known.contains(member.key) { fail("x-evento.\(member.key): clave desconocida") }
        let flow = header["flujo"]
        for member in flow?.objectValue ?? [] where !["categoria", "tipo", "inicia"].contains(member.key) {
            fail("x-evento.flujo.\(member.key): clave desconocida")
        }
        guard let type = header["tipo"]?.stringValue, let version = header["version"]?.int64Value, version >= 1,
              let module = header["modulo"]?.stringValue, let command = header["comando"]?.stringValue,
              let action = header["accion"]?.stringValue,
              let category = flow?["categoria"]?.stringValue, let streamType = flow?["tipo"]?.stringValue,
              let starts = flow?["inicia"]?.boolValue
        else {
            fail("x-evento requiere tipo, version (≥ 1), modulo, comando, accion y flujo {categoria, tipo, inicia}")
            return nil
        }
        let dateField = header["fecha"]?.stringValue
        if let internalFlag = header["interno"], internalFlag.boolValue == nil { fail("x-evento.interno debe ser true o false") }
        if let readFlag = header["leidoPorLasReglas"], readFlag.boolValue == nil { fail("x-evento.leidoPorLasReglas debe ser true o false") }
        let isPascal = { (text: String) in text.first?.isUppercase == true && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
        if !isPascal(type) { fail("x-evento.tipo «\(type)» debe ser PascalCase") }
        if !isPascal(streamType) { fail("x-evento.flujo.tipo «\(streamType)» debe ser PascalCase") }
        if category.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) == nil { fail("x-evento.flujo.categoria «\(category)» no válida") }
        if command.range(of: "^[a-z]+(-[a-z]+)*$", options: .regularExpression) == nil { fail("x-evento.comando «\(command)» debe ser kebab-case") }
        if action.range(of: "^[a-z]+(-[a-z]+)*$", options: .regularExpression) == nil { fail("x-evento.accion «\(action)» debe ser kebab-case") }
        if !file.hasSuffix("/\(type).v\(version).json") || !file.hasPrefix("definitions/\(module)/") {
            fail("el archivo debe ser definitions/\(module)/\(type).v\(version).json")
        }
        if document["$id"]?.stringValue != DefinitionSet.baseURI + "\(type).v\(version).json" { fail("$id no corresponde al archivo") }
        if document["title"]?.stringValue != type { fail("title debe ser «\(type)»") }
        if let dateField {
            let property = root.properties.first { $0.name == dateField }?.schema
            if property == nil { fail("x-evento.fecha «\(dateField)» no es una propiedad") }
            if !root.required.contains(dateField) { fail("x-evento.fecha «\(dateField)» debe ser obligatoria") }
        }
        let examples = document["examples"]?.arrayValue ?? []
        if examples.isEmpty { fail("se requiere al menos un ejemplo (examples)") }
        return EventDefinition(
            eventType: type, version: Int(version), module: module, command: command, action: action, streamCategory: category,
            streamType: streamType, startsStream: starts, dateField: dateField, isInternal: header["interno"]?.boolValue ?? false,
            isReadByRules: header["leidoPorLasReglas"]?.boolValue ?? true, title: type,
            description: document["description"]?.stringValue ?? "", comment: document["$comment"]?.stringValue,
            file: file, document: document, examples: examples, root: root)
    }
}
