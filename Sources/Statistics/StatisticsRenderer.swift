import CanonicalJSON
import EventLog

/// Renders a report as JSON, CSV (long format, one line per published entry) or Markdown text.
/// Every output carries the disclosure rule in one sentence; a suppressed entry is `null` in JSON,
/// empty with `suprimida = true` in CSV, and `(s)` in text. Only labels, codes and counts are
/// written: the tables hold nothing else. A report from SINTRA Capacitación says CAPACITACIÓN in
/// every format (`TrainingMark`): in the title, in a notice, and in a first CSV column.
public enum StatisticsRenderer {
    public static let title = "Estadísticas públicas sobre trata de personas (Ley General, art. 88, fr. VIII)"
    public static let suppressedMarker = "(s)"
    static let totalCode = "total"

    // MARK: JSON

    public static func json(_ report: StatisticsReport) -> String {
        var document: JSONValue = [
            "titulo": .string(title(report)),
            "reglaDeConfidencialidad": .string(report.rule),
            "umbral": .number(Double(report.threshold)),
            "gruposDeEdad": .string(report.ageBands),
            "marcaDeSupresion": "null: cifra suprimida por confidencialidad (un 0 es un cero verdadero).",
            "notaDeLaSerie": .string(StatisticsReport.seriesNote),
            "poblacion": .string(populationNote),
            "posicionDelRegistro": .number(Double(report.logPosition)),
            "anios": .array(report.years.map { .number(Double($0)) }),
            "tablas": .array(report.tables.map(table)),
        ]
        if report.training { document = TrainingMark.marking(document) }
        return String(decoding: CanonicalJSON.serialize(document), as: UTF8.self)
    }

    /// The title, marked CAPACITACIÓN for a training report.
    public static func title(_ report: StatisticsReport) -> String {
        report.training ? "\(TrainingMark.word) — \(title)" : title
    }

    /// Who is counted, stated on every output: the rule README "Who is counted" gives and the fichas (5.3, 2.3, 3.3) share.
    public static let populationNote = "Víctimas y posibles víctimas con registro validado después de su documentación y de cada corrección "
        + "(un expediente corregido no se cuenta hasta validarse de nuevo), salvo quienes pidieron expresamente no contarse en estadísticas "
        + "(son agregados anónimos: sin registro de consentimiento se cuentan; compartir un expediente con otra institución sí requiere consentimiento); "
        + "cada persona cuenta una vez (los expedientes vinculados como la misma persona se cuentan juntos), en el año y la entidad de su primera detección. "
        + "El indicador 5.3 del PNTdP cuenta con la misma regla; sus cifras difieren sólo por definición (cuenta las detecciones de integrantes "
        + "de la CI, en el año de la detección más temprana de cada persona)."

    static func table(_ table: StatisticsTable) -> JSONValue {
        func values(_ row: Int) -> JSONValue {
            .array(table.columns.indices.map { column in table.published(row, column).map { .number(Double($0)) } ?? .null })
        }
        let last = table.rows.count, totalColumn = table.columns.count
        return [
            "id": .string(table.id), "anio": .number(Double(table.year)), "titulo": .string(table.title), "unidad": .string(table.unit),
            "variable": .string(table.variable), "multivalor": .bool(table.multiValued), "grupo": .string(table.group), "nota": table.note.map { .string($0) } ?? .null,
            "columnas": .array(table.columns.map { ["clave": .string($0.code), "nombre": .string($0.label)] }),
            "filas": .array(table.rows.enumerated().map { index, row in
                ["clave": .string(row.code), "nombre": .string(row.label), "valores": values(index),
                 "total": table.published(index, totalColumn).map { .number(Double($0)) } ?? .null]
            }),
            "totales": ["valores": values(last), "total": table.published(last, totalColumn).map { .number(Double($0)) } ?? .null],
        ]
    }

    // MARK: CSV

    /// The columns of the CSV, in order, with their meaning (the data dictionary uses them too).
    public static func csvFields(training: Bool) -> [(name: String, type: String, description: String)] {
        (training ? [trainingField] : []) + csvFields
    }

