import Accounts
import Foundation
import TestDatabase
import Testing
@testable import Web

/// «Reportes» and «Informe anual» in the browser: a report from the generated variables with its
/// table and chart, its CSV and XLSX, every problem of a bad report named by its field, a report
/// saved under a name; the annual report with its completeness review.
@Suite(.needsDatabase) struct ProgramaReportTests {
    @Test func aReportIsComputedDownloadedAndSavedAndTheAnnualReportShowsWhoIsMissing() async throws {
        let world = try await WebWorld.program(threshold: 3)
        try await world.account("st.rep", "SEGOB", [.secretariaTecnica])
        for _ in 0..<5 { try await PortalPageTests.counted(world, entidad: "07", municipio: "07101", sexo: "mujer") }
        try await world.test { browser in
            try await world.catchUp()
            _ = try await browser.login("st.rep")
            let choose = try await browser.get("/reportes")
            #expect(choose.status == 200 && choose.html.contains("value=\"personas\""))
            let variables = try await browser.get("/reportes?fuente=personas")
            #expect(variables.status == 200 && variables.html.contains("name=\"filas\"") && variables.html.contains("value=\"sexo\""))
            let query = "/reportes?fuente=personas&filas=sexo&medida=personas&modo=interno&titulo=Personas+por+sexo"
            let report = try await browser.get(query)
            #expect(report.status == 200 && report.html.contains("id=\"tabla-reporte\"") && report.html.contains("<svg"), "\(report.status)")
            #expect(report.html.contains("<td class=\"cifra\">5</td>"), "the five people counted")
            let csv = try await browser.get(query + "&formato=csv")
            #expect(csv.status == 200 && csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let xlsx = try await browser.get(query + "&formato=xlsx")
            #expect(xlsx.status == 200 && xlsx.headers[.contentDisposition]?.contains("reporte.xlsx") == true)
            // As it was before anyone was recorded: the same report, replayed to a day before the log began.
            let before = try await browser.get(query + "&al=2000-01-01")
            #expect(before.status == 200 && before.html.contains("id=\"al-dia\"") && !before.html.contains("<td class=\"cifra\">5</td>"), "\(before.status)")
            let badDate = try await browser.get(query + "&al=ayer")
            #expect(badDate.status == 422 && badDate.html.contains("no es una fecha"), "\(badDate.status)")
            let bad = try await browser.get("/reportes?fuente=personas&filas=nombre&medida=personas&modo=otro")
            #expect(bad.status == 422 && bad.html.contains("dato personal") && bad.html.contains("Modo"), "\(bad.html.count)")

            let document = try #require(report.hidden("documento"))
            let saved = try await browser.post("/reportes/guardar", [("_csrf", report.hidden("_csrf") ?? ""), ("documento", Self.unescape(document)),
                                                                    ("nombre", "personas-por-sexo"), ("descripcion", "Para el informe")])
            #expect(saved.status == 303 && saved.location?.contains("guardado=personas-por-sexo") == true, "\(saved.status) \(saved.html.prefix(300))")
            let list = try await browser.get("/reportes")
            #expect(list.html.contains("personas-por-sexo"))

            let annual = try await browser.get("/informe-anual?anio=2023")
            #expect(annual.status == 200 && annual.html.contains("Revisión de completitud"), "\(annual.status)")
            let printable = try await browser.get("/informe-anual?anio=2023&formato=html")
            #expect(printable.status == 200 && printable.html.contains("2023"))
            #expect(try await browser.get("/informe-anual?anio=dos").status == 400)
        }
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }
}
