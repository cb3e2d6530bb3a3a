import Definitions

/// A form that no event definition draws (an account with its password, an institution, a
/// checkpoint): its fields written as `FormField`s so the service's problems land beside each
/// field and in the summary at the top through the same `ProblemPlacement` the generated forms use.
/// The views it returns are data for the `admin-campo` partial.
struct PlainForm {
    struct Field {
        let field: FormField
        var label: String
        var help = ""
        /// Code → words, for a select or a set of checkboxes.
        var options: [(code: String, label: String)] = []
        var password = false
        /// A file chosen from the computer (its text is the value; the form goes as multipart).
        var file = false

        init(_ name: String, _ label: String, required: Bool = false, kind: FormField.Kind = .text, maxLength: Int? = nil,
             help: String = "", options: [(code: String, label: String)] = [], password: Bool = false, file: Bool = false) {
            field = FormField(name: name, kind: kind, required: required, maxLength: maxLength)
            self.label = label
            self.help = help
            self.options = options
            self.password = password
            self.file = file
        }
    }

    let fields: [Field]
    /// Prefix of the element ids: two forms on one page (the account's changes) each keep theirs unique.
    var prefix = ""

    /// The fields drawn with the values typed and the problems placed; `summary` for the top.
    func view(_ values: FormValues, problems: [Problem]) -> (fields: [[String: Any]], summary: [[String: String]]) {
        let placed = ProblemPlacement.place(problems, fields: fields.map(\.field))
        let summary = placed.summary.map { item -> [String: String] in
            // The summary names the field as the form labels it.
            guard let field = fields.first(where: { "#" + FormBuilder.id($0.field.name) == item["enlace"] }) else { return item }
            let message = item["mensaje"] ?? ""
            let generic = FieldLabels.label(ProblemPlacement.lastName(field.field.name)) + ": "
            return ["mensaje": field.label + ": " + (message.hasPrefix(generic) ? String(message.dropFirst(generic.count)) : message),
                    "enlace": "#" + FormBuilder.id(prefix + field.field.name)]
        }
        return (fields.map { view($0, values, placed.byField) }, summary)
    }

    private func view(_ item: Field, _ values: FormValues, _ problems: [String: [String]]) -> [String: Any] {
        let name = item.field.name, id = FormBuilder.id(prefix + name)
        let value = item.password || item.file ? "" : values.first(name) ?? ""
        var view: [String: Any] = [
            "id": id, "nombre": name, "etiqueta": item.label, "ayuda": item.help, "obligatorio": item.field.required,
            "error": problems[name]?.joined(separator: "; ") ?? "", "valor": value, "maximo": item.field.maxLength.map(String.init) ?? "",
            "esTexto": false, "esContrasena": item.password, "esArchivo": item.file, "esTextoLargo": false, "esSeleccion": false, "esCasillas": false,
            "opciones": [[String: Any]](),
        ]
        switch item.field.kind {
        case .longText: view["esTextoLargo"] = true
        case .choice:
            view["esSeleccion"] = true
            view["opciones"] = [["valor": "", "etiqueta": "— Elija —", "elegida": value.isEmpty, "id": ""]]
                + item.options.map { ["valor": $0.code, "etiqueta": $0.label, "elegida": $0.code == value, "id": ""] }
        case .list:
            let chosen = Set(values.all(name))
            view["esCasillas"] = true
            view["opciones"] = item.options.enumerated().map { index, option in
                ["valor": option.code, "etiqueta": option.label, "elegida": chosen.contains(option.code), "id": "\(id)-\(index)"] as [String: Any]
            }
        default: view["esTexto"] = !item.password && !item.file
        }
        return view
    }
}
