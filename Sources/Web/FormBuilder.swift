import Catalog

import Definitions
import Foundation

/// Draws a command's form from its definition's fields (`DefinitionSet.formFields`): one general
/// mechanism for every command, so a field added to a definition appears with no web code changed.
/// The view it returns is plain data for the `campo` template; the values typed and the
/// validator's problems are drawn in place.
struct FormBuilder: Sendable {
    let definitions: DefinitionSet
    /// Longer catalogues (municipios) are typed as codes: a select of thousands of options weighs too much.
    static let longestSelect = 300

    /// Names of the controls that are not fields: they start with `_`.
    static func isControl(_ name: String) -> Bool { name.hasPrefix("_") }

    func view(_ definition: EventDefinition, values: FormValues, problems: [String: [String]]) -> [[String: Any]] {
        definitions.formFields(of: definition).map { view($0, path: $0.name, values: values, problems: problems, date: eventDate(definition, values)) }
    }

    /// The catalogue version in force on the event's date when it was typed, today otherwise.
    func eventDate(_ definition: EventDefinition, _ values: FormValues) -> CalendarDate {
        definition.dateField.flatMap { values.text($0) }.flatMap({ CalendarDate($0) }) ?? .today()
    }

    private func view(_ field: FormField, path: String, values: FormValues, problems: [String: [String]], date: CalendarDate) -> [String: Any] {
        var view: [String: Any] = [
            "id": Self.id(path), "nombre": path, "etiqueta": FieldLabels.label(field.name), "ayuda": field.description,
            "obligatorio": field.required, "personal": field.isPersonal,
            // Every key set on every field: Mustache looks a missing key up in the enclosing
            // field, and a group's error or value must never show on its children.
            "error": "", "valor": "", "maximo": "", "paso": "", "cuenta": "", "opciones": [[String: Any]](), "campos": [[String: Any]](),
            "elementos": [[String: Any]](), "puedeAgregar": false, "esTexto": false, "esTextoLargo": false, "esNumero": false,
            "esFecha": false, "esSeleccion": false, "esGrupo": false, "esCasillas": false, "esLista": false,
        ]
        if let messages = problems[path], !messages.isEmpty { view["error"] = messages.joined(separator: "; ") }
        let value = values.first(path) ?? ""
        switch field.kind {
        case .text: view["esTexto"] = true; view["valor"] = value; view["maximo"] = field.maxLength.map(String.init) ?? ""
        case .longText: view["esTextoLargo"] = true; view["valor"] = value
        case .integer, .number:
            view["esNumero"] = true; view["valor"] = value
            view["paso"] = field.kind == .integer ? "1" : "any"
        case .date: view["esFecha"] = true; view["valor"] = value
        case .boolean:
            view["esSeleccion"] = true
            view["opciones"] = [["valor": "", "etiqueta": "— Sin indicar —", "elegida": value.isEmpty],
                                ["valor": "si", "etiqueta": "Sí", "elegida": value == "si"],
                                ["valor": "no", "etiqueta": "No", "elegida": value == "no"]]
        case .choice(let options):
            view["esSeleccion"] = true
            view["opciones"] = [["valor": "", "etiqueta": "— Elija —", "elegida": value.isEmpty]]
                + options.map { ["valor": $0, "etiqueta": FieldLabels.label($0), "elegida": $0 == value] }
        case .catalog(let id):
            let options = catalogOptions(id, date: date)
            if options.count > Self.longestSelect {
                view["esTexto"] = true; view["valor"] = value
                view["ayuda"] = field.description + " Escriba la clave del catálogo «\(definitions.catalogs[id]?.name ?? id)»."
            } else {
                view["esSeleccion"] = true
                view["opciones"] = [["valor": "", "etiqueta": "— Elija —", "elegida": value.isEmpty]]
                    + options.map { ["valor": $0.code, "etiqueta": $0.label, "elegida": $0.code == value] }
            }
        case .group(let children):
            view["esGrupo"] = true
            view["campos"] = children.map { self.view($0, path: path + "." + $0.name, values: values, problems: problems, date: date) }
        case .list(let item):
            switch item.kind {
            case .catalog(let id) where catalogOptions(id, date: date).count <= Self.longestSelect:
                let chosen = Set(values.all(path))
                view["esCasillas"] = true
                view["opciones"] = catalogOptions(id, date: date).enumerated().map { index, option in
                    ["valor": option.code, "etiqueta": option.label, "elegida": chosen.contains(option.code), "id": Self.id(path) + "-\(index)"]
                }
            case .group:
                let count = Self.itemCount(path, values: values, required: field.required)
                view["esLista"] = true
                view["elementos"] = (0..<count).map { index -> [String: Any] in
                    let itemPath = path + "[\(index)]"
                    var element = self.view(item, path: itemPath, values: values, problems: problems, date: date)
                    element["etiqueta"] = "\(FieldLabels.label(field.name)) \(index + 1)"
                    return element
                }
                view["cuenta"] = String(count)
                view["puedeAgregar"] = count < (field.maxItems ?? 20)
            default:
                // A list of free values: one per line.
                view["esTextoLargo"] = true
                view["valor"] = values.first(path) ?? ""
                view["ayuda"] = field.description + " Uno por renglón."
            }
        }
        return view
    }

    /// How many items of a repeated group the form shows: what was sent (`_n:` plus an «agregar»), at least one.
    static func itemCount(_ path: String, values: FormValues, required: Bool) -> Int {
        var count = Int(values.first("_n:" + path) ?? "") ?? 1
        if values.first("_agregar") == path { count += 1 }
        return max(1, min(count, 50))
    }

    func catalogOptions(_ id: String, date: CalendarDate) -> [(code: String, label: String)] {
        (definitions.catalogs[id]?.values ?? []).filter { $0.isValid(on: date) }.map { ($0.code, $0.label) }
    }

    /// An HTML id from a field path (`lugar.entidad` → `campo-lugar-entidad`).
    static func id(_ path: String) -> String {
        "campo-" + String(path.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }
}
