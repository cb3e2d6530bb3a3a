import API
import Foundation
import Hummingbird
import Publications
import Statistics

/// The public statistics (Ley General, art. 88, fr. VIII) without login: the last published release
/// of each year (`PublicStatistics.releasedReports`, the same releases `GET /v1/estadisticas`
/// serves — never live figures), by year and entidad, each table with its chart, the suppression
/// rule under it and the downloads beside it.
struct PortalPage {
    let web: WebInterface

    func register(on router: Router<APIContext>) {
        router.get("/estadisticas") { request, context in
            await web.page(request, context) { request in try await portal(request) }
        }
    }

    func portal(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let asked = try ProgramYears.year(query["anio"].map(String.init), in: 2012...2100)
        guard let statistics = web.services.publicStatistics else { throw WebError.unavailable }
        let all = try await statistics.releasedReports(year: nil)
        let years = all.flatMap { $0.report.years }
        let title = "Estadísticas públicas sobre trata de personas"
        guard let year = asked ?? years.last else {
            return web.templates.render("portal", title: title, session: nil, personal: false,
                                        ["sinEntregas": true, "titulo": StatisticsRenderer.title])
        }
        guard let part = all.first(where: { $0.report.years.contains(year) }) else {
            throw WebError(status: .notFound, title: "Sin entrega publicada",
                           message: "Aún no hay una entrega publicada de las estadísticas de \(year). Los años publicados son: \(years.map(String.init).joined(separator: ", ")).")
        }
        let tables = part.report.tables.map(PublishedTable.init)
        let entidad = query["entidad"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let columns = tables.first?.columns ?? []
        let column = try entidad.map { code -> Int in
            guard let index = columns.firstIndex(where: { $0.code == code }) else {
                throw WebError.badRequest("Entidad: «\(code)» no es una entidad de la entrega de \(year); elija una de la lista.")
            }
            return index
        }
        // The page is a function of the releases and the choice: built once, then served as kept.
        let key = all.map { String($0.release.position) }.joined(separator: ",") + "|\(year)|\(entidad ?? "")"
        if let kept = await web.portalCache.page(key) { return web.templates.respond(kept, personal: false) }
        let rule = StatisticsReport.rule(threshold: part.report.threshold)
        let html = web.templates.html("portal", title: "\(title), \(year)", session: nil, [
            "titulo": StatisticsRenderer.title(part.report), "anio": String(year),
            "anios": years.map { ["anio": String($0), "elegido": $0 == year] },
            "entidades": columns.map { ["clave": $0.code, "nombre": $0.label, "elegida": $0.code == entidad] },
            "entidadElegida": column.map { columns[$0].label } ?? "",
            "fecha": part.release.date.description, "publicacion": part.release.streamId, "umbral": String(part.report.threshold),
            "poblacion": StatisticsRenderer.populationNote, "serie": StatisticsReport.seriesNote,
            "tablas": tables.map { PortalTableView.view($0, column: column, rule: rule) },
            "csv": "/v1/estadisticas?anio=\(year)&formato=csv", "json": "/v1/estadisticas?anio=\(year)",
            "paquete": "/v1/estadisticas/exportacion/datapackage.json", "csvAnio": "/v1/estadisticas/exportacion/estadisticas-\(year).csv",
        ])
        await web.portalCache.keep(key, html)
        return web.templates.respond(html, personal: false)
    }
}

/// One published table as the portal shows it: the HTML table (the chart's text alternative) and
/// its charts, all from published cells only.
enum PortalTableView {
    static let suppressed = "(s)"

    static func view(_ table: PublishedTable, column: Int?, rule: String) -> [String: Any] {
        let tableId = "tabla-\(table.id)", entidadesId = "tabla-\(table.id)-entidades"
        let bars = column.map(table.categories(in:)) ?? table.categoryTotals
        let scope = column.map { table.columns[$0].label } ?? "todo el país"
        let chart = SVGChart.bars(bars, label: "\(table.title), \(scope): barras por categoría; las cifras están en la tabla", table: tableId)
        let sorted = SVGChart.sortedBars(table.entidadTotals, label: "\(table.title): entidades de mayor a menor; las cifras están en la tabla", table: entidadesId)
        return [
            "id": table.id, "idTabla": tableId, "idEntidades": entidadesId, "titulo": table.title, "unidad": table.unit,
            "nota": table.note ?? "", "ambito": scope, "regla": rule, "grafica": chart, "graficaEntidades": sorted,
            "filas": bars.map { ["categoria": $0.label, "valor": text($0.value)] },
            "total": text((column.map { table.cells[table.rows.count][$0] } ?? table.grandTotal).map(Double.init)),
            "entidades": table.entidadTotals.sorted { ($0.value ?? -1, $1.label) > ($1.value ?? -1, $0.label) }
                .map { ["entidad": $0.label, "valor": text($0.value)] },
        ]
    }

    static func text(_ value: Double?) -> String { value.map { String(Int64($0)) } ?? suppressed }
}

/// The portal's pages as rendered, by the releases they are made of and the year and entidad asked:
/// a release never changes, so a kept page is never stale; a new release changes the key. Bounded
/// (the years × 33 choices of the releases in force), and emptied when a new release arrives.
actor PortalCache {
    private var pages: [String: String] = [:]
    private var releases = ""
    static let limit = 512

    func page(_ key: String) -> String? { pages[key] }

    func keep(_ key: String, _ html: String) {
        let releasesOfKey = String(key.prefix { $0 != "|" })
        if releasesOfKey != releases || pages.count >= Self.limit {
            pages = [:]
            releases = releasesOfKey
        }
        pages[key] = html
    }
}
