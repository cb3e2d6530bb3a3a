import Foundation
import Reports
import Statistics
import TestDatabase
import Testing

/// The spreadsheet as the reference reader opens it: openpyxl (PyPI, installed by ops/test).
@Suite(.needsDatabase) struct WorkbookTests {
    @Test func theSpreadsheetOpensInOpenpyxlWithNumbersAsNumbersAndTheStatement() async throws {
        let world = try await ProjectionWorld.make()
        for example in try #require(definitions.latest("CapacitacionImpartida")?.examples) {
            try await world.run("registrar-capacitacion", example)
        }
        for _ in 0..<11 { try await world.run("registrar-capacitacion", try training()) }
        let result = try await world.report(#"{"titulo": "Capacitaciones & <talleres>", "fuente": "CapacitacionImpartida", "filas": "modalidad", "columnas": "anio", "medida": "registros", "modo": "publicacion"}"#)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("reporte-\(UUID().uuidString).xlsx")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(ReportWorkbook.xlsx(result)).write(to: file)
        let script = """
            import json, sys, openpyxl
            book = openpyxl.load_workbook(sys.argv[1])
            sheet = book.active
            print(json.dumps({"hoja": sheet.title, "filas": [[c for c in row] for row in sheet.iter_rows(values_only=True)]}))
            """
        let (status, output) = try await runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, file.path], standardErrorToo: false)
        #expect(status == 0, "openpyxl no abrió el archivo (ops/test lo instala): \(output.prefix(400))")
        let parsed = try #require(try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output.prefix(400))")
        #expect(parsed["hoja"] as? String == "Reporte")
        let rows = try #require(parsed["filas"] as? [[Any]])
        #expect(rows[0].first as? String == "Capacitaciones & <talleres>")
        let flat = rows.flatMap { $0.compactMap { $0 as? String } }
        #expect(flat.contains(StatisticsReport.rule(threshold: 10)) && flat.contains(String(result.position)))
        let header = try #require(rows.firstIndex { ($0.first as? String) == "modalidad" })
        #expect(rows[header].compactMap { $0 as? String } == ["modalidad", "2021", "2023", "2024", "Total"])
        let presencial = rows[header + 1]
        #expect(presencial.first as? String == "Presencial" && presencial[1] as? String == "s", "suprimida: \(presencial)")
        let total = rows[header + 3]
        #expect(total.first as? String == "Total")
        // Every published figure is a number a spreadsheet can add, equal to the report's.
        for (column, value) in total.dropFirst().enumerated() {
            if let number = value as? NSNumber { #expect(number.doubleValue == result.value(result.rows.count, column)) } else {
                #expect(value as? String == "s" && result.value(result.rows.count, column) == nil)
            }
        }
    }
}
