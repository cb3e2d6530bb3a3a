import Reports

/// The blocks of `AnnualReportDocument` as Markdown, as a printable HTML page (its own print
/// stylesheet, no script) and as a workbook (the summary sheet, then one sheet per section).
public enum AnnualReportRenderer {
    public static func markdown(_ report: AnnualReport) -> String {
        func escape(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        var out: [String] = []
        for block in AnnualReportDocument.blocks(report) {
            switch block {
            case .heading(let level, let text): out += [String(repeating: "#", count: level) + " " + text, ""]
            case .paragraph(let text): out += [text, ""]
            case .table(let header, let rows, let total):
                out.append("| " + header.map(escape).joined(separator: " | ") + " |")
                out.append("| --- |" + String(repeating: " ---: |", count: max(header.count - 1, 0)))
                for (index, row) in rows.enumerated() {
                    let bold = total && index == rows.count - 1
                    out.append("| " + row.map { bold ? "**\(escape($0))**" : escape($0) }.joined(separator: " | ") + " |")
                }
                out.append("")
            }
        }
        return out.joined(separator: "\n")
    }

    public static func html(_ report: AnnualReport) -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let title = (report.training ? "CAPACITACIÓN — " : "") + "\(report.title) \(report.year)"
        var out = ["<!DOCTYPE html>", "<html lang=\"es\"><head><meta charset=\"utf-8\"><title>\(escape(title))</title><style>",
                   "body{font-family:sans-serif;margin:2em;color:#0b0c0c}table{border-collapse:collapse;margin:.5em 0 1.5em}",
                   "th,td{border:1px solid #888;padding:.2em .5em}td{text-align:right}td:first-child{text-align:left}tr.total{font-weight:bold}",
                   "h2{border-top:2px solid #0b0c0c;padding-top:.5em}.aviso{background:#b00020;color:#fff;padding:.6em;font-weight:bold}",
                   "@media print{body{margin:0;font-size:10pt}h2{page-break-before:always}h2:first-of-type{page-break-before:auto}table{page-break-inside:auto}tr{page-break-inside:avoid}}",
                   "</style></head><body>"]
        for block in AnnualReportDocument.blocks(report) {
            switch block {
            case .heading(let level, let text): out.append("<h\(level)>\(escape(text))</h\(level)>")
            case .paragraph(let text):
                let notice = report.training && text.hasPrefix("CAPACITACIÓN")
                out.append("<p\(notice ? " class=\"aviso\"" : "")>\(escape(text))</p>")
            case .table(let header, let rows, let total):
                out.append("<table><thead><tr>" + header.map { "<th scope=\"col\">\(escape($0))</th>" }.joined() + "</tr></thead><tbody>")
                for (index, row) in rows.enumerated() {
                    out.append("<tr\(total && index == rows.count - 1 ? " class=\"total\"" : "")>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>")
                }
                out.append("</tbody></table>")
            }
        }
        out.append("</body></html>")
        return out.joined(separator: "\n") + "\n"
    }

    /// «Resumen» (title, completeness), one sheet per section, then the annex and the statistics.
    public static func xlsx(_ report: AnnualReport) -> [UInt8] {
        var sheets: [(name: String, rows: [[ReportWorkbook.Cell]])] = [("Resumen", [])]
        for block in AnnualReportDocument.blocks(report) {
            if case .heading(2, let text) = block, text != "Revisión de completitud" {
                sheets.append((text, []))
            }
            var rows: [[ReportWorkbook.Cell]]
            switch block {
            case .heading(_, let text): rows = [[.text(text, bold: true)]]
            case .paragraph(let text): rows = [[.text(text, bold: false)]]
            case .table(let header, let body, let total):
                rows = [header.map { .text($0, bold: true) }]
                for (index, row) in body.enumerated() {
                    let bold = (total && index == body.count - 1)
                    rows.append(row.enumerated().map { column, text in
                        column > 0 ? (Double(text).map { .number($0, bold: bold) } ?? .text(text, bold: bold)) : .text(text, bold: true)
                    })
                }
                rows.append([])
            }
            sheets[sheets.count - 1].rows += rows
        }
        return ReportWorkbook.xlsx(sheets: sheets)
    }
}
