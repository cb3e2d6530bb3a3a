import CanonicalJSON

/// The mark every figure from SINTRA Capacitación (the training environment) carries, so that a
/// practice annex or export can never pass for an official one: a banner on the documents people
/// read, a column in CSV, a wrapping object in JSON. Callers decide whether to apply it (they know
/// the database's environment); the renderers stay as they are for production.
public enum TrainingMark {
    public static let word = "CAPACITACIÓN"
    public static let notice = "CAPACITACIÓN — SINTRA Capacitación: datos sintéticos de práctica. Estas cifras no son oficiales y no pueden publicarse como tales."

    /// A Markdown document with the notice before everything else.
    public static func markdown(_ document: String) -> String {
        "> **\(notice)**\n\n" + document
    }

    /// An HTML page with a banner at the top of its body and the word in its title.
    public static func html(_ page: String) -> String {
        let banner = "<p style=\"background:#b00020;color:#fff;padding:.6em;font-weight:bold\">\(notice)</p>"
        return page.replacingOccurrences(of: "<title>", with: "<title>\(word) — ")
            .replacingOccurrences(of: "</head><body>", with: "</head><body>\n" + banner)
    }

    /// A CSV table with a first column `ambiente` saying CAPACITACIÓN on every line (a comment line would break readers).
    public static func csv(_ table: String) -> String {
        let lines = table.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.enumerated().map { index, line in
            line.isEmpty ? "" : (index == 0 ? "ambiente," : "\(word),") + line
        }.joined(separator: "\n")
    }

    /// A JSON object with `"ambiente": "CAPACITACIÓN"` and `"aviso"` first, its own keys unchanged
    /// (documents whose shape clients read: statistics, the annual report). Anything else is returned as is.
    public static func marking(_ document: JSONValue) -> JSONValue {
        guard case .object(let members) = document else { return document }
        return .object([.init(key: "ambiente", value: .string(word)), .init(key: "aviso", value: .string(notice))] + members)
    }

    /// A JSON document wrapped as `{"ambiente": "CAPACITACIÓN", "aviso": …, "contenido": …}`.
    public static func json(_ value: JSONValue) -> JSONValue {
        .object([.init(key: "ambiente", value: .string(word)), .init(key: "aviso", value: .string(notice)), .init(key: "contenido", value: value)])
    }

    /// Any rendered output marked in its own format (`json`, `csv`, `md`, `html`): one place for the
    /// commands and endpoints that print documents other modules rendered. Text that is not the
    /// format it claims (Markdown printed for `html`, JSON that does not parse) gets the Markdown notice.
    public static func apply(_ output: String, format: String) -> String {
        switch format {
        case "json": (try? CanonicalJSON.parse(output)).map { String(decoding: CanonicalJSON.serialize(json($0)), as: UTF8.self) } ?? markdown(output)
        case "csv": csv(output)
        case "html" where output.hasPrefix("<"): html(output)
        default: markdown(output)
        }
    }
}
