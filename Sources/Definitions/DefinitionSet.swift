import Catalog
import CanonicalJSON
import Foundation

public struct DefinitionLoadError: Error, Sendable, CustomStringConvertible {
    public let problems: [String]
    public var description: String {
        "las definiciones de eventos tienen \(problems.count) problema\(problems.count == 1 ? "" : "s"):\n"
            + problems.map { "  • \($0)" }.joined(separator: "\n")
    }
}

/// Every event definition in `events/definitions/` and the catalogues they draw from: the one
/// source of truth for validation, the API contract and the data dictionary.
public struct DefinitionSet: Sendable {
    public static let baseURI = "https://sintra.gob.mx/esquemas/eventos/"

    public let catalogs: CatalogSet
    /// All versions, sorted by type then version.
    public let all: [EventDefinition]
    /// The shared pieces (`comun.json`), for the API contract.
    public let common: JSONValue
    private let byKey: [String: EventDefinition]
    private let latestByType: [String: EventDefinition]
    private let byCommand: [String: EventDefinition]
    private let validator: SchemaValidator

    /// The newest version of each event type: what commands record today.
    public var current: [EventDefinition] { latestByType.values.sorted { $0.eventType < $1.eventType } }

    public func definition(_ eventType: String, version: Int) -> EventDefinition? { byKey["\(eventType).v\(version)"] }
    public func latest(_ eventType: String) -> EventDefinition? { latestByType[eventType] }
    public func definition(forCommand command: String) -> EventDefinition? { byCommand[command] }
    public var commands: [String] { byCommand.keys.sorted() }
    func nodeAt(_ location: String) -> SchemaNode? { validator.nodes[location] }