    /// The first column of a training report's CSV: CAPACITACIÓN on every line (a comment line would be skipped by readers).
    static let trainingField = (name: "ambiente", type: "string", description: TrainingMark.notice)

    public static let csvFields: [(name: String, type: String, description: String)] = [
        ("anio", "integer", "Año al que se refiere la cifra (de detección, para personas; del hecho, para atenciones y actividades)."),
        ("tabla", "string", "Identificador de la tabla (p. ej. personas-por-sexo)."),
        ("titulo", "string", "Título de la tabla."),
        ("unidad", "string", "Lo que cuenta la cifra: personas, atenciones, operativos, eventos, acciones o personas participantes."),
        ("variable", "string", "Variable de las filas de la tabla."),
        ("categoria_clave", "string", "Código de la categoría en el catálogo de SINTRA, o «total»."),
        ("categoria", "string", "Nombre de la categoría."),
        ("entidad_clave", "string", "Clave INEGI de la entidad federativa, EXT (en el extranjero), NE (no especificada) o «total»."),
        ("entidad", "string", "Nombre de la entidad federativa."),
        ("valor", "integer", "La cifra; vacía si está suprimida por confidencialidad."),
        ("suprimida", "boolean", "true si la cifra se suprimió por confidencialidad."),
    ]

    /// With `withRule`, the first line is the rule as a `#` comment (the data package declares `commentChar`).
    public static func csv(_ report: StatisticsReport, withRule: Bool = true) -> String {
        var lines: [String] = []
        if withRule { lines.append("# " + (report.training ? TrainingMark.notice + " " : "") + report.rule) }
        lines.append(csvFields(training: report.training).map(\.name).joined(separator: ","))
        for table in report.tables {
            let rows = table.rows + [Category(code: totalCode, label: "Total")]
            let columns = table.columns + [Category(code: totalCode, label: "Total")]
            for (r, row) in rows.enumerated() {
                for (c, column) in columns.enumerated() {
                    let value = table.published(r, c)
                    let cells = [String(table.year), table.id, table.title, table.unit, table.variable, row.code, row.label,
                                 column.code, column.label, value.map(String.init) ?? "", value == nil ? "true" : "false"]
                    lines.append(((report.training ? [TrainingMark.word] : []) + cells).map(quote).joined(separator: ","))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quote(_ cell: String) -> String {
        cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "#" }) ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
    }

    // MARK: Text

    /// Markdown: per table, the categories against the entidades that have any figure, and the total.
    public static func text(_ report: StatisticsReport) -> String {
        var out = ["# \(title(report))", ""] + (report.training ? ["> **\(TrainingMark.notice)**", ""] : []) + ["_\(report.rule)_", "", populationNote, "",
                   "\(suppressedMarker): cifra suprimida. \(StatisticsReport.seriesNote)", ""]
        for table in report.tables {
            let totalColumn = table.columns.count, totalRow = table.rows.count
            let shown = table.columns.indices.filter { table.grid[totalRow][$0] != 0 }
            func cell(_ r: Int, _ c: Int) -> String { table.published(r, c).map(String.init) ?? suppressedMarker }
            out.append("## \(table.year) · \(table.title) (\(table.unit))")
            if let note = table.note { out.append("\n_\(note)_") }
            out.append("")
            out.append("| categoría | Total |" + shown.map { " \(table.columns[$0].label) |" }.joined())
            out.append("| --- | ---: |" + String(repeating: " ---: |", count: shown.count))
            for r in 0...totalRow {
                let label = r == totalRow ? "**Total**" : table.rows[r].label
                out.append("| \(label) | \(cell(r, totalColumn)) |" + shown.map { " \(cell(r, $0)) |" }.joined())
            }
            out.append("")
        }
        out.append("Calculado sobre el registro hasta la posición \(report.logPosition).")
        return out.joined(separator: "\n") + "\n"
    }
}
