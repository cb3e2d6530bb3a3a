/// A report as an OOXML spreadsheet (`.xlsx`): one sheet with the title, the statement (source, log
/// position, date, rule) and the table with its totals; numbers as numbers, a suppressed figure as «s».
/// Documents made of several reports (the annual report) are workbooks of several such sheets.
public enum ReportWorkbook {
    public static let mediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    public static func xlsx(_ result: ReportResult) -> [UInt8] {
        xlsx(sheets: [("Reporte", rows(result))])
    }

    /// A workbook of named sheets, in order. Names are cut to Excel's 31 characters, without the
    /// characters it forbids, and made unique.
    public static func xlsx(sheets: [(name: String, rows: [[Cell]])]) -> [UInt8] {
        var names: [String] = []
        for sheet in sheets {
            var name = String(sheet.name.filter { !"[]:*?/\\".contains($0) }.prefix(31))
            if name.isEmpty { name = "Hoja" }
            var candidate = name, number = 2
            while names.contains(candidate) { candidate = String(name.prefix(27)) + " (\(number))"; number += 1 }
            names.append(candidate)
        }
        var parts: [(String, [UInt8])] = [
            ("[Content_Types].xml", Array(contentTypes(count: sheets.count).utf8)),
            ("_rels/.rels", Array(rootRelationships.utf8)),
            ("xl/workbook.xml", Array(workbook(names).utf8)),
            ("xl/_rels/workbook.xml.rels", Array(workbookRelationships(count: sheets.count).utf8)),
            ("xl/styles.xml", Array(styles.utf8)),
        ]
        for (index, sheet) in sheets.enumerated() { parts.append(("xl/worksheets/sheet\(index + 1).xml", Array(xml(sheet.rows).utf8))) }
        return StoredZip.archive(parts)
    }

    public enum Cell: Sendable {
        case text(String, bold: Bool)
        case number(Double, bold: Bool)
        case empty
    }

    /// The rows of a report's sheet: title, statement, then the table with its totals.
    public static func rows(_ result: ReportResult) -> [[Cell]] {
        var rows: [[Cell]] = [[.text(result.title, bold: true)]]
        for (key, value) in ReportRenderer.headerLines(result) { rows.append([.text(key, bold: true), .text(value, bold: false)]) }
        rows.append([])
        rows.append(([result.rowVariable] + result.columns.map(\.label) + ["Total"]).map { .text($0, bold: true) })
        for index in 0...result.rows.count {
            let isTotal = index == result.rows.count
            var line: [Cell] = [.text(isTotal ? "Total" : result.rows[index].label, bold: true)]
            for column in 0...result.columns.count {
                line.append(result.value(index, column).map { .number($0, bold: isTotal) } ?? .text(ReportRenderer.suppressedMark, bold: isTotal))
            }
            rows.append(line)
        }
        if result.mode == .publication { rows += [[], [.text("«\(ReportRenderer.suppressedMark)»: cifra suprimida.", bold: false)]] }
        return rows
    }

    static func xml(_ rows: [[Cell]]) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cols><col min="1" max="1" width="40" customWidth="1"/></cols><sheetData>"#
        for (r, row) in rows.enumerated() {
            xml += "<row r=\"\(r + 1)\">"
            for (c, cell) in row.enumerated() {
                let reference = column(c) + String(r + 1)
                switch cell {
                case .text(let text, let bold):
                    xml += "<c r=\"\(reference)\" t=\"inlineStr\"\(bold ? " s=\"1\"" : "")><is><t xml:space=\"preserve\">\(escape(text))</t></is></c>"
                case .number(let value, let bold):
                    xml += "<c r=\"\(reference)\"\(bold ? " s=\"1\"" : "")><v>\(ReportRenderer.number(value))</v></c>"
                case .empty: break
                }
            }
            xml += "</row>"
        }
        return xml + "</sheetData></worksheet>"
    }

    /// A, B, …, Z, AA, AB, …
    static func column(_ index: Int) -> String {
        var n = index + 1
        var name = ""
        while n > 0 {
            let remainder = (n - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + remainder))) + name
            n = (n - 1) / 26
        }
        return name
    }

    /// XML text: the five entities, and the control characters XML 1.0 forbids dropped.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default: if scalar.value >= 0x20 && !(0xFFFE...0xFFFF).contains(scalar.value) { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    static func contentTypes(count: Int) -> String {
        #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
            + #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#
            + (1...max(count, 1)).map { #"<Override PartName="/xl/worksheets/sheet\#($0).xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"# }.joined()
            + #"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#
    }
    static let rootRelationships = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
        """
    static func workbook(_ names: [String]) -> String {
        #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
            + #"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#
            + names.enumerated().map { #"<sheet name="\#(escape($0.element))" sheetId="\#($0.offset + 1)" r:id="rId\#($0.offset + 1)"/>"# }.joined()
            + "</sheets></workbook>"
    }
    /// The sheets are rId1…rIdN; the styles come after them.
    static func workbookRelationships(count: Int) -> String {
        #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
            + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
            + (1...max(count, 1)).map { #"<Relationship Id="rId\#($0)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet\#($0).xml"/>"# }.joined()
            + #"<Relationship Id="rId\#(max(count, 1) + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#
    }
    static let styles = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs></styleSheet>
        """
}
