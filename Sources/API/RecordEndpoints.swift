import Accounts
import CanonicalJSON
import Catalog
import Definitions
import Hummingbird
import Records

/// The records of the modules beside the case files: `GET /v1/registros` (the list, with filters) and
/// `GET /v1/registros/{registro}` (one record with its history). Corrections and annulments are the
/// commands `corregir-registro` and `anular-registro` (`POST /v1/flujos/{flujo}/…`, CommandEndpoints).
/// Module records carry no personal data once their encrypted fields are withheld, so any account
/// that may read the indicators built from them may consult them.
enum RecordEndpoints {
    static func all(_ services: APIServices) -> [Endpoint] {
        let recordParameter = Endpoint.Parameter("registro", in: .path, description: "Identificador del registro (operativo-…, capacitacion-…).",
                                                 schema: ["type": "string", "minLength": 1, "maxLength": 200])
        return [
            Endpoint(.get, "/v1/registros", operationId: "listar-registros", tag: "registros",
                     summary: "Registros vigentes de los módulos (operativos, capacitaciones, difusión, hechos del programa…), del más reciente al más antiguo; sin datos personales.",
                     access: .authenticated, parameters: [
                        .init("modulo", in: .query, description: "Módulo (operativos, capacitacion, difusion…).", schema: ["type": "string", "maxLength": 60]),
                        .init("institucion", in: .query, description: "Institución que hizo el registro.", schema: ["type": "string", "maxLength": 60]),
                        .init("entidad", in: .query, description: "Entidad del lugar del registro (clave INEGI).", schema: ["type": "string", "pattern": "^[0-9]{2}$"]),
                        .init("desde", in: .query, description: "Con fecha desde (AAAA-MM-DD).", schema: ["type": "string", "format": "date"]),
                        .init("hasta", in: .query, description: "Con fecha hasta (AAAA-MM-DD).", schema: ["type": "string", "format": "date"]),
                        .init("variables", in: .query, description: "Variables categóricas del módulo: campo=código, separadas por comas (requiere modulo).",
                              schema: ["type": "string", "maxLength": 500]),
                        .init("limite", in: .query, description: "Registros por página (1 a 500; 50 por omisión).", schema: ["type": "integer", "minimum": 1, "maximum": 500]),
                        .init("despuesDe", in: .query, description: "Cursor de la página siguiente («siguiente» de la anterior).", schema: ["type": "integer", "minimum": 0]),
                     ],
                     successes: [.init(200, "Una página.", schema: Self.pageSchema)], errors: [400, 401, 403, 429, 503]) { request, context in
                try await list(request, context, services)
            },
            Endpoint(.get, "/v1/registros/{registro}", operationId: "leer-registro", tag: "registros",
                     summary: "Un registro como está hoy y su historial: registrado, corregido (antes → después), anulado; quién y cuándo.",
                     access: .authenticated, parameters: [recordParameter],
                     successes: [.init(200, "El registro.", schema: Self.recordSchema)], errors: [400, 401, 403, 404, 429, 503]) { request, context in
                try await show(request, context, services)
            },
        ]
    }

    static func list(_ request: Request, _ context: APIContext, _ services: APIServices) async throws -> Response {
        let identity = try context.requireIdentity()
        _ = try services.requireScope(identity, .leerIndicadores)
        let query = Query(request)
        var variables: [String: String] = [:]
        if let text = query.text("variables") {
            for pair in text.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty { variables[parts[0]] = parts[1] } else {
                    query.problem("consulta.variables", "variable-mal-formada", "variables: «\(pair.prefix(60))» debe ser campo=código")
                }
            }
        }
        let filter = ModuleRecordFilter(module: query.text("modulo", maxLength: 60), institution: query.text("institucion", maxLength: 60),
                                        entidad: query.text("entidad", maxLength: 2), from: query.date("desde"), to: query.date("hasta"),
                                        variables: variables)
        let size = query.integer("limite", 1...500) ?? 50
        let cursor = query.integer("despuesDe", 0...Int64.max)
        // The filter's own problems (an unknown module, variable or code) in the same answer as the parameters'.
        if case .failure(let error) = filter.validated(services.definitions) {
            for problem in error.problems {
                query.problem("consulta.\(problem.path == "variable" || problem.path.hasPrefix("variable.") ? "variables" : problem.path)", problem.code, problem.message)
            }
        }
        try query.finish()
        let reader = ModuleRecordReader(store: services.store, definitions: services.definitions)
        let page = try await reader.list(filter, pageSize: Int(size), after: cursor)
        return Pagination.json(request, page.json, next: page.next)
    }

    static func show(_ request: Request, _ context: APIContext, _ services: APIServices) async throws -> Response {
        let identity = try context.requireIdentity()
        _ = try services.requireScope(identity, .leerIndicadores)
        try Query(request).finish()
        let id = context.parameters.get("registro") ?? ""
        guard let record = try await ModuleRecordReader(store: services.store, definitions: services.definitions).read(id) else {
            throw APIProblem.notFound("No existe un registro de módulo «\(id.prefix(80))» (los expedientes están en /v1/expedientes).")
        }
        var response = SystemEndpoints.json(record.json)
        response.headers[.eTag] = "\"\(record.history.last?.version ?? 0)\""
        return response
    }

    static let summarySchema: JSONValue = [
        "type": "object", "required": ["registro", "tipo", "modulo", "fecha", "institucion", "posicion", "datos"],
        "properties": [
            "registro": ["type": "string"], "tipo": ["type": "string", "description": "Evento que abrió el registro."],
            "modulo": ["type": "string"], "fecha": ["type": "string", "format": "date"], "institucion": ["type": "string"],
            "posicion": ["type": "integer"], "datos": ["type": "object", "description": "El registro como está hoy, sin sus campos personales."],
        ],
    ]

    static let pageSchema: JSONValue = [
        "type": "object", "required": ["registros", "siguiente"],
        "properties": ["registros": ["type": "array", "items": summarySchema], "siguiente": ["type": ["integer", "null"]]],
    ]

    static let recordSchema: JSONValue = [
        "type": "object", "required": ["registro", "tipo", "modulo", "institucion", "estado", "anuladoEl", "datos", "historial"],
        "properties": [
            "registro": ["type": "string"], "tipo": ["type": "string"], "modulo": ["type": "string"], "institucion": ["type": "string"],
            "estado": ["type": "string", "enum": ["vigente", "anulado"]], "anuladoEl": ["type": ["string", "null"], "format": "date"],
            "datos": ["type": "object", "description": "Como está hoy; los campos personales van en null."],
            "historial": ["type": "array", "items": [
                "type": "object", "required": ["evento", "tipo", "version", "posicion", "registradoEn", "usuario", "institucion", "motivo", "cambios"],
                "properties": [
                    "evento": ["type": "string", "enum": ["registrado", "corregido", "anulado", "agregado"]], "tipo": ["type": "string"],
                    "version": ["type": "integer"], "posicion": ["type": "integer"], "registradoEn": ["type": "string", "format": "date-time"],
                    "usuario": ["type": ["string", "null"]], "institucion": ["type": "string"], "motivo": ["type": ["string", "null"]],
                    "cambios": ["type": "array", "items": ["type": "object", "required": ["campo", "antes", "despues"],
                                                           "properties": ["campo": ["type": "string"], "antes": [:], "despues": [:]]]],
                ],
            ]],
        ],
    ]
}
