import Accounts
import CanonicalJSON
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Reports

/// The reports module (módulo 5): the variables a report may use and running one. Reading a report
/// needs the permission to read the indicators (aggregates, never personal data); a report for
/// publication is suppressed with the server's threshold, as the public statistics.
enum ReportQueryEndpoints {
    static let formats = ["json", "csv", "md", "html", "xlsx"]

    static func all(_ services: APIServices) -> [Endpoint] {
        let catalogue = ReportCatalogue(definitions: services.definitions)
        return [
            Endpoint(.get, "/v1/reportes/variables", operationId: "variables-de-reportes", tag: "reportes",
                     summary: "Las fuentes (un tipo de registro de cada módulo, o «personas») y las variables que un reporte puede usar como filas, columnas, filtros o medida; generadas de las definiciones de eventos. Ningún dato personal.",
                     access: .authenticated, successes: [.init(200, "Las fuentes y sus variables.", schema: ResponseSchemas.ref("VariablesDeReportes"))],
                     errors: [401, 403, 429]) { _, context in
                _ = try services.requireScope(try context.requireIdentity(), .leerIndicadores)
                return SystemEndpoints.json(variables(catalogue))
            },
            Endpoint(.post, "/v1/reportes/ejecutar", operationId: "ejecutar-reporte", tag: "reportes",
                     summary: "Calcula un reporte: {titulo, fuente, filas, columnas?, filtros?, medida (\"personas\", \"registros\" o {\"suma\": variable}), modo (\"interno\" o \"publicacion\", con supresión)}. Declara su fuente, posición del registro, fecha y regla.",
                     access: .authenticated, parameters: [
                        .init("formato", in: .query, description: "json (por omisión), csv, md, html o xlsx.", schema: ["type": "string", "enum": ["json", "csv", "md", "html", "xlsx"]]),
                        .init("asOf", in: .query, description: "Fecha AAAA-MM-DD: el reporte como estaba al final de ese día.", schema: ["type": "string", "format": "date"]),
                     ],
                     requestBody: ["type": "object", "required": ["titulo", "fuente", "filas", "medida"]],
                     successes: [.init(200, "El reporte.", schema: ResponseSchemas.ref("Reporte"), alternatives: ["text/csv", "text/markdown", "text/html", ReportWorkbook.mediaType])],
                     errors: [400, 401, 403, 413, 422, 429, 503]) { request, context in
                _ = try services.requireScope(try context.requireIdentity(), .leerIndicadores)
                let document = try await Body.json(request)
                return try await run(document, request, context, services, catalogue)
            },
            Endpoint(.get, "/v1/reportes/guardados", operationId: "reportes-guardados", tag: "reportes",
                     summary: "Los reportes guardados (comando guardar-reporte): nombre, descripción, definición, institución de quien lo guardó y fecha; el último guardado con cada nombre.",
                     access: .authenticated, successes: [.init(200, "Los reportes guardados.", schema: ResponseSchemas.ref("ReportesGuardados"))], errors: [401, 403, 429, 503]) { _, context in
                _ = try services.requireScope(try context.requireIdentity(), .leerIndicadores)
                guard let projector = services.projector else { throw APIProblem.unavailable("Sin proyector configurado.") }
                let saved = try await SavedReports(pool: projector.pool).all()
                return SystemEndpoints.json(.object([.init(key: "reportes", value: .array(saved.map { report in
                    .object([.init(key: "nombre", value: .string(report.name)), .init(key: "descripcion", value: report.description.map(JSONValue.string) ?? .null),
                             .init(key: "definicion", value: report.document), .init(key: "institucion", value: .string(report.institution)),
                             .init(key: "fecha", value: .string(report.date)), .init(key: "posicion", value: .number(Double(report.position)))])
                }))]))
            },
            Endpoint(.get, "/v1/reportes/guardados/{nombre}", operationId: "ejecutar-reporte-guardado", tag: "reportes",
                     summary: "Ejecuta un reporte guardado, ahora o como estaba al final de un día (asOf).",
                     access: .authenticated, parameters: [
                        .init("nombre", in: .path, description: "Nombre del reporte guardado.", schema: ["type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 80]),
                        .init("formato", in: .query, description: "json (por omisión), csv, md, html o xlsx.", schema: ["type": "string", "enum": ["json", "csv", "md", "html", "xlsx"]]),
                        .init("asOf", in: .query, description: "Fecha AAAA-MM-DD: el reporte como estaba al final de ese día.", schema: ["type": "string", "format": "date"]),
                     ],
                     successes: [.init(200, "El reporte.", schema: ResponseSchemas.ref("Reporte"), alternatives: ["text/csv", "text/markdown", "text/html", ReportWorkbook.mediaType])],
                     errors: [400, 401, 403, 404, 422, 429, 503]) { request, context in
                _ = try services.requireScope(try context.requireIdentity(), .leerIndicadores)
                let name = context.parameters.get("nombre") ?? ""
                guard name.count <= 80, name.range(of: "^[a-z0-9]+(-[a-z0-9]+)*$", options: .regularExpression) != nil else {
                    throw APIProblem.malformed("nombre: minúsculas, dígitos y guiones", path: "ruta.nombre")
                }
                guard let projector = services.projector else { throw APIProblem.unavailable("Sin proyector configurado.") }
                guard let saved = try await SavedReports(pool: projector.pool).named(name) else {
                    throw APIProblem.notFound("No hay un reporte guardado «\(name)»; GET /v1/reportes/guardados los lista.")
                }
                return try await run(saved.document, request, context, services, catalogue)
            },
        ]
    }

    static func variables(_ catalogue: ReportCatalogue) -> JSONValue {
        .object([.init(key: "fuentes", value: .array(catalogue.sources.map { source in
            let measures: [JSONValue] = source.isPeople ? ["personas"] : ["registros"] + source.numerics.map { ["suma": .string($0)] }
            return .object([
                .init(key: "fuente", value: .string(source.name)), .init(key: "modulo", value: .string(source.module)),
                .init(key: "descripcion", value: .string(source.description)),
                .init(key: "dimensiones", value: .array(source.variables.filter { $0.role == .dimension }.map { variable in
                    .object([.init(key: "variable", value: .string(variable.name)), .init(key: "catalogo", value: variable.catalog.map(JSONValue.string) ?? .null),
                             .init(key: "variosValores", value: .bool(variable.multiValued)), .init(key: "descripcion", value: .string(variable.description))])
                })),
                .init(key: "medidas", value: .array(measures)),
            ])
        }))])
    }

    static func run(_ document: JSONValue, _ request: Request, _ context: APIContext, _ services: APIServices, _ catalogue: ReportCatalogue) async throws -> Response {
        _ = try services.requireScope(try context.requireIdentity(), .leerIndicadores)
        let query = Query(request)
        let format = query.choice("formato", formats) ?? "json"
        let asOf = query.date("asOf")
        try query.finish()
        let report: ReportDefinition
        do { report = try ReportDefinition.parse(document, catalogue: catalogue) } catch let error as ReportInputError {
            throw APIProblem.invalid(error.problems)
        }
        guard let projector = services.projector else { throw APIProblem.unavailable("Sin proyector configurado.") }
        let result = try await ReportRunner(projector: projector, catalogs: services.definitions.catalogs, reads: services.analyticsPool(projector))
            .run(report, threshold: services.statisticsThreshold, asOf: asOf)
        let (bytes, type): ([UInt8], String) = switch format {
        case "csv": (Array(ReportRenderer.csv(result).utf8), "text/csv; charset=utf-8")
        case "md": (Array(ReportRenderer.markdown(result).utf8), "text/markdown; charset=utf-8")
        case "html": (Array(ReportRenderer.html(result).utf8), "text/html; charset=utf-8")
        case "xlsx": (ReportWorkbook.xlsx(result), ReportWorkbook.mediaType)
        default: (Array(ReportRenderer.json(result).utf8), "application/json; charset=utf-8")
        }
        var headers: HTTPFields = [.contentType: type]
        if format == "xlsx" { headers[.contentDisposition] = "attachment; filename=\"reporte.xlsx\"" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
