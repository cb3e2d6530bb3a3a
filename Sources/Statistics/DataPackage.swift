import CanonicalJSON
import EventLog
import Foundation

/// Writes the exports: per year a CSV and a JSON file, for the whole series (no year given) also one
/// CSV and one JSON with every year, and a Frictionless `datapackage.json` that describes every file
/// and every CSV field — the data dictionary.
public enum DataPackage {
    public static let descriptorName = "datapackage.json"

    /// Writes into `directory` (created if missing); returns the file names written, descriptor last.
    @discardableResult
    public static func export(_ report: StatisticsReport, to directory: URL, wholeSeries: Bool) throws -> [String] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var parts: [(name: String, report: StatisticsReport, description: String)] = report.years.map {
            ("estadisticas-\($0)", report.restricted(to: $0), "Tablas del año \($0).")
        }
        if wholeSeries && !report.years.isEmpty {
            let span = "\(report.years.first!)–\(report.years.last!)"
            parts.append(("estadisticas-serie", report, "Serie \(span): las tablas de cada año, una tras otra (sin totales de varios años)."))
        }
        var resources: [JSONValue] = []
        var written: [String] = []
        for part in parts {
            try write(StatisticsRenderer.csv(part.report), directory, "\(part.name).csv")
            try write(StatisticsRenderer.json(part.report) + "\n", directory, "\(part.name).json")
            written += ["\(part.name).csv", "\(part.name).json"]
            resources.append(csvResource(part.name, part.description, training: report.training))
            resources.append([
                "name": .string("\(part.name)-json"), "path": .string("\(part.name).json"), "profile": "data-resource",
                "title": .string("\(part.description) Formato JSON"), "format": "json", "mediatype": "application/json", "encoding": "utf-8",
                "description": .string("Las mismas tablas que \(part.name).csv, como filas × entidades con totales; null marca una cifra suprimida."),
            ])
        }
        var descriptor: JSONValue = [
            "profile": "data-package",
            "name": "sintra-estadisticas",
            // The patch number is the log position the figures were computed at: two exports with the
            // same version hold the same figures.
            "version": .string("1.0.\(report.logPosition)"),
            "title": .string(StatisticsRenderer.title(report)),
            "licenses": [["name": "LibreUsoMX", "path": "https://www.datos.gob.mx/libreusomx",
                          "title": "Términos de Libre Uso MX (datos abiertos del Gobierno de México)"]],
            "sources": [["title": "SINTRA: registro de eventos de las instituciones federales, estatales y municipales (Ley General en materia de trata de personas, art. 88, fr. VIII)",
                         "path": "https://sintra.gob.mx"]],
            "description": .string(((report.training ? [TrainingMark.notice] : []) + [report.rule, StatisticsRenderer.populationNote, StatisticsReport.seriesNote])
                .joined(separator: " ")),
            "sintra:reglaDeConfidencialidad": .string(report.rule),
            "sintra:umbral": .number(Double(report.threshold)),
            "sintra:posicionDelRegistro": .number(Double(report.logPosition)),
            "resources": .array(resources),
        ]
        if report.training, case .object(let members) = descriptor {
            descriptor = .object(members + [.init(key: "sintra:ambiente", value: .string(TrainingMark.word))])
        }
        try write(String(decoding: CanonicalJSON.serialize(descriptor), as: UTF8.self) + "\n", directory, descriptorName)
        return written + [descriptorName]
    }

    static func csvResource(_ name: String, _ description: String, training: Bool) -> JSONValue {
        let fields: [JSONValue] = StatisticsRenderer.csvFields(training: training).map { field in
            var members: [JSONMember] = [
                .init(key: "name", value: .string(field.name)), .init(key: "type", value: .string(field.type)),
                .init(key: "description", value: .string(field.description)),
            ]
            switch field.name {
            case "suprimida":
                members += [.init(key: "trueValues", value: ["true"]), .init(key: "falseValues", value: ["false"]),
                            .init(key: "constraints", value: ["required": true])]
            case "valor":
                members.append(.init(key: "constraints", value: ["minimum": 0]))
            default:
                members.append(.init(key: "constraints", value: ["required": true]))
            }
            return .object(members)
        }
        return [
            "name": .string(name), "path": .string("\(name).csv"), "profile": "tabular-data-resource",
            "title": .string(description), "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "description": .string("Una línea por cifra publicada (categoría × entidad, con totales). La primera línea, que empieza con #, es la regla de confidencialidad."),
            // Row 1 is the confidentiality rule (a # comment), row 2 the header: frictionless 5 reads a
            // leading comment as the header unless told which row is.
            "dialect": ["delimiter": ",", "quoteChar": "\"", "doubleQuote": true, "header": true, "headerRows": [2], "commentRows": [1]],
            "schema": ["fields": .array(fields), "missingValues": [""],
                       "primaryKey": ["anio", "tabla", "categoria_clave", "entidad_clave"]],
        ]
    }

    static func write(_ text: String, _ directory: URL, _ name: String) throws {
        try Data(text.utf8).write(to: directory.appendingPathComponent(name), options: .atomic)
    }
}
