import CanonicalJSON

/// Renders results as the annex "Avance de las Metas para el bienestar y Parámetros": JSON and
/// CSV for machines, Markdown and HTML for people (every indicator, each year's variables,
/// substitution, result and flag, beside the figure published in the PNTdP document).
public enum AnnexRenderer {
    public static let title = "Avance de las Metas para el bienestar y Parámetros del PNTdP 2022-2024"
    static let flagsNote = "NA: no aplica (antes de la línea base o no corresponde ese año). ND: no disponible (faltan datos o el denominador es cero). p/: preliminar (calculado antes del mes de disponibilidad del año siguiente, o con registros aún no validados)."

    public static func json(_ results: [IndicatorResult]) -> String {
        String(decoding: CanonicalJSON.serialize(jsonValue(results)), as: UTF8.self)
    }

    /// The results as a JSON array, so a caller can embed them in a larger document (the as-of
    /// comparison is one document, not two arrays).
    public static func jsonValue(_ results: [IndicatorResult]) -> JSONValue {
        .array(results.map { result in
            var members: [JSONMember] = [
                .init(key: "indicador", value: .string(result.id)), .init(key: "version", value: .number(Double(result.definitionVersion))),
                .init(key: "nombre", value: .string(result.name)), .init(key: "anio", value: .number(Double(result.year))),
                .init(key: "valor", value: result.value.map { .number($0) } ?? .null),
                .init(key: "bandera", value: result.flag.map { .string($0.rawValue) } ?? .null),
                .init(key: "presentacion", value: .string(result.display)), .init(key: "sustitucion", value: .string(result.substitution)),
                .init(key: "posicionDelRegistro", value: .number(Double(result.logPosition))),
                .init(key: "publicado", value: result.published.map { .string($0) } ?? .null),
                .init(key: "variables", value: .array(result.variables.map { variable in
                    var item: [JSONMember] = [
                        .init(key: "clave", value: .string(variable.key)), .init(key: "nombre", value: .string(variable.name)),
                        .init(key: "valor", value: variable.value.map { .number($0) } ?? .null), .init(key: "preliminar", value: .bool(variable.preliminary)),
                        .init(key: "posiciones", value: .array(variable.positions.map { .number(Double($0)) })),
                    ]
                    if let breakdown = variable.breakdown { item.append(.init(key: "desglose", value: breakdown)) }
                    return .object(item)
                })),
            ]
            // Only when there is one, so the documents of figures without alerts stay as they were published.
            if !result.alerts.isEmpty {
                members.append(.init(key: "senales", value: .array(result.alerts.map { ["clave": .string($0.rawValue), "mensaje": .string($0.message)] })))
            }
            return .object(members)
        })
    }

    /// The results back from `jsonValue` (a kept as-of answer, `AsOfSnapshots`); nil when the document
    /// is not one `jsonValue` wrote.
    public static func results(from json: JSONValue) -> [IndicatorResult]? {
        guard let items = json.arrayValue else { return nil }
        var results: [IndicatorResult] = []
        for item in items {
            guard let id = item["indicador"]?.stringValue, let version = item["version"]?.numberValue, let name = item["nombre"]?.stringValue,
                  let year = item["anio"]?.numberValue, let substitution = item["sustitucion"]?.stringValue,
                  let position = item["posicionDelRegistro"]?.numberValue, let variables = item["variables"]?.arrayValue else { return nil }
            var values: [IndicatorResult.VariableValue] = []
            for variable in variables {
                guard let key = variable["clave"]?.stringValue, let variableName = variable["nombre"]?.stringValue,
                      let preliminary = variable["preliminar"]?.boolValue, let positions = variable["posiciones"]?.arrayValue else { return nil }
                values.append(.init(key: key, name: variableName, value: variable["valor"]?.numberValue, positions: positions.compactMap { $0.numberValue.map(Int64.init) },
                                    preliminary: preliminary, breakdown: variable["desglose"]))
            }
            let flag = item["bandera"]?.stringValue.map(IndicatorResult.Flag.init(rawValue:))
            if case .some(.none) = flag { return nil }
            var result = IndicatorResult(id: id, definitionVersion: Int(version), name: name, year: Int(year), variables: values, substitution: substitution,
                                         value: item["valor"]?.numberValue, flag: flag ?? nil, logPosition: Int64(position), published: item["publicado"]?.stringValue)
            result.alerts = (item["senales"]?.arrayValue ?? []).compactMap { $0["clave"]?.stringValue.flatMap(IndicatorResult.Alert.init(rawValue:)) }
            results.append(result)
        }
        return results
    }

