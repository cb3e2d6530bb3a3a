import CanonicalJSON
import Definitions
import Foundation
import TestDatabase


func json(_ text: String) -> JSONValue {
    do { return try CanonicalJSON.parse(text) } catch { fatalError("JSON de prueba no válido: \(error)") }
}

/// A scratch `events/` folder with the repository's catalogues and comun.json plus the given
/// definition files (path under definitions/ → text), for load-error tests.
func scratchEvents(_ files: [String: String]) throws -> URL {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("sintra-def-\(UUID().uuidString)")
    let repository = TestDatabase.repositoryRoot.appendingPathComponent("events")
    try FileManager.default.createDirectory(at: root.appendingPathComponent("definitions"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: repository.appendingPathComponent("catalogs"), to: root.appendingPathComponent("catalogs"))
    try FileManager.default.copyItem(at: repository.appendingPathComponent("definitions/comun.json"),
                                     to: root.appendingPathComponent("definitions/comun.json"))
    for (path, text) in files {
        let url = root.appendingPathComponent("definitions").appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
    return root
}

/// A minimal valid definition whose property `campo` has the given schema text.
func definitionText(type: String = "PruebaRegistrada", property: String = #"{"type": "string", "description": "Un campo."}"#,
                    example: String = #"{"fecha": "2023-01-01", "campo": "x"}"#, extraTopLevel: String = "") -> String {
    """
    {
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "$id": "https://sintra.gob.mx/esquemas/eventos/\(type).v1.json",
      "title": "\(type)", "description": "Prueba.",
      "x-evento": {"tipo": "\(type)", "version": 1, "modulo": "operativos", "comando": "registrar-prueba", "accion": "capturar",
                   "flujo": {"categoria": "prueba", "tipo": "Prueba", "inicia": true}, "fecha": "fecha"},
      "type": "object", "additionalProperties": false, "required": ["fecha"],
      \(extraTopLevel)
      "properties": {
        "fecha": {"$ref": "comun.json#/$defs/fecha", "description": "Fecha."},
        "campo": \(property)
      },
      "examples": [\(example)]
    }
    """
}

func loadProblems(_ files: [String: String]) throws -> [String] {
    let root = try scratchEvents(files)
    defer { try? FileManager.default.removeItem(at: root) }
    do {
        _ = try DefinitionSet.load(eventsDirectory: root)
        return []
    } catch let error as DefinitionLoadError {
        return error.problems
    }
}
