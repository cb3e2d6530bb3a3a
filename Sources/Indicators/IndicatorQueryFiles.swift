import CanonicalJSON
import Foundation

/// A ficha's queries live beside it, one file a variable (`projections/indicators/<id>.<CLAVE>.sql`),
/// so a DBA reads them as SQL rather than as JSON strings with `\n` escapes.
///
/// At load time each file's text goes into its variable's `consulta`, the field a ficha recorded in the
/// log (`DefinicionDeIndicadorAdoptada`) carries: what is recorded and compared stays one self-contained
/// document, and fichas recorded before the files existed read as they always did.
extension IndicatorDefinition {
    /// The file of variable `key` of ficha `id`.
    public static func queryFileName(id: String, variable key: String) -> String { "\(id).\(key).sql" }

    /// `json` (the ficha file `file`) with every variable's `consulta` read from its `.sql` file. A variable
    /// that has both, or neither, is an error; so is a `.sql` file of this ficha that no variable names.
    static func withQueryFiles(_ json: JSONValue, file: String, directory: URL, siblings: [String]) throws -> JSONValue {
        func fail(_ message: String) -> LoadError { LoadError(description: "projections/indicators/\(file): \(message)") }
        guard let id = json["id"]?.stringValue, let method = json["metodoDeCalculo"], let variables = method["variables"]?.arrayValue else {
            return json // `read` reports what is missing.
        }
        var named: Set<String> = []
        let loaded = try variables.map { variable -> JSONValue in
            guard let key = variable["clave"]?.stringValue, case .object(var members) = variable else { return variable }
            let name = queryFileName(id: id, variable: key)
            named.insert(name)
            let present = siblings.contains(name)
            if variable["consulta"] != nil {
                if present { throw fail("la variable \(key) tiene «consulta» y también \(name): deje sólo el archivo") }
                return variable
            }
            guard present, let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
                throw fail("falta \(name), la consulta de la variable \(key)")
            }
            var text = String(decoding: data, as: UTF8.self)
            // The file ends in a newline as text files do; the query is recorded without it.
            if text.hasSuffix("\n") { text.removeLast() }
            members.append(JSONMember(key: "consulta", value: .string(text)))
            return .object(members)
        }
        for stray in siblings where stray.hasPrefix("\(id).") && stray.hasSuffix(".sql") && !named.contains(stray) {
            throw fail("\(stray) no es la consulta de ninguna variable de la ficha")
        }
        return replacing("metodoDeCalculo", in: json, with: replacing("variables", in: method, with: .array(loaded)))
    }

    private static func replacing(_ key: String, in object: JSONValue, with value: JSONValue) -> JSONValue {
        guard case .object(let members) = object else { return object }
        return .object(members.map { $0.key == key ? JSONMember(key: key, value: value) : $0 })
    }
}
