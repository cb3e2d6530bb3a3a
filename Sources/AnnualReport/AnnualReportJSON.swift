import CanonicalJSON
import EventLog
import Indicators
import Reports
import Statistics

/// The annual report as one JSON document: each table as the reports module renders it, with its
/// definition (to run it again) and the year before; the completeness review; the annex; the release.
public enum AnnualReportJSON {
    public static func render(_ report: AnnualReport) -> String {
        var document: JSONValue = [
            "titulo": .string(report.title + " \(report.year)"), "descripcion": .string(report.description),
            "anio": .number(Double(report.year)), "fecha": .string(report.date), "posicionDelRegistro": .number(Double(report.position)),
            "secciones": .array(report.sections.map { section in
                ["clave": .string(section.key), "titulo": .string(section.title), "reportes": .array(section.tables.map { table(report, $0) })]
            }),
            "revisionDeCompletitud": completeness(report),
            "anexoDeIndicadores": AnnexRenderer.jsonValue(report.indicators),
            "estadisticasPublicas": statistics(report),
        ]
        if report.training { document = TrainingMark.marking(document) }
        return String(decoding: CanonicalJSON.serialize(document), as: UTF8.self)
    }

    static func table(_ report: AnnualReport, _ table: AnnualReport.Table) -> JSONValue {
        let number = { (value: Double?) in value.map(JSONValue.number) ?? .null }
        return [
            "definicion": table.definition,
            "resultado": (try? CanonicalJSON.parse(ReportRenderer.json(table.result))) ?? .null,
            "total": number(table.total), "totalDelAnioAnterior": number(table.previousTotal),
            "registros": report.recordsCommand(table).map(JSONValue.string) ?? .null,
        ]
    }

    static func completeness(_ report: AnnualReport) -> JSONValue {
        let review = report.completeness
        return [
            "regla": "Instituciones obligadas: integrantes de la Comisión Intersecretarial vigentes en el año (catálogo instituciones). Un módulo sin registros en el año es un faltante.",
            "modulos": .array(review.modules.map { ["fuente": .string($0.source), "modulo": .string($0.module), "descripcion": .string($0.description)] }),
            "instituciones": .array(review.institutions.map { institution in
                ["clave": .string(institution.code), "nombre": .string(institution.label), "obligada": .bool(institution.obliged),
                 "faltantes": .array(institution.missing.map(JSONValue.string)),
                 "registros": .object(review.modules.map { module in
                     let count = institution.counts[module.source] ?? (0, 0)
                     return .init(key: module.source, value: ["anio": .number(Double(count.year)), "anioAnterior": .number(Double(count.previous))])
                 })]
            }),
            "pendientes": .number(Double(review.pending.count)),
        ]
    }

    static func statistics(_ report: AnnualReport) -> JSONValue {
        guard let (release, tables) = report.statistics else {
            return ["nota": .string("No hay una entrega publicada de las estadísticas públicas que cubra \(report.year).")]
        }
        return [
            "publicacion": .string(release.streamId), "fecha": .string(release.date.description), "huella": .string(release.fingerprint),
            "tablas": (try? CanonicalJSON.parse(StatisticsRenderer.json(tables))) ?? .null,
        ]
    }
}
