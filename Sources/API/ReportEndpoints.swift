import Accounts
import CanonicalJSON
import Catalog
import EventLog
import Foundation
import Hummingbird
import Indicators
import NIOCore
import Postgres
import Publications
import Statistics

/// Indicators (for the roles that may read them) and public statistics (for anyone).
enum ReportEndpoints {
    static func all(_ services: APIServices) -> [Endpoint] {
        [
            Endpoint(.get, "/v1/indicadores", operationId: "calcular-indicadores", tag: "indicadores",
                     summary: "Metas para el bienestar y parámetros del PNTdP: variables con procedencia, sustitución, resultado y bandera; con asOf, también como estaban ese día.",
                     access: .authenticated, parameters: [
                        .init("anio", in: .query, description: "Año (por omisión 2019–2024).", schema: ["type": "integer", "minimum": 2019, "maximum": 2100]),
                        .init("indicador", in: .query, description: "Solo esta ficha (p. ej. 1.2).", schema: ["type": "string", "pattern": "^[1-9][0-9]?\\.[1-9][0-9]?$"]),
                        .init("asOf", in: .query, description: "Fecha AAAA-MM-DD: el valor como estaba al final de ese día, con la ficha vigente entonces.",
                              schema: ["type": "string", "format": "date"]),
                     ],
                     successes: [.init(200, "Los resultados.", schema: ResponseSchemas.ref("Indicadores"), headers: ["ETag": Conditional.header])], errors: [400, 401, 403, 404, 429, 503]) { request, context in
                try await indicators(request, context, services)
            },
            Endpoint(.get, "/v1/indicadores/anexo", operationId: "anexo-de-indicadores", tag: "indicadores",
                     summary: "El anexo «Avance de las Metas para el bienestar y Parámetros» completo, serie 2019–2024.", access: .authenticated,
                     parameters: [.init("formato", in: .query, description: "md (por omisión), html, json o csv.",
                                        schema: ["type": "string", "enum": ["md", "html", "json", "csv"]])],
                     successes: [.init(200, "El anexo.", mediaType: "text/markdown", schema: ["type": "string"],
                                                 alternatives: ["text/html", "application/json", "text/csv"], headers: ["ETag": Conditional.header])], errors: [400, 401, 403, 429, 503]) { request, context in
                try await annex(request, context, services)
            },
            Endpoint(.get, "/v1/estadisticas", operationId: "estadisticas-publicas", tag: "estadisticas",
                     summary: "Estadísticas públicas (Ley General, art. 88, fr. VIII): la última entrega publicada de cada año, por año y entidad, solo agregados con supresión. No es un dato en vivo. Sin autenticación.",
                     access: .open, parameters: [
                        .init("anio", in: .query, description: "Solo este año.", schema: ["type": "integer", "minimum": 2012, "maximum": 2100]),
                        .init("formato", in: .query, description: "json (por omisión) o csv.", schema: ["type": "string", "enum": ["json", "csv"]]),
                     ],
                     successes: [.init(200, "Las tablas de la entrega, con la regla de supresión.", schema: ["anyOf": [ResponseSchemas.ref("Estadisticas"), ResponseSchemas.ref("EntregasDeEstadisticas")]], alternatives: ["text/csv"],
                                       headers: ["ETag": Conditional.header])],
                     errors: [400, 404, 429, 503]) { request, context in
                try await statistics(request, context, services)
            },
            Endpoint(.get, "/v1/estadisticas/vigentes", operationId: "estadisticas-vigentes", tag: "estadisticas",
                     summary: "Las estadísticas calculadas ahora (con supresión), para los roles que leen estadísticas e indicadores internamente; lo público son las entregas.",
                     access: .authenticated, parameters: [
                        .init("anio", in: .query, description: "Solo este año.", schema: ["type": "integer", "minimum": 2012, "maximum": 2100]),
                        .init("formato", in: .query, description: "json (por omisión) o csv.", schema: ["type": "string", "enum": ["json", "csv"]]),
                     ],
                     successes: [.init(200, "Las tablas vigentes, con la regla de supresión.", schema: ResponseSchemas.ref("Estadisticas"), alternatives: ["text/csv"],
                                       headers: ["ETag": Conditional.header])],
                     errors: [400, 401, 403, 429, 503]) { request, context in
                try await liveStatistics(request, context, services)
            },
            Endpoint(.get, "/v1/estadisticas/exportacion/{archivo}", operationId: "exportacion-de-estadisticas", tag: "estadisticas",
                     summary: "La exportación de la última publicación de las estadísticas: datapackage.json (Frictionless, describe cada archivo y campo) y los CSV y JSON que enlaza. Sin autenticación.",
                     access: .open, parameters: [.init("archivo", in: .path, description: "datapackage.json, estadisticas-serie.csv, estadisticas-2024.json…",
                                                       schema: ["type": "string", "pattern": "^[a-z0-9-]{1,60}\\.(csv|json)$"])],
                     successes: [.init(200, "El archivo.", schema: ["anyOf": [ResponseSchemas.ref("PaqueteDeDatos"), ResponseSchemas.ref("Estadisticas")]], alternatives: ["text/csv"],
                                       headers: ["ETag": Conditional.header])], errors: [400, 404, 429, 503]) { request, context in
                try await exportFile(request, context.parameters.get("archivo") ?? "", services)
            },
        ]
    }

