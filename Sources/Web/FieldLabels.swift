/// A field's label from its name in the definition: `fechaDeDeteccion` → «Fecha de detección».
/// The definitions name fields in camelCase Spanish without accents; the accents come back here
/// by rule (-cion → -ción) and from a short list, so a new field needs no label written anywhere.
enum FieldLabels {
    static let accents: [String: String] = [
        "telefono": "teléfono", "victima": "víctima", "proteccion": "protección", "canalizacion": "canalización", "victimizacion": "victimización", "atencion": "atención", "numero": "número", "electronico": "electrónico", "genero": "género", "indigena": "indígena", "espanol": "español",
        "duracion": "duración", "ultimo": "último", "pais": "país", "anio": "año",
        "organizacion": "organización", "sociedad": "sociedad", "version": "versión", "validada": "validada", "vigente": "vigente",
        "autoadscripcion": "autoadscripción", "curp": "CURP", "osc": "OSC", "medida": "medida", "fisica": "física", "psicologica": "psicológica",
        "juridica": "jurídica", "medica": "médica", "credito": "crédito", "codigo": "código", "razon": "razón", "periodo": "período",
        "contrasena": "contraseña", "cies": "CIES", "ci": "CI",
    ]

    static func label(_ name: String) -> String {
        var words: [String] = []
        var current = ""
        let characters = Array(name)
        for (index, character) in characters.enumerated() {
            // A new word at a capital after a small letter, or at the last capital of an acronym
            // before a small letter: «AcuerdoCIESSeguido» → Acuerdo · CIES · Seguido.
            if character.isUppercase, !current.isEmpty,
               characters[index - 1].isLowercase || (index + 1 < characters.count && characters[index + 1].isLowercase) {
                words.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { words.append(current) }
        let fixed = words.map { word -> String in
            let lower = word.lowercased()
            if let known = accents[lower] { return known }
            if lower.hasSuffix("cion") { return String(lower.dropLast(4)) + "ción" }
            if lower.hasSuffix("sion") { return String(lower.dropLast(4)) + "sión" }
            return lower
        }
        guard let first = fixed.first else { return name }
        return ([first.prefix(1).uppercased() + first.dropFirst()] + fixed.dropFirst()).joined(separator: " ")
    }

    /// A command as the action a caseworker takes: `registrar-atencion` → «Registrar atención».
    static func command(_ name: String) -> String {
        label(name.split(separator: "-").enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }.joined())
    }

    /// An event type as a caseworker says it: `AtencionOtorgada` → «Atención otorgada».
    static func eventType(_ type: String) -> String { label(type.prefix(1).lowercased() + type.dropFirst()) }
}
