import Accounts
import CanonicalJSON
import Catalog
import Definitions
import Hummingbird
import Publications
import Statistics

/// Bulk loads and publications, attributed to the signed-in account: the same acts the console's
/// `sintra submit` and `sintra publish` perform, with the same permissions, so nothing is recorded
/// in an institution's name by someone who merely holds a shell.
enum LoadAndPublishEndpoints {
    static let maximumCommandsPerLoad = 1_000

    static func all(_ services: APIServices) -> [Endpoint] {
        let publication: JSONValue = ["$ref": "#/components/schemas/Publicacion"]
        return [
            Endpoint(.post, "/v1/cargas", operationId: "cargar-comandos", tag: "comandos",
                     summary: "Carga por lotes: hasta 1,000 comandos (el mismo sobre que `sintra submit`), cada uno con su clave de idempotencia, como la cuenta que llama y con sus permisos. Cada uno surte efecto completo o no surte efecto; repetir la carga no cambia nada.",
                     access: .authenticated,
                     requestBody: ["type": "object", "additionalProperties": false, "required": ["comandos"], "properties": [
                        "comandos": ["type": "array", "minItems": 1, "maxItems": .number(Double(maximumCommandsPerLoad)),
                                     "items": ["type": "object", "description": "{comando, claveDeIdempotencia, flujo?, versionEsperada?, cargaHistorica?, datos}"]]]],
                     successes: [.init(200, "El resultado de cada comando, en orden.", schema: [
                        "type": "object", "required": ["aceptados", "yaAplicados", "rechazados", "lineas"], "properties": [
                            "aceptados": ["type": "integer"], "yaAplicados": ["type": "integer"], "rechazados": ["type": "integer"],
                            "lineas": ["type": "array", "items": ["type": "object"]]]])],
                     errors: [400, 401, 403, 413, 422, 429, 503]) { request, context in
                try await load(request, context, services)
            },
            Endpoint(.post, "/v1/publicaciones/indicadores", operationId: "publicar-indicadores", tag: "indicadores",
                     summary: "Publica el anexo de indicadores del PNTdP y lo registra (PublicacionRealizada) a nombre de la cuenta que llama; publicar lo mismo otra vez es un reintento.",
                     access: .authenticated,
                     requestBody: ["type": "object", "additionalProperties": false, "properties": [
                        "desde": ["type": "integer", "minimum": 2019, "maximum": 2100], "hasta": ["type": "integer", "minimum": 2019, "maximum": 2100]]],
                     successes: [.init(201, "Registrada (o la misma publicación, si se repite: un reintento no publica dos veces).", schema: publication)],
                     errors: [400, 401, 403, 404, 413, 422, 429, 503]) { request, context in
                try await publishIndicators(request, context, services)
            },
            Endpoint(.post, "/v1/publicaciones/estadisticas", operationId: "publicar-estadisticas", tag: "estadisticas",
                     summary: "Publica una entrega de las estadísticas públicas (con el umbral de supresión del servidor) y la registra a nombre de la cuenta que llama; es lo que sirven después /v1/estadisticas y /v1/estadisticas/exportacion. Se rechaza (409) una entrega de un año ya publicado con umbral mayor u otros grupos de edad, y se retiene mientras los cambios desde la anterior sean de 1 al umbral.",
                     access: .authenticated,
                     requestBody: ["type": "object", "additionalProperties": false, "properties": [
                        "anio": ["type": "integer", "minimum": 2012, "maximum": 2100],
                        "gruposDeEdad": ["type": "string", "pattern": "^grupos-de-edad-[a-z0-9-]{1,60}$",
                                         "description": "Catálogo de grupos de edad (por omisión grupos-de-edad-programa-estatal)."]]],
                     successes: [.init(201, "Registrada (o la misma publicación, si se repite: un reintento no publica dos veces).", schema: publication)],
                     errors: [400, 401, 403, 404, 409, 413, 422, 429, 503]) { request, context in
                try await publishStatistics(request, context, services)
            },
        ]
    }

