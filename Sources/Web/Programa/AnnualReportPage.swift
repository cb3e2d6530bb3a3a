import Accounts
import API
import AnnualReport
import Catalog
import Hummingbird
import NIOCore
import Reports

/// «Informe anual»: the year's inputs of the Comisión Intersecretarial's annual report — each
/// module's table with the year and the one before, and the completeness review (which obliged
/// institutions have not reported which module) — built by the same `AnnualReportBuilder` as
/// `GET /v1/informe-anual/{anio}`, with its printable HTML, Markdown and XLSX as downloads.
struct AnnualReportPage {
    let web: WebInterface

    func register(on router: Router<APIContext>) {
        router.get("/informe-anual") { request, context in
            await web.signedIn(request, context) { request, session in
                try await page(request.uri.queryParameters["anio"].map(String.init), format: request.uri.queryParameters["formato"].map(String.init), session)
            }
        }
    }

    func page(_ yearText: String?, format: String?, _ session: WebSession) async throws -> Response {
        try web.require(session, .leerIndicadores)
        let year = try ProgramYears.year(yearText, in: 2012...2100) ?? (CalendarDate.today().year - 1)
        guard let plan = web.services.annualReportPlan else { throw WebError.unavailable }
        let report = try await AnnualReportBuilder(projector: try web.projector, catalogs: web.services.definitions.catalogs,
                                                   catalogue: ReportCatalogue(definitions: web.services.definitions), indicators: web.services.indicators)
            .build(plan, year: year, threshold: web.services.statisticsThreshold)
        switch format {
        case "html": return file(Array(AnnualReportRenderer.html(report).utf8), "text/html; charset=utf-8", nil)
        case "md": return file(Array(AnnualReportRenderer.markdown(report).utf8), "text/markdown; charset=utf-8", "informe-anual-\(year).md")
        case "xlsx": return file(AnnualReportRenderer.xlsx(report), ReportWorkbook.mediaType, "informe-anual-\(year).xlsx")
        case nil, "": break
        default: throw WebError.badRequest("Formato: html, md o xlsx.")
        }
        let modules = Dictionary(report.completeness.modules.map { ($0.source, $0.description) }, uniquingKeysWith: { first, _ in first })
        let number = { (value: Double?) in value.map(SVGChart.number) ?? "(s)" }
        return web.templates.render("informe-anual", title: "Informe anual \(year)", session: session, personal: false, [
            "anio": String(year), "titulo": report.title, "descripcion": report.description, "posicion": String(report.position), "fecha": report.date,
            "anios": (2019...CalendarDate.today().year).reversed().map { ["anio": String($0), "elegido": $0 == year] },
            "secciones": report.sections.map { section in
                ["titulo": section.title, "tablas": section.tables.map { table in
                    ["titulo": table.result.title, "total": number(table.total), "anterior": number(table.previousTotal)]
                }] as [String: Any]
            },
            "pendientes": report.completeness.pending.map { institution in
                ["institucion": institution.label, "clave": institution.code,
                 "faltan": institution.missing.map { modules[$0] ?? $0 }.joined(separator: "; ")]
            },
            "hayPendientes": !report.completeness.pending.isEmpty,
        ])
    }

    func file(_ bytes: [UInt8], _ type: String, _ name: String?) -> Response {
        var response = Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        SecurityHeaders.apply(to: &response.headers, personal: false)
        if let name { response.headers[.contentDisposition] = "attachment; filename=\"\(name)\"" }
        // The printable document carries its own print stylesheet inline; still no script of any kind.
        if type.hasPrefix("text/html") { response.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'" }
        return response
    }
}
