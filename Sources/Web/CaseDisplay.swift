import CanonicalJSON
import CaseFiles
import Definitions

/// An event's data as rows a person reads: labels from the field names, catalogue codes as their
/// words, personal fields that were not opened as «oculto», and corrections as before → after.
struct CaseDisplay {
    let definitions: DefinitionSet
    static let hidden = "[dato personal oculto]"

    func rows(_ value: JSONValue, eventType: String) -> [[String: String]] {
        let catalogs = catalogFields(eventType)
        var rows: [[String: String]] = []
        flatten(value, label: "", catalogs: catalogs, into: &rows)
        return rows
    }

    func timeline(_ entries: [CaseFile.TimelineEntry]) -> [[String: Any]] {
        var general: [String: JSONValue] = [:]
        var victimisation: [String: JSONValue] = [:]
        return entries.map { entry in
            var item: [String: Any] = [
                "evento": FieldLabels.eventType(entry.eventType), "fecha": entry.date ?? "—", "institucion": entry.institution,
                "usuario": entry.userId ?? "—", "version": String(entry.version), "id": "evento-\(entry.version)",
            ]
            var changes: [[String: String]] = []
            switch entry.eventType {
            case "VictimaRegistrada": general = members(entry.details)
            case "VictimizacionDocumentada": victimisation = members(entry.details)
            case "DatosGeneralesCorregidos", "VictimizacionCorregida":
                let isGeneral = entry.eventType == "DatosGeneralesCorregidos"
                let catalogs = catalogFields(isGeneral ? "VictimaRegistrada" : "VictimizacionDocumentada")
                for (key, after) in members(entry.details["correcciones"] ?? .null) {
                    let before = (isGeneral ? general : victimisation)[key]
                    changes.append(["campo": FieldLabels.label(key), "antes": before.map { text($0, catalog: catalogs[key]) } ?? "—", "despues": text(after, catalog: catalogs[key])])
                    if isGeneral { general[key] = after } else { victimisation[key] = after }
                }
            default: break
            }
            var details = entry.details
            if !changes.isEmpty, case .object(let list) = details { details = .object(list.filter { $0.key != "correcciones" }) }
            item["datos"] = rows(details, eventType: entry.eventType)
            item["cambios"] = changes
            item["hayCambios"] = !changes.isEmpty
            return item
        }
    }

    private func members(_ value: JSONValue) -> [String: JSONValue] {
        Dictionary((value.objectValue ?? []).map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
    }

    /// Field name → catalogue, for every field of the event's definition (nested ones too, by their own name).
    private func catalogFields(_ eventType: String) -> [String: String] {
        guard let definition = definitions.latest(eventType) else { return [:] }
        var result: [String: String] = [:]
        func walk(_ fields: [FormField]) {
            for field in fields {
                switch field.kind {
                case .catalog(let id): result[field.name] = id
                case .group(let children): walk(children)
                case .list(let item):
                    if case .catalog(let id) = item.kind { result[field.name] = id }
                    if case .group(let children) = item.kind { walk(children) }
                default: break
                }
            }
        }
        walk(definitions.formFields(of: definition))
        return result
    }

    private func flatten(_ value: JSONValue, label: String, catalogs: [String: String], into rows: inout [[String: String]], key: String = "") {
        switch value {
        case .object(let list):
            for member in list {
                let name = FieldLabels.label(member.key)
                flatten(member.value, label: label.isEmpty ? name : "\(label) › \(name)", catalogs: catalogs, into: &rows, key: member.key)
            }
        case .array(let items) where items.contains(where: { $0.objectValue != nil }):
            for (index, item) in items.enumerated() { flatten(item, label: "\(label) \(index + 1)", catalogs: catalogs, into: &rows, key: key) }
        default:
            rows.append(["etiqueta": label, "valor": text(value, catalog: catalogs[key])])
        }
    }

    private func text(_ value: JSONValue, catalog: String?) -> String {
        switch value {
        case .null: return Self.hidden
        case .string(let code): return catalog.flatMap { definitions.catalogs[$0]?.value(code)?.label } ?? code
        case .bool(let flag): return flag ? "Sí" : "No"
        case .number(let number): return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .array(let items): return items.map { text($0, catalog: catalog) }.joined(separator: ", ")
        case .object: return "…"
        }
    }
}