    /// One file of the export of the last published release. An unknown name is refused before
    /// any work; the release's files are built once and kept (`PublicStatistics`).
    static func exportFile(_ request: Request, _ name: String, _ services: APIServices) async throws -> Response {
        guard name.range(of: "^[a-z0-9-]{1,60}\\.(csv|json)$", options: .regularExpression) != nil else {
            throw APIProblem.malformed("archivo: un nombre como datapackage.json o estadisticas-2024.csv", path: "ruta.archivo")
        }
        guard PublicStatistics.isExportName(name) else { throw APIProblem.notFound("La exportación no tiene «\(name)»; consulte datapackage.json.") }
        guard let statistics = services.publicStatistics else { throw APIProblem.unavailable("Sin proyector configurado.") }
        guard let release = try await statistics.lastRelease() else {
            throw APIProblem.notFound("Aún no hay una publicación de las estadísticas; la exportación es la de la última publicación.")
        }
        guard let contents = release.files[name] else {
            throw APIProblem.notFound("La publicación del \(release.release.date) no tiene «\(name)»; consulte datapackage.json.")
        }
        let type = name.hasSuffix(".csv") ? "text/csv; charset=utf-8" : "application/json; charset=utf-8"
        return Conditional.response(request, bytes: Array(contents), contentType: type, cacheControl: "public, max-age=300")
    }

    static func indicators(_ request: Request, _ context: APIContext, _ services: APIServices) async throws -> Response {
        _ = try services.requireScope(try context.requireIdentity(), .leerIndicadores)
        let query = Query(request)
        let year = query.integer("anio", 2019...2100)
        let only = query.text("indicador", maxLength: 5)
        let asOf = query.date("asOf")
        try query.finish()
        if let only, !services.indicators.contains(where: { $0.id == only }) { throw APIProblem.notFound("No existe la ficha «\(only)».") }
        guard let projector = services.projector else { throw APIProblem.unavailable("Sin proyector configurado.") }
        let years = year.map { [Int($0)] } ?? AsOfPrecomputeService.years
        let ids = only.map { Set([$0]) }
        let now = try await IndicatorEngine(pool: services.analyticsPool(projector), indicators: services.indicators, kept: KeptIndicators(projector: projector))
            .compute(years: years, today: .today(), only: ids)
        var body: [JSONMember] = [.init(key: "ahora", value: try CanonicalJSON.parse(AnnexRenderer.json(now)))]
        if let asOf, let end = Timestamp(endOfDay: asOf.description) {
            let position = try await projector.position(recordedAtOrBefore: end)
            let past = try await IndicatorsAsOf(projector: projector, history: IndicatorDefinitionHistory(pool: projector.pool))
                .compute(position: position, years: years, today: asOf, current: services.indicators, only: ids)
            body.append(.init(key: "alDia", value: .object([
                .init(key: "fecha", value: .string(asOf.description)), .init(key: "posicionDelRegistro", value: .number(Double(position))),
                .init(key: "fichasSinVersionRegistrada", value: .array(past.withoutRecordedDefinition.map(JSONValue.string))),
                .init(key: "resultados", value: try CanonicalJSON.parse(AnnexRenderer.json(past.results))),
            ])))
            // Why each figure differs, naming the corrections and annulments of records it counted.
            let comparison = AsOfComparison(asOf: asOf, today: .today(), position: position, then: past.results, now: now,
                                            definitions: services.indicators, withoutRecordedDefinition: past.withoutRecordedDefinition,
                                            recordChanges: try await RecordChange.after(position, projector.pool))
            body.append(.init(key: "diferencias", value: comparison.json["diferencias"] ?? .array([])))
        }
        // Recomputed on every request, but a client polling for changes gets 304 while none happened.
        return Conditional.json(request, .object(body), cacheControl: "private, no-cache")
    }

