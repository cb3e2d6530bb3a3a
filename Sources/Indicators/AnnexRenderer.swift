import CanonicalJSON

/// Renders results as the annex "Avance de las Metas para el bienestar y Parámetros": JSON and
/// CSV for machines, Markdown and HTML for people (every indicator, each year's variables,
/// substitution, result and flag, beside the figure published in the PNTdP document).
public enum AnnexRenderer {
    public static let title = "Avance de las Metas para el bienestar y Parámetros del PNTdP 2022-2024"
    static let flagsNote = "NA: no aplica (antes de la línea base o no corresponde ese año). ND: no disponible (faltan datos o el denominador es cero). p/: preliminar (calculado antes del mes de disponibilidad del año siguiente, o con registros aún no validados)."

    public static func json(_ results: [IndicatorResult]) -> String {
        let items: [JSONValue] = results.map { result in
            [
                "indicador": .string(result.id), "version": .number(Double(result.definitionVersion)), "nombre": .string(result.name),
                "anio": .number(Double(result.year)), "valor": result.value.map { .number($0) } ?? .null,
                "bandera": result.flag.map { .string($0.rawValue) } ?? .null, "presentacion": .string(result.display),
                "sustitucion": .string(result.substitution), "posicionDelRegistro": .number(Double(result.logPosition)),
                "publicado": result.published.map { .string($0) } ?? .null,
                "variables": .array(result.variables.map { variable in
                    ["clave": .string(variable.key), "nombre": .string(variable.name), "valor": variable.value.map { .number($0) } ?? .null,
                     "preliminar": .bool(variable.preliminary), "posiciones": .array(variable.positions.map { .number(Double($0)) })]
                }),
            ]
        }
        return String(decoding: CanonicalJSON.serialize(.array(items)), as: UTF8.self)
    }

    public static func csv(_ results: [IndicatorResult]) -> String {
        var lines = ["indicador,version,anio,valor,bandera,presentacion,sustitucion,publicado,posicion_del_registro,variables"]
        for result in results {
            let variables = result.variables.map { "\($0.key)=\($0.value.map(IndicatorEngine.format) ?? "ND")" }.joined(separator: ";")
            let cells = [result.id, String(result.definitionVersion), String(result.year), result.value.map(IndicatorEngine.format) ?? "",
                         result.flag?.rawValue ?? "", result.display, result.substitution, result.published ?? "", String(result.logPosition), variables]
            lines.append(cells.map(quote).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quote(_ cell: String) -> String {
        cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
    }

    public static func markdown(_ results: [IndicatorResult], definitions: [IndicatorDefinition]) -> String {
        var out = ["# \(title)", "", "_\(flagsNote)_", ""]
        for definition in definitions {
            let rows = results.filter { $0.id == definition.id }
            guard !rows.isEmpty else { continue }
            out += ["## \(definition.id) \(definition.name)", "",
                    "\(definition.isCumulative ? "Acumulado" : "Periódico") · \(definition.unit) · línea base \(IndicatorEngine.format(definition.baselineValue)) (\(definition.baselineYear)) · meta \(IndicatorEngine.format(definition.target)) (\(definition.targetYear)) · \(definition.formulaKey) = \(definition.formulaText)", "",
                    "| año | variables | aplicación del método de cálculo | resultado | publicado |", "| --- | --- | --- | --- | --- |"]
            for row in rows {
                let variables = row.variables.map { "\($0.key) = \($0.value.map(IndicatorEngine.format) ?? "ND")" }.joined(separator: "; ")
                out.append("| \(row.year) | \(variables) | `\(row.substitution)` | **\(row.display)** | \(row.published ?? "—") |")
            }
            out.append("")
        }
        if let position = results.first?.logPosition { out.append("Calculado sobre el registro hasta la posición \(position).") }
        return out.joined(separator: "\n") + "\n"
    }

    public static func html(_ results: [IndicatorResult], definitions: [IndicatorDefinition]) -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        var out = ["<!doctype html>", "<html lang=\"es\"><head><meta charset=\"utf-8\"><title>\(escape(title))</title>",
                   "<style>body{font-family:sans-serif;max-width:70em;margin:auto}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.3em .6em}code{font-size:.95em}</style>",
                   "</head><body>", "<h1>\(escape(title))</h1>", "<p><em>\(escape(flagsNote))</em></p>"]
        for definition in definitions {
            let rows = results.filter { $0.id == definition.id }
            guard !rows.isEmpty else { continue }
            out.append("<h2>\(escape(definition.id)) \(escape(definition.name))</h2>")
            out.append("<p>\(definition.isCumulative ? "Acumulado" : "Periódico") · \(escape(definition.unit)) · línea base \(IndicatorEngine.format(definition.baselineValue)) (\(definition.baselineYear)) · meta \(IndicatorEngine.format(definition.target)) (\(definition.targetYear)) · <code>\(escape(definition.formulaKey)) = \(escape(definition.formulaText))</code></p>")
            out.append("<table><tr><th>año</th><th>variables</th><th>aplicación del método de cálculo</th><th>resultado</th><th>publicado</th></tr>")
            for row in rows {
                let variables = row.variables.map { "\($0.key) = \($0.value.map(IndicatorEngine.format) ?? "ND")" }.joined(separator: "; ")
                out.append("<tr><td>\(row.year)</td><td>\(escape(variables))</td><td><code>\(escape(row.substitution))</code></td><td><strong>\(escape(row.display))</strong></td><td>\(escape(row.published ?? "—"))</td></tr>")
            }
            out.append("</table>")
        }
        out.append("</body></html>")
        return out.joined(separator: "\n") + "\n"
    }
}
