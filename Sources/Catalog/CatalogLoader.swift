import CanonicalJSON
import Foundation

/// A problem in a catalogue file: where (file and JSON Pointer) and what, in Spanish.
public struct CatalogProblem: Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let path: String
    public let message: String
    public var description: String { "\(file)\(path.isEmpty ? "" : " \(path)"): \(message)" }
}

public struct CatalogLoadError: Error, Sendable, CustomStringConvertible {
    public let problems: [CatalogProblem]
    public var description: String {
        "catálogos no válidos:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// Every catalogue of a folder, by id.
public struct CatalogSet: Sendable {
    public let catalogs: [String: Catalog]

    public subscript(id: String) -> Catalog? { catalogs[id] }

    /// Loads `*.json` catalogue files (skipping `*.schema.json`), strictly: an unknown or
    /// misspelt key is an error, not something silently ignored. Every problem in every file
    /// is reported at once.
    public static func load(directory: URL) throws(CatalogLoadError) -> CatalogSet {
        var problems: [CatalogProblem] = []
        var catalogs: [String: Catalog] = [:]
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".schema.json") }.sorted()
        } catch {
            throw CatalogLoadError(problems: [CatalogProblem(file: directory.path, path: "", message: "no se pudo leer la carpeta")])
        }
        for name in names {
            var reader = CatalogReader(file: name)
            do {
                let data = try Data(contentsOf: directory.appendingPathComponent(name))
                if let catalog = reader.read(try CanonicalJSON.parse(data)) {
                    if catalog.id + ".json" != name {
                        reader.problem("/catalogo", "el identificador «\(catalog.id)» no coincide con el nombre del archivo")
                    }
                    catalogs[catalog.id] = catalog
                }
            } catch let error as JSONParseError {
                reader.problem(error.path, "JSON no válido: \(error.message)")
            } catch {
                reader.problem("", "no se pudo leer el archivo")
            }
            problems += reader.problems
        }
        guard problems.isEmpty else { throw CatalogLoadError(problems: problems) }
        return CatalogSet(catalogs: catalogs)
    }
}

/// Reads one catalogue file's JSON, collecting problems instead of stopping at the first.
struct CatalogReader {
    let file: String
    var problems: [CatalogProblem] = []

    static let topLevelKeys: Set<String> = ["catalogo", "nombre", "descripcion", "fuente", "estandarInternacional", "verificacion", "campos", "valores"]
    static let verificationKeys: Set<String> = ["fuente", "version", "fecha", "consultado", "resultado"]
    static let valueKeys: Set<String> = ["codigo", "etiqueta", "vigenteDesde", "vigenteHasta", "codigoInternacional"]

    init(file: String) { self.file = file }

    mutating func problem(_ path: String, _ message: String) {
        problems.append(CatalogProblem(file: file, path: path, message: message))
    }

    mutating func read(_ json: JSONValue) -> Catalog? {
        guard case .object(let members) = json else {
            problem("", "un catálogo es un objeto JSON")
            return nil
        }
        for member in members where !Self.topLevelKeys.contains(member.key) {
            problem("/\(member.key)", "clave desconocida")
        }
        let id = requiredText(json, "catalogo")
        let name = requiredText(json, "nombre")
        let description = requiredText(json, "descripcion")
        let source = requiredText(json, "fuente")
        let standard = optionalText(json, "estandarInternacional")
        var verification: CatalogVerification?
        if let declared = json["verificacion"] { verification = readVerification(declared) }
        var fields: [String: String] = [:]
        if let campos = json["campos"] {
            if case .object(let declared) = campos {
                for field in declared {
                    if case .string(let meaning) = field.value, !meaning.isEmpty { fields[field.key] = meaning } else {
                        problem("/campos/\(field.key)", "la descripción del campo debe ser un texto")
                    }
                    if Self.valueKeys.contains(field.key) { problem("/campos/\(field.key)", "no se puede redeclarar una clave básica") }
                }
            } else {
                problem("/campos", "debe ser un objeto")
            }
        }
        var values: [CatalogValue] = []
        var seen: Set<String> = []
        if case .array(let items)? = json["valores"], !items.isEmpty {
            for (index, item) in items.enumerated() {
                if case .string(let code)? = item["codigo"], !seen.insert(code).inserted {
                    problem("/valores/\(index)/codigo", "código repetido «\(code)»")
                }
                guard let value = readValue(item, path: "/valores/\(index)", fields: fields) else { continue }
                if value.internationalCode != nil && standard == nil {
                    problem("/valores/\(index)/codigoInternacional", "hay códigos internacionales pero falta «estandarInternacional»")
                }
                values.append(value)
            }
        } else {
            problem("/valores", "se requiere una lista no vacía de valores")
        }
        guard let id, let name, let description, let source else { return nil }
        return Catalog(id: id, name: name, description: description, source: source,
                       internationalStandard: standard, verification: verification, fields: fields, values: values)
    }

