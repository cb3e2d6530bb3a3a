import CanonicalJSON
import Foundation

/// A report as JSON, CSV, Markdown and printable HTML. Every output states the source, the log
/// position, the date and the rule (suppression for publication, or internal use); a suppressed
/// figure is empty and marked, never a number.
public enum ReportRenderer {
    public static let suppressedMark = "s"

    public static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    static func cell(_ result: ReportResult, _ row: Int, _ column: Int) -> String {
        result.value(row, column).map(number) ?? suppressedMark
    }

    static func headerLines(_ result: ReportResult) -> [(String, String)] {
        var lines: [(String, String)] = [
            ("Fuente", result.source), ("Filas", result.rowVariable), ("Columnas", result.columnVariable ?? "—"),
            ("Medida", result.measure.label), ("Modo", result.mode == .publication ? "publicación (con supresión)" : "interno"),
            ("Posición del registro", String(result.position)), (result.asOf == nil ? "Fecha" : "Al día", result.date),
        ]
        for filter in result.filters { lines.append(("Filtro \(filter.variable)", filter.values.joined(separator: ", "))) }
        lines.append(("Regla", result.rule))
        if result.multiValued { lines.append(("Nota", ReportResult.multiValuedNote)) }
        return lines
    }

    public static func json(_ result: ReportResult) -> String {
        func value(_ row: Int, _ column: Int) -> JSONValue { result.value(row, column).map(JSONValue.number) ?? .null }
        let rows: [JSONValue] = result.rows.indices.map { index in
            .object([
                .init(key: "codigo", value: .string(result.rows[index].code)), .init(key: "etiqueta", value: .string(result.rows[index].label)),
                .init(key: "valores", value: .array(result.columns.indices.map { value(index, $0) })),
                .init(key: "total", value: value(index, result.columns.count)),
            ])
        }
        let categories = { (list: [ReportCategory]) in JSONValue.array(list.map { .object([.init(key: "codigo", value: .string($0.code)), .init(key: "etiqueta", value: .string($0.label))]) }) }
        var members: [JSONMember] = [
            .init(key: "titulo", value: .string(result.title)), .init(key: "fuente", value: .string(result.source)),
            .init(key: "filas", value: .string(result.rowVariable)), .init(key: "columnas", value: result.columnVariable.map(JSONValue.string) ?? .null),
            .init(key: "filtros", value: .object(result.filters.map { .init(key: $0.variable, value: .array($0.values.map(JSONValue.string))) })),
            .init(key: "medida", value: result.measure.json), .init(key: "modo", value: .string(result.mode.rawValue)),
            .init(key: "posicionDelRegistro", value: .number(Double(result.position))), .init(key: "fecha", value: .string(result.date)),
            .init(key: "alDia", value: result.asOf.map(JSONValue.string) ?? .null), .init(key: "regla", value: .string(result.rule)),
            .init(key: "categoriasDeColumna", value: categories(result.columns)), .init(key: "renglones", value: .array(rows)),
            .init(key: "totalesDeColumna", value: .array(result.columns.indices.map { value(result.rows.count, $0) })),
            .init(key: "total", value: value(result.rows.count, result.columns.count)),
        ]
        if result.multiValued { members.append(.init(key: "nota", value: .string(ReportResult.multiValuedNote))) }
        return String(decoding: CanonicalJSON.serialize(.object(members)), as: UTF8.self)
    }

    /// RFC 4180: the table, an empty line, then the statement (source, position, date, rule) as «#» rows.
    public static func csv(_ result: ReportResult) -> String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var lines = [(["codigo", "etiqueta"] + result.columns.map(\.label) + ["Total"]).map(field).joined(separator: ",")]
        for index in result.rows.indices {
            let row = [result.rows[index].code, result.rows[index].label] + (0...result.columns.count).map { cell(result, index, $0) }
            lines.append(row.map(field).joined(separator: ","))
        }
        lines.append((["total", "Total"] + (0...result.columns.count).map { cell(result, result.rows.count, $0) }).map(field).joined(separator: ","))
        lines.append("")
        for (key, value) in [("Título", result.title)] + headerLines(result) { lines.append([field("#"), field(key), field(value)].joined(separator: ",")) }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    public static func markdown(_ result: ReportResult) -> String {
        func escape(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        var out = ["# \(result.title)", ""]
        for (key, value) in headerLines(result) { out.append("- **\(key)**: \(escape(value))") }
        out += ["", "| \(escape(result.rowVariable)) | " + result.columns.map { escape($0.label) }.joined(separator: " | ") + " | Total |"]
        out.append("| --- |" + String(repeating: " ---: |", count: result.columns.count + 1))
        for index in 0...result.rows.count {
            let label = index < result.rows.count ? escape(result.rows[index].label) : "**Total**"
            out.append("| \(label) | " + (0...result.columns.count).map { cell(result, index, $0) }.joined(separator: " | ") + " |")
        }
        if result.mode == .publication { out += ["", "«\(suppressedMark)»: cifra suprimida."] }
        return out.joined(separator: "\n") + "\n"
    }

    public static func html(_ result: ReportResult) -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var out = ["<!DOCTYPE html>", "<html lang=\"es\"><head><meta charset=\"utf-8\"><title>\(escape(result.title))</title>",
                   "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}th,td{border:1px solid #999;padding:.2em .5em}"
                   + "td{text-align:right}th[scope=row]{text-align:left}tr.total{font-weight:bold}dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}"
                   + "@media print{body{margin:0}}</style></head><body>",
                   "<h1>\(escape(result.title))</h1>", "<dl>"]
        for (key, value) in headerLines(result) { out.append("<dt>\(escape(key))</dt><dd>\(escape(value))</dd>") }
        out += ["</dl>", "<table>", "<thead><tr><th scope=\"col\">\(escape(result.rowVariable))</th>"
                + result.columns.map { "<th scope=\"col\">\(escape($0.label))</th>" }.joined() + "<th scope=\"col\">Total</th></tr></thead>", "<tbody>"]
        for index in 0...result.rows.count {
            let label = index < result.rows.count ? escape(result.rows[index].label) : "Total"
            out.append("<tr\(index == result.rows.count ? " class=\"total\"" : "")><th scope=\"row\">\(label)</th>"
                       + (0...result.columns.count).map { "<td>\(cell(result, index, $0))</td>" }.joined() + "</tr>")
        }
        out += ["</tbody></table>"]
        if result.mode == .publication { out.append("<p>«\(suppressedMark)»: cifra suprimida.</p>") }
        out.append("</body></html>")
        return out.joined(separator: "\n") + "\n"
    }
}