    static func annex(_ request: Request, _ context: APIContext, _ services: APIServices) async throws -> Response {
        _ = try services.requireScope(try context.requireIdentity(), .leerIndicadores)
        let query = Query(request)
        let format = query.choice("formato", ["md", "html", "json", "csv"]) ?? "md"
        try query.finish()
        guard let projector = services.projector else { throw APIProblem.unavailable("Sin proyector configurado.") }
        let results = try await IndicatorEngine(pool: services.analyticsPool(projector), indicators: services.indicators, kept: KeptIndicators(projector: projector))
            .compute(years: Array(2019...2024), today: .today(), provenance: format == "json")
        let (text, type): (String, String) = switch format {
        case "html": (AnnexRenderer.html(results, definitions: services.indicators), "text/html; charset=utf-8")
        case "json": (AnnexRenderer.json(results), "application/json; charset=utf-8")
        case "csv": (AnnexRenderer.csv(results), "text/csv; charset=utf-8")
        default: (AnnexRenderer.markdown(results, definitions: services.indicators), "text/markdown; charset=utf-8")
        }
        // An annex of a SINTRA Capacitación database says CAPACITACIÓN in the document, not only in the header.
        let training = try await DeploymentEnvironment.of(projector.pool) == .capacitacion
        return Conditional.response(request, bytes: Array((training ? TrainingMark.apply(text, format: format) : text).utf8), contentType: type,
                                    cacheControl: "private, no-cache")
    }

    /// The last published release of each year (README "Releases"): never recomputed per request.
    static func statistics(_ request: Request, _ context: APIContext, _ services: APIServices) async throws -> Response {
        let query = Query(request)
        let year = query.integer("anio", 2012...2100)
        let format = query.choice("formato", ["json", "csv"]) ?? "json"
        try query.finish()
        guard let statistics = services.publicStatistics else { throw APIProblem.unavailable("Sin proyector configurado.") }
        guard let body = try await statistics.released(year: year.map(Int.init), format: format) else {
            throw APIProblem.notFound(year.map { "Aún no hay una entrega publicada de las estadísticas de \($0)." } ?? "Aún no hay entregas publicadas de las estadísticas.")
        }
        let type = format == "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8"
        return Conditional.response(request, bytes: Array(body.utf8), contentType: type, cacheControl: "public, max-age=300")
    }

    /// The live tables, for roles that read statistics internally (the indicators' permission).
    static func liveStatistics(_ request: Request, _ context: APIContext, _ services: APIServices) async throws -> Response {
        _ = try services.requireScope(try context.requireIdentity(), .leerIndicadores)
        let query = Query(request)
        let year = query.integer("anio", 2012...2100)
        let format = query.choice("formato", ["json", "csv"]) ?? "json"
        try query.finish()
        guard let statistics = services.publicStatistics else { throw APIProblem.unavailable("Sin proyector configurado.") }
        let body = try await statistics.current(year: year.map(Int.init), format: format)
        let type = format == "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8"
        return Conditional.response(request, bytes: Array(body.utf8), contentType: type, cacheControl: "private, no-cache")
    }
}