    private mutating func readVerification(_ json: JSONValue) -> CatalogVerification? {
        guard case .object(let members) = json else {
            problem("/verificacion", "debe ser un objeto")
            return nil
        }
        for member in members where !Self.verificationKeys.contains(member.key) {
            problem("/verificacion/\(member.key)", "clave desconocida")
        }
        if case .null? = json["version"] { problem("/verificacion/version", "debe ser un texto no vacío (omítala si la fuente no tiene versión)") }
        let source = requiredText(json, "fuente", at: "/verificacion")
        let version = optionalText(json, "version", at: "/verificacion")
        let published = date(json, "fecha", at: "/verificacion", required: true)
        let checked = date(json, "consultado", at: "/verificacion", required: true)
        let result = requiredText(json, "resultado", at: "/verificacion")
        if let published, let checked, checked < published { problem("/verificacion/consultado", "no puede ser anterior a «fecha»") }
        guard let source, let published, let checked, let result else { return nil }
        return CatalogVerification(source: source, version: version, published: published, checked: checked, result: result)
    }

    private mutating func readValue(_ item: JSONValue, path: String, fields: [String: String]) -> CatalogValue? {
        guard case .object(let members) = item else {
            problem(path, "un valor es un objeto")
            return nil
        }
        var extra: [String: JSONValue] = [:]
        for member in members where !Self.valueKeys.contains(member.key) {
            if fields[member.key] == nil {
                problem("\(path)/\(member.key)", "clave no declarada en «campos»")
            } else if case .array = member.value {
                problem("\(path)/\(member.key)", "los campos adicionales son valores simples")
            } else if case .object = member.value {
                problem("\(path)/\(member.key)", "los campos adicionales son valores simples")
            } else {
                extra[member.key] = member.value
            }
        }
        let code = requiredText(item, "codigo", at: path)
        let label = requiredText(item, "etiqueta", at: path)
        let from = date(item, "vigenteDesde", at: path, required: true)
        let until = date(item, "vigenteHasta", at: path, required: false)
        if item["vigenteHasta"] == nil { problem("\(path)/vigenteHasta", "se requiere (null mientras el código esté vigente)") }
        if let from, let until, until <= from { problem("\(path)/vigenteHasta", "debe ser posterior a «vigenteDesde»") }
        let international = optionalText(item, "codigoInternacional", at: path)
        guard let code, let label, let from else { return nil }
        return CatalogValue(code: code, label: label, validFrom: from, validUntil: until, internationalCode: international, extra: extra)
    }

    private mutating func requiredText(_ object: JSONValue, _ key: String, at path: String = "") -> String? {
        guard case .string(let text)? = object[key], !text.isEmpty else {
            problem("\(path)/\(key)", "se requiere un texto no vacío")
            return nil
        }
        return text
    }

    private mutating func optionalText(_ object: JSONValue, _ key: String, at path: String = "") -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)? where !text.isEmpty: return text
        default:
            problem("\(path)/\(key)", "debe ser un texto no vacío o null")
            return nil
        }
    }

    private mutating func date(_ object: JSONValue, _ key: String, at path: String, required: Bool) -> CalendarDate? {
        switch object[key] {
        case .string(let text)?:
            guard let date = CalendarDate(text) else {
                problem("\(path)/\(key)", "«\(text)» no es una fecha AAAA-MM-DD válida")
                return nil
            }
            return date
        case nil, .null?:
            if required { problem("\(path)/\(key)", "se requiere una fecha AAAA-MM-DD") }
            return nil
        default:
            problem("\(path)/\(key)", "debe ser una fecha AAAA-MM-DD")
            return nil
        }
    }
}
