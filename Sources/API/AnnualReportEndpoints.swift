import AnnualReport
import Catalog
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Reports

/// `GET /v1/informe-anual/{anio}`: the inputs of the Comisión Intersecretarial's annual report, as
/// `sintra informe-anual` builds them. Per-institution counts are internal figures: reading them
/// needs the permission to read the indicators, as the internal reports.
enum AnnualReportEndpoints {
    static let formats = ["json", "md", "html", "xlsx"]

    static func all(_ services: APIServices) -> [Endpoint] {
        [
            Endpoint(.get, "/v1/informe-anual/{anio}", operationId: "informe-anual", tag: "reportes",
                     summary: "Insumos del informe anual de la Comisión Intersecretarial para un año: cada módulo por institución y nacional, comparado con el año anterior; la revisión de completitud (instituciones obligadas sin algún módulo); el anexo de indicadores y las estadísticas publicadas del año. Cada tabla trae su definición de reporte.",
                     access: .authenticated, parameters: [
                        .init("anio", in: .path, description: "Año del informe.", schema: ["type": "integer", "minimum": 2012, "maximum": 2100]),
                        .init("formato", in: .query, description: "json (por omisión), md, html (para imprimir) o xlsx.", schema: ["type": "string", "enum": ["json", "md", "html", "xlsx"]]),
                     ],
                     successes: [.init(200, "El informe.", schema: ResponseSchemas.ref("InformeAnual"), alternatives: ["text/markdown", "text/html", ReportWorkbook.mediaType])],
                     errors: [400, 401, 403, 429, 503]) { request, context in
                try await annualReport(request, context, services)
            },
        ]
    }

    static func annualReport(_ request: Request, _ context: APIContext, _ services: APIServices) async throws -> Response {
        _ = try services.requireScope(try context.requireIdentity(), .leerIndicadores)
        let query = Query(request)
        let format = query.choice("formato", formats) ?? "json"
        try query.finish()
        guard let text = context.parameters.get("anio"), let year = Int(text), text.count == 4 else {
            throw APIProblem.malformed("anio: un año de cuatro cifras, p. ej. 2024", path: "ruta.anio")
        }
        do { try AnnualReportBuilder.check(year: year) } catch { throw APIProblem.malformed(String(describing: error).replacingOccurrences(of: "--anio", with: "anio"), path: "ruta.anio") }
        guard let projector = services.projector, let plan = services.annualReportPlan else {
            throw APIProblem.unavailable("Sin proyector o sin el plan del informe anual configurado.")
        }
        let report = try await AnnualReportBuilder(projector: projector, catalogs: services.definitions.catalogs,
                                                   catalogue: ReportCatalogue(definitions: services.definitions), indicators: services.indicators)
            .build(plan, year: year, threshold: services.statisticsThreshold)
        let (bytes, type): ([UInt8], String) = switch format {
        case "md": (Array(AnnualReportRenderer.markdown(report).utf8), "text/markdown; charset=utf-8")
        case "html": (Array(AnnualReportRenderer.html(report).utf8), "text/html; charset=utf-8")
        case "xlsx": (AnnualReportRenderer.xlsx(report), ReportWorkbook.mediaType)
        default: (Array(AnnualReportJSON.render(report).utf8), "application/json; charset=utf-8")
        }
        var headers: HTTPFields = [.contentType: type]
        if format == "xlsx" { headers[.contentDisposition] = "attachment; filename=\"informe-anual-\(year).xlsx\"" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