    static func load(_ request: Request, _ context: APIContext, _ services: APIServices) async throws -> Response {
        let identity = try context.requireIdentity()
        let body = try await Body.json(request)
        var fields = Fields(body)
        let commands = fields.array("comandos", maxItems: maximumCommandsPerLoad)
        try fields.finish()
        var accepted = 0, replayed = 0, rejected = 0
        var lines: [JSONValue] = []
        do {
            try await BulkLoad(accounts: services.accounts).run(commands ?? [], as: identity, client: "api/1/cargas") { number, outcome in
                switch outcome {
                case .accepted(let result): if result.replayed { replayed += 1 } else { accepted += 1 }
                case .rejected: rejected += 1
                }
                lines.append(BulkLoad.json(number, outcome))
            }
        } catch let interrupted as BulkLoad.Interrupted {
            throw APIProblem.unavailable("La carga se detuvo en el comando \(interrupted.line): la base de datos no respondió. Repita la misma carga: lo ya aplicado no se repite.")
        }
        return SystemEndpoints.json(["aceptados": .number(Double(accepted)), "yaAplicados": .number(Double(replayed)),
                                     "rechazados": .number(Double(rejected)), "lineas": .array(lines)])
    }

    static func publishIndicators(_ request: Request, _ context: APIContext, _ services: APIServices) async throws -> Response {
        let identity = try context.requireIdentity()
        let commandContext = try await accountCall { () async throws(AccountError) in
            try services.commands.context(identity, action: .publicar, client: "api/1")
        }
        var fields = Fields(try await Body.json(request))
        let from = fields.integer("desde", 2019...2100) ?? 2019, to = fields.integer("hasta", 2019...2100) ?? 2024
        if from > to { fields.problem("datos.hasta", "periodo-invertido", "hasta (\(to)) es anterior a desde (\(from))") }
        // An annex reports years that happened: a future year has no figures to publish.
        if to > Int64(commandContext.today.year) {
            fields.problem("datos.hasta", "anio-futuro", "hasta (\(to)) es posterior al año en curso (\(commandContext.today.year))")
        }
        try fields.finish()
        guard let projector = services.projector else { throw APIProblem.unavailable("Sin proyector configurado.") }
        let publisher = IndicatorPublisher(projector: projector, history: IndicatorDefinitionHistory(pool: projector.pool), current: services.indicators)
        let published = try await publisher.publish(years: Array(Int(from)...Int(to)), handler: services.handler, context: commandContext)
        return SystemEndpoints.json(json(published.publication), status: .created)
    }

    static func publishStatistics(_ request: Request, _ context: APIContext, _ services: APIServices) async throws -> Response {
        let identity = try context.requireIdentity()
        let commandContext = try await accountCall { () async throws(AccountError) in
            try services.commands.context(identity, action: .publicar, client: "api/1")
        }
        var fields = Fields(try await Body.json(request))
        let year = fields.integer("anio", 2012...2100)
        let ageBands = fields.text("gruposDeEdad", required: false, maxLength: 80) ?? StatisticsBuilder.defaultAgeBands
        let labels = Labels(catalogs: services.definitions.catalogs)
        if !labels.ageBandCatalogs.contains(ageBands) {
            fields.problem("datos.gruposDeEdad", "catalogo-desconocido", "gruposDeEdad: use \(labels.ageBandCatalogs.joined(separator: ", "))")
        }
        try fields.finish()
        guard let projector = services.projector else { throw APIProblem.unavailable("Sin proyector configurado.") }
        let publisher = StatisticsPublisher(projector: projector, labels: labels)
        do {
            let published = try await publisher.publish(year: year.map(Int.init), threshold: services.statisticsThreshold, ageBands: ageBands,
                                                        handler: services.handler, context: commandContext)
            return SystemEndpoints.json(json(published.publication), status: .created)
        } catch PublicationError.refused(let reason) {
            throw APIProblem(.conflict, title: "Entrega no permitida", detail: "No se publicó: \(reason).",
                             problems: [Problem(path: "datos.anio", code: "entrega-no-permitida", message: reason)])
        } catch let error as PublicationError {
            throw APIProblem.notFound("No hay datos publicables: \(error)")
        }
    }

    static func json(_ publication: Publication) -> JSONValue {
        ["publicacion": .string(publication.streamId), "posicion": .number(Double(publication.position)),
         "tipo": .string(publication.kind.rawValue), "anios": .array(publication.years.map { .number(Double($0)) }),
         "posicionDelRegistro": .number(Double(publication.logPosition)), "huella": .string(publication.fingerprint),
         "umbral": publication.threshold.map { .number(Double($0)) } ?? .null, "cifras": .number(Double(publication.figures.count)),
         "institucion": .string(publication.institution), "fecha": .string(publication.date.description)]
    }
}
