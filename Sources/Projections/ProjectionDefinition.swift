import CanonicalJSON
import Foundation
import Postgres

/// One projection as `projections/<nombre>/` defines it: `projection.json` (name, version,
/// description), `schema.sql` (its tables) and `apply.sql` (how a range of events changes them).
///
/// Both scripts are schema-agnostic: the projector points `search_path` at the live schema, a
/// shadow schema for a rebuild, or a scratch schema for `sintra replay`, so one definition serves
/// all three. `apply.sql` reads its range from `current_setting('sintra.desde' / 'sintra.hasta')`,
/// set through parameters, so no value is ever spliced into SQL text.
public struct ProjectionDefinition: Sendable {
    public let name: String
    /// Raising it makes the projector rebuild the projection from position 0 at start.
    public let version: Int
    public let description: String
    let schemaScript: SQLScript
    let applyScript: SQLScript

    /// `proj_<name>`: where readers find the live tables.
    public var liveSchema: String { "proj_\(name)" }

    /// Everything a replay of this projection depends on besides the log: its name, version and both
    /// scripts (a kept as-of answer is keyed by it, so a release that changes a script computes anew).
    public var fingerprint: String { "\(name)\n\(version)\n\(schemaScript.text)\n\(applyScript.text)" }
    var shadowSchema: String { "proj_\(name)_nueva" }

    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Every `projections/*/projection.json`, sorted by name.
    public static func loadAll(directory: URL) throws -> [ProjectionDefinition] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return try entries.sorted().compactMap { entry in
            let folder = directory.appendingPathComponent(entry)
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("projection.json").path) else { return nil }
            return try load(folder: folder)
        }
    }

    static func load(folder: URL) throws -> ProjectionDefinition {
        let where_ = "projections/\(folder.lastPathComponent)"
        func read(_ file: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(file).path) else {
                throw LoadError(description: "\(where_): falta \(file)")
            }
            return String(decoding: data, as: UTF8.self)
        }
        let header: JSONValue
        do { header = try CanonicalJSON.parse(try read("projection.json")) } catch let error as JSONParseError {
            throw LoadError(description: "\(where_)/projection.json: JSON no válido: \(error.message)")
        }
        for member in header.objectValue ?? [] where !["nombre", "version", "descripcion"].contains(member.key) {
            throw LoadError(description: "\(where_)/projection.json: clave desconocida «\(member.key)»")
        }
        guard let name = header["nombre"]?.stringValue, name == folder.lastPathComponent,
              name.range(of: "^[a-z][a-z0-9_]{0,40}$", options: .regularExpression) != nil,
              let version = header["version"]?.int64Value, version >= 1 else {
            throw LoadError(description: "\(where_)/projection.json requiere «nombre» (igual a la carpeta, [a-z0-9_]) y «version» (≥ 1)")
        }
        return ProjectionDefinition(
            name: name, version: Int(version), description: header["descripcion"]?.stringValue ?? "",
            schemaScript: SQLScript(try read("schema.sql"), origin: "\(where_)/schema.sql"),
            applyScript: SQLScript(try read("apply.sql"), origin: "\(where_)/apply.sql"))
    }
}