    /// Loads `<root>/definitions` and `<root>/catalogs` strictly: every problem in every file is
    /// reported at once, and an unknown keyword, a dangling `$ref`, an unknown catalogue or an
    /// example that does not validate is a problem.
    public static func load(eventsDirectory root: URL) throws -> DefinitionSet {
        let catalogs = try CatalogSet.load(directory: root.appendingPathComponent("catalogs"))
        var compiler = SchemaCompiler(catalogIds: Set(catalogs.catalogs.keys))
        var problems: [String] = []
        let directory = root.appendingPathComponent("definitions")
        let files = definitionFiles(in: directory)
        var documents: [(file: String, json: JSONValue)] = []
        for file in ["comun.json"] + files {
            do {
                let data = try Data(contentsOf: directory.appendingPathComponent(file))
                documents.append(("definitions/" + file, try CanonicalJSON.parse(data)))
            } catch let error as JSONParseError {
                problems.append("definitions/\(file) \(error.path): JSON no válido: \(error.message)")
            } catch {
                problems.append("definitions/\(file): no se pudo leer")
            }
        }
        var definitions: [EventDefinition] = []
        var common: JSONValue = .null
        for (file, json) in documents {
            guard let id = json["$id"]?.stringValue, id.hasPrefix(baseURI) else {
                problems.append("\(file): $id debe empezar con \(baseURI)")
                continue
            }
            if json["$schema"]?.stringValue != "https://json-schema.org/draft/2020-12/schema" {
                problems.append("\(file): $schema debe ser https://json-schema.org/draft/2020-12/schema")
            }
            let root = SchemaNode(compiling: json, at: id + "#", baseURI: id, compiler: &compiler)
            if file == "definitions/comun.json" { common = json; continue }
            if let definition = EventDefinition.read(document: json, root: root, file: file, problems: &problems) {
                definitions.append(definition)
            }
        }
        problems += compiler.problems
        for node in compiler.nodes.values {
            if let ref = node.ref, compiler.nodes[ref] == nil { problems.append("\(node.location): $ref «\(ref)» no lleva a ningún esquema") }
        }
        definitions.sort { ($0.eventType, $0.version) < ($1.eventType, $1.version) }
        var latest: [String: EventDefinition] = [:]
        for definition in definitions { latest[definition.eventType] = definition }
        var byCommand: [String: EventDefinition] = [:]
        for definition in latest.values.sorted(by: { $0.eventType < $1.eventType }) {
            if let other = byCommand[definition.command] {
                problems.append("\(definition.file): el comando «\(definition.command)» ya lo usa \(other.eventType)")
            }
            byCommand[definition.command] = definition
        }
        let set = DefinitionSet(
            catalogs: catalogs, all: definitions, common: common,
            byKey: Dictionary(definitions.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first }),
            latestByType: latest, byCommand: byCommand, validator: SchemaValidator(nodes: compiler.nodes))
        if problems.isEmpty {
            for definition in definitions {
                for (index, example) in definition.examples.enumerated() {
                    for problem in set.validate(example, definition: definition).problems {
                        problems.append("\(definition.file) examples[\(index)]: \(problem)")
                    }
                }
            }
        }
        guard problems.isEmpty else { throw DefinitionLoadError(problems: problems) }
        return set
    }

    private static func definitionFiles(in directory: URL) -> [String] {
        let modules = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return modules.sorted().flatMap { module -> [String] in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(module).path, isDirectory: &isDirectory),
                  isDirectory.boolValue else { return [] }
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(module).path)) ?? []
            return files.filter { $0.hasSuffix(".json") }.sorted().map { "\(module)/\($0)" }
        }
    }

    /// Validates a payload against its definition and the catalogues: the schema, then every
    /// catalogue code in force on the event's date, then each municipio inside its entidad.
    /// Paths are relative to the payload (`ruta.origen.entidad`).
    ///
    /// `earliestCatalogueDate` serves declared historical loads: a record dated before SINTRA's
    /// catalogues existed is checked against the codes as they stood on that date instead
    /// (a 2010 case still needs a real code, just not one "in force" in 2010).
    ///
    /// `catalogueDate` replaces the event's own date for the catalogue check: a correction made
    /// today of what was recorded in 2017 names codes as they stood in 2017.
    public func validate(_ payload: JSONValue, definition: EventDefinition, earliestCatalogueDate: CalendarDate? = nil,
                         catalogueDate: CalendarDate? = nil) -> ValidationResult {
        // Catalogue and municipio checks run even when the schema found problems elsewhere (annotations
        // come only from values that passed their own schema), so one answer lists everything to fix.
        var outcome = validator.validate(payload, against: definition.root)
        var date = catalogueDate ?? eventDate(of: payload, definition: definition)
        if let earliest = earliestCatalogueDate, let eventDate = date, eventDate < earliest { date = earliest }
        for use in outcome.annotations.catalogUses {
            guard let catalog = catalogs[use.catalog] else { continue }
            guard let value = catalog.value(use.code) else {
                outcome.fail(use.path, "catalogo-codigo-desconocido", "no es un código del catálogo «\(catalog.name)» (los códigos: GET /v1/catalogos/\(catalog.id))")
                continue
            }
            if let date, !value.isValid(on: date) {
                let window = "vigente del \(value.validFrom)" + (value.validUntil.map { " al \($0) (exclusive)" } ?? " en adelante")
                outcome.fail(use.path, "catalogo-codigo-no-vigente",
                             "el código «\(use.code)» (\(value.label)) no estaba vigente el \(date): \(window)")
            }
        }
        for use in outcome.annotations.municipios {
            if let entidad = use.entidad, !use.municipio.hasPrefix(entidad) {
                outcome.fail(use.path, "municipio-de-otra-entidad",
                             "el municipio «\(use.municipio)» no pertenece a la entidad «\(entidad)»: su clave debe empezar con \(entidad)")
            }
        }
        return ValidationResult(problems: outcome.problems, annotations: outcome.annotations)
    }

    /// Validates against the schema alone (no catalogues): what a generic JSON Schema validator checks.
    public func validateSchemaOnly(_ payload: JSONValue, definition: EventDefinition) -> [Problem] {
        validator.validate(payload, against: definition.root).problems
    }

    /// The event's own date (`x-evento.fecha`), if the definition has one and the payload carries a valid one.
    public func eventDate(of payload: JSONValue, definition: EventDefinition) -> CalendarDate? {
        definition.dateField.flatMap { payload[$0]?.stringValue }.flatMap(CalendarDate.init)
    }
}

public struct ValidationResult: Sendable {
    public let problems: [Problem]
    public let annotations: Annotations
    public var isValid: Bool { problems.isEmpty }
}
