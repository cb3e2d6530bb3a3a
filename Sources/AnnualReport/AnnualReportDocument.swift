import EventLog
import Indicators
import Reports
import Statistics

/// The printable annual report as a list of blocks (headings, paragraphs, tables), rendered to
/// Markdown, HTML and spreadsheet sheets by the same walk, so the three never say different things.
public enum AnnualReportDocument {
    public enum Block: Sendable, Equatable {
        case heading(Int, String)
        case paragraph(String)
        /// A table: the header, then the rows; the last row is a total when `total` is true.
        case table(header: [String], rows: [[String]], total: Bool)
    }

    public static func blocks(_ report: AnnualReport) -> [Block] {
        var blocks: [Block] = [.heading(1, "\(report.title) \(report.year)")]
        if report.training { blocks.append(.paragraph(TrainingMark.notice)) }
        blocks += [
            .paragraph(report.description),
            .paragraph("Calculado el \(report.date) con el registro hasta la posición \(report.position). Cifras internas para la Secretaría Técnica, "
                       + "sin datos personales; cada tabla compara el año \(report.year) con \(report.year - 1)."),
        ]
        blocks += completeness(report)
        for section in report.sections {
            blocks.append(.heading(2, section.title))
            for table in section.tables { blocks += self.table(report, table) }
        }
        blocks.append(.heading(2, "Anexo de indicadores del PNTdP, \(report.year)"))
        blocks.append(.table(header: ["Indicador", "Nombre", "Valor"],
                             rows: report.indicators.map { [$0.id, $0.name, $0.display] }, total: false))
        blocks.append(.heading(2, "Estadísticas públicas de \(report.year)"))
        if let (release, tables) = report.statistics {
            blocks.append(.paragraph("Entrega \(release.streamId) del \(release.date), huella \(release.fingerprint.prefix(16))…. \(tables.rule)"))
            for table in tables.tables {
                let totalColumn = table.columns.count
                blocks.append(.heading(3, "\(table.title) (\(table.unit))"))
                blocks.append(.table(header: ["Categoría", "Total"], rows: (0...table.rows.count).map { row in
                    [row == table.rows.count ? "Total" : table.rows[row].label, table.published(row, totalColumn).map(String.init) ?? StatisticsRenderer.suppressedMarker]
                }, total: true))
            }
        } else {
            blocks.append(.paragraph("No hay una entrega publicada de las estadísticas públicas que cubra \(report.year) (sintra publish stats la registra)."))
        }
        return blocks
    }

    static func completeness(_ report: AnnualReport) -> [Block] {
        let review = report.completeness
        var blocks: [Block] = [.heading(2, "Revisión de completitud")]
        let pending = review.pending
        blocks.append(.paragraph(pending.isEmpty
            ? "Todas las instituciones obligadas (integrantes de la Comisión Intersecretarial vigentes en \(report.year)) registraron cada módulo del informe."
            : "\(pending.count) institución(es) obligada(s) (integrantes de la Comisión Intersecretarial vigentes en \(report.year)) no registraron algún módulo en el año: "
                + "pídanse antes del cierre. «0 (antes n)» señala lo que sí se registró en \(report.year - 1)."))
        let header = ["Institución", "Obligada"] + review.modules.map(\.module) + ["Faltantes"]
        let rows = review.institutions.map { institution in
            [institution.label, institution.obliged ? "sí" : "no"] + review.modules.map { module in
                let count = institution.counts[module.source] ?? (0, 0)
                return count.year == 0 && count.previous > 0 ? "0 (antes \(count.previous))" : "\(count.year)"
            } + [institution.missing.isEmpty ? "—" : String(institution.missing.count)]
        }
        blocks.append(.table(header: header, rows: rows, total: false))
        return blocks
    }

    static func table(_ report: AnnualReport, _ table: AnnualReport.Table) -> [Block] {
        let result = table.result, previous = table.previous
        func cell(_ row: Int, _ column: Int) -> String {
            result.value(row, column).map(ReportRenderer.number) ?? ReportRenderer.suppressedMark
        }
        func previousTotal(_ code: String?) -> String {
            let row = code.map { code in previous.rows.firstIndex { $0.code == code } } ?? previous.rows.count
            guard let row else { return "0" }
            return previous.value(row, previous.columns.count).map(ReportRenderer.number) ?? ReportRenderer.suppressedMark
        }
        var blocks: [Block] = [.heading(3, table.result.title)]
        var notes = ["\(result.measure.label)", "\(report.year - 1): \(table.previousTotal.map(ReportRenderer.number) ?? "—") → \(report.year): \(table.total.map(ReportRenderer.number) ?? "—")"]
        if let command = report.recordsCommand(table) { notes.append("registros: `\(command)`") }
        if result.multiValued { notes.append(ReportResult.multiValuedNote) }
        blocks.append(.paragraph(notes.joined(separator: " · ")))
        let header = [result.rowVariable] + result.columns.map(\.label) + ["Total \(report.year)", "Total \(report.year - 1)"]
        var rows = result.rows.indices.map { row in
            [result.rows[row].label] + (0...result.columns.count).map { cell(row, $0) } + [previousTotal(result.rows[row].code)]
        }
        rows.append(["Total"] + (0...result.columns.count).map { cell(result.rows.count, $0) } + [previousTotal(nil)])
        blocks.append(.table(header: header, rows: rows, total: true))
        return blocks
    }
}