    /// A variable's breakdown in words, for the annex people read: `contadas: CEAV, SNDIF · no contadas: SRE`.
    public static func describe(_ value: JSONValue) -> String {
        switch value {
        case .object(let members):
            // One level of 4.2: «1 de 10 (mínimo 0.5, cumple)».
            if let trained = value["capacitados"] {
                let met = value["cumple"]?.boolValue.map { $0 ? "cumple" : "no cumple" } ?? "sin plantilla"
                return "\(describe(trained)) de \(describe(value["plantilla"] ?? .null)) (mínimo \(describe(value["minimo"] ?? .null)), \(met))"
            }
            return ordered(members).map { "\(label($0.key)): \(describe($0.value))" }.joined(separator: " · ")
        case .array(let items):
            if items.isEmpty { return "ninguna" }
            return items.map { item in
                // One line of a per-institution table (4.2 by level): its name first, then the rest.
                if let members = item.objectValue, let name = item["institucion"]?.stringValue {
                    return name + " (" + ordered(members.filter { $0.key != "institucion" }).map { "\(label($0.key)) \(describe($0.value))" }
                        .joined(separator: "; ") + ")"
                }
                return describe(item)
            }.joined(separator: "; ")
        case .number(let number): return IndicatorEngine.format(number)
        case .string(let text): return text
        case .bool(let flag): return flag ? "sí" : "no"
        case .null: return "ND"
        }
    }

    /// The order a reader expects (counted before not counted, command levels from the top), whatever order jsonb kept.
    static func ordered(_ members: [JSONMember]) -> [JSONMember] {
        let order = ["contadas", "noContadas", "fueraDeLaLista", "porNivel", "mandosAltos", "mandosMedios", "operativos",
                     "porAspecto", "aspectosCubiertos", "delAnio", "porSector", "enEsperaDeValidacion"]
        return members.enumerated().sorted { a, b in
            let (x, y) = (order.firstIndex(of: a.element.key) ?? order.count, order.firstIndex(of: b.element.key) ?? order.count)
            return x != y ? x < y : a.offset < b.offset
        }.map(\.element)
    }

    /// Spanish words for the breakdown keys the fichas use; any other key is shown as written.
    static func label(_ key: String) -> String {
        [
            "contadas": "contadas", "noContadas": "de la lista sin contar", "fueraDeLaLista": "fuera de la lista (no cuentan)",
            "porAspecto": "por aspecto", "aspectosCubiertos": "aspectos cubiertos (de 5)", "delAnio": "del año",
            "porSector": "por sector", "porNivel": "por nivel", "mandosAltos": "mandos altos", "mandosMedios": "mandos medios",
            "operativos": "operativos", "capacitados": "capacitados", "plantilla": "plantilla", "minimo": "mínimo", "cumple": "cumple",
            "enEsperaDeValidacion": "expedientes corregidos en espera de nueva validación (no se cuentan)",
            "porCalidad": "por calidad", "criterio": "criterio",
        ][key] ?? key
    }

    /// The breakdowns and alerts of one result, one line each, for Markdown and HTML.
    static func notes(_ result: IndicatorResult) -> [String] {
        result.variables.compactMap { variable in variable.breakdown.map { "\(variable.key) — \(describe($0))" } }
            + result.alerts.map { "⚠ \($0.message)" }
    }

    public static func csv(_ results: [IndicatorResult]) -> String {
        var lines = ["indicador,version,anio,valor,bandera,presentacion,sustitucion,publicado,posicion_del_registro,variables,desglose,senales"]
        for result in results {
            let variables = result.variables.map { "\($0.key)=\($0.value.map(IndicatorEngine.format) ?? "ND")" }.joined(separator: ";")
            let cells = [result.id, String(result.definitionVersion), String(result.year), result.value.map(IndicatorEngine.format) ?? "",
                         result.flag?.rawValue ?? "", result.display, result.substitution, result.published ?? "", String(result.logPosition), variables,
                         result.variables.compactMap { variable in variable.breakdown.map { "\(variable.key): \(describe($0))" } }.joined(separator: " | "),
                         result.alerts.map(\.rawValue).joined(separator: ";")]
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
                out.append("| \(row.year) | \(variables) | `\(row.substitution)` | **\(row.display)**\(row.alerts.isEmpty ? "" : " ⚠") | \(row.published ?? "—") |")
            }
            let details = rows.flatMap { row in notes(row).map { "- \(row.year): \($0)" } }
            if !details.isEmpty { out += [""] + details }
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
                out.append("<tr><td>\(row.year)</td><td>\(escape(variables))</td><td><code>\(escape(row.substitution))</code></td><td><strong>\(escape(row.display))</strong>\(row.alerts.isEmpty ? "" : " ⚠")</td><td>\(escape(row.published ?? "—"))</td></tr>")
            }
            out.append("</table>")
            let details = rows.flatMap { row in notes(row).map { "\(row.year): \($0)" } }
            if !details.isEmpty { out.append("<ul>" + details.map { "<li>\(escape($0))</li>" }.joined() + "</ul>") }
        }
        out.append("</body></html>")
        return out.joined(separator: "\n") + "\n"
    }
}
