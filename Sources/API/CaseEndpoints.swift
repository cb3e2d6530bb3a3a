import Accounts
import CanonicalJSON
import CaseFiles
import Catalog
import Commands
import Foundation
import Hummingbird
import Postgres

/// Case files: the list with filters and pages, one case with its timeline, its event history.
/// Scope comes from the caller's permissions and is added to their filters, never taken from them.
enum CaseEndpoints {
    static func all(_ services: APIServices) -> [Endpoint] {
        let filters: [Endpoint.Parameter] = [
            .init("institucion", in: .query, description: "Institución que registró, participó o recibió una canalización."),
            .init("entidad", in: .query, description: "Entidad de detección (clave INEGI de 2 dígitos).", schema: ["type": "string", "pattern": "^[0-9]{2}$"]),
            .init("municipio", in: .query, description: "Municipio de detección (5 dígitos).", schema: ["type": "string", "pattern": "^[0-9]{5}$"]),
            .init("estado", in: .query, description: "abierto o cerrado.", schema: ["type": "string", "enum": ["abierto", "cerrado"]]),
            .init("modalidad", in: .query, description: "Modalidad de explotación documentada."),
            .init("desde", in: .query, description: "Detectados desde (AAAA-MM-DD).", schema: ["type": "string", "format": "date"]),
            .init("hasta", in: .query, description: "Detectados hasta (AAAA-MM-DD).", schema: ["type": "string", "format": "date"]),
            .init("validado", in: .query, description: "true o false.", schema: ["type": "boolean"]),
            .init("limite", in: .query, description: "Expedientes por página (1 a 500; 50 por omisión).",
                  schema: ["type": "integer", "minimum": 1, "maximum": .number(Double(APILimits.maxPageSize))]),
            .init("despuesDe", in: .query, description: "Cursor de la página siguiente.", schema: ["type": "integer", "minimum": 0]),
            .init("posicion", in: .query, description: "Esperar hasta que la lista refleje esta posición del registro (leer lo propio tras escribir).",
                  schema: ["type": "integer", "minimum": 0]),
        ]
        let caseParameter = Endpoint.Parameter("expediente", in: .path, description: "Identificador del expediente.",
                                               schema: ["type": "string", "minLength": 1, "maxLength": 200])
        return [
            Endpoint(.get, "/v1/expedientes", operationId: "listar-expedientes", tag: "expedientes",
                     summary: "Expedientes visibles para quien llama, del registro más reciente al más antiguo; sin datos personales.",
                     access: .authenticated, parameters: filters,
                     successes: [.init(200, "Una página.", schema: ResponseSchemas.ref("ListaDeExpedientes"))], errors: [400, 401, 403, 429, 503]) { request, context in
                try await list(request, context, services)
            },
            Endpoint(.get, "/v1/expedientes/{expediente}", operationId: "leer-expediente", tag: "expedientes",
                     summary: "Un expediente con su línea de tiempo. Con datosPersonales=true y una finalidad, abre los datos personales y la consulta queda registrada.",
                     access: .authenticated, parameters: [
                        caseParameter,
                        .init("datosPersonales", in: .query, description: "true para abrir los datos personales (requiere permiso y finalidad).", schema: ["type": "boolean"]),
                        .init("finalidad", in: .query, description: "Para qué se abren los datos personales (obligatoria con datosPersonales).",
                              schema: ["type": "string", "maxLength": 500]),
                        .init("posicion", in: .query, description: "Esperar hasta que el expediente refleje esta posición del registro (leer lo propio tras escribir).",
                              schema: ["type": "integer", "minimum": 0]),
                     ],
                     successes: [.init(200, "El expediente.", schema: ResponseSchemas.ref("Expediente"))], errors: [400, 401, 403, 404, 429, 503]) { request, context in
                try await show(request, context, services)
            },
            CaseSearchEndpoint.endpoint(services),
        ]
    }

    static func list(_ request: Request, _ context: APIContext, _ services: APIServices) async throws -> Response {
        let identity = try context.requireIdentity()
        let scope = try services.requireScope(identity, .leerExpedientes)
        let query = Query(request)
        var filter = CaseFilter(institution: query.text("institucion"), entidad: query.text("entidad"), municipio: query.text("municipio"),
                                status: query.choice("estado", ["abierto", "cerrado"]), modality: query.text("modalidad"),
                                detectedFrom: query.date("desde"), detectedTo: query.date("hasta"), validated: query.bool("validado"))
        let size = query.integer("limite", 1...Int64(APILimits.maxPageSize)) ?? 50
        let cursor = query.integer("despuesDe", 0...Int64.max)
        let position = query.integer("posicion", 0...Int64.max)
        try query.finish()
        try await waitForCaseFiles(position, services)
        filter.restrict(to: scope, of: identity)
        let page = try await services.caseReads.list(filter, pageSize: Int(size), after: cursor)
        return Pagination.json(request, ["expedientes": .array(page.cases.map { .object(summary($0)) }), "siguiente": page.next.map { .number(Double($0)) } ?? .null,
                                          "alcance": .string(scope.rawValue)], next: page.next)
    }

    /// A row of the list as JSON: no personal field.
    static func summary(_ item: CaseSummary) -> [JSONMember] {
        let value: JSONValue = [
            "expediente": .string(item.caseId), "institucion": .string(item.registeringInstitution), "calidad": optional(item.quality),
            "sexo": optional(item.sex), "edad": item.age.map { .number(Double($0)) } ?? .null, "nacionalidad": optional(item.nationality),
            "entidad": optional(item.entidad), "municipio": optional(item.municipio), "fechaDeDeteccion": .string(item.detectedOn.description),
            "estado": .string(item.status), "motivoDeCierre": optional(item.closingReason), "modalidades": .array(item.modalities.map(JSONValue.string)),
            "validado": .bool(item.validated), "version": .number(Double(item.version))]
        return value.objectValue ?? []
    }

    static func show(_ request: Request, _ context: APIContext, _ services: APIServices) async throws -> Response {
        let identity = try context.requireIdentity()
        let caseId = context.parameters.get("expediente") ?? ""
        let query = Query(request)
        let personal = query.bool("datosPersonales") ?? false
        let purpose = query.text("finalidad")?.trimmingCharacters(in: .whitespacesAndNewlines)
        let position = query.integer("posicion", 0...Int64.max)
        if personal && (purpose ?? "").count < 10 {
            query.problem("consulta.finalidad", "finalidad-requerida", "para abrir datos personales declare la finalidad (al menos 10 caracteres)")
        }
        try query.finish()
        let authorize = { (record: RecordScope) throws in
            try services.require(identity, .leerExpedientes, on: record)
            if personal { try services.require(identity, .leerDatosPersonales, on: record, reason: purpose) }
        }
        // With a read replica, access is decided on the primary: a share just withdrawn must not
        // still open the case while the replica catches up. Without one, it is decided on the stream
        // the case file is read from, in the same round trip.
        if services.readReplica != nil { try authorize(try await services.record(caseId)) }
        try await waitForCaseFiles(position, services)
        let file = try await services.caseReads.read(caseId, personal: personal) { history in
            guard services.readReplica == nil else { return }
            guard let record = try await services.scopes.scope(of: history) else { throw APIProblem.notFound("No existe «\(caseId.prefix(80))».") }
            try authorize(record)
        }
        guard let file else {
            throw APIProblem.notFound("El expediente «\(caseId.prefix(80))» no existe o aún no se proyecta.")
        }
        if personal && file.personalDataOpened {
            try await recordAccess(to: file, identity: identity, purpose: purpose ?? "", services: services)
        }
        var response = SystemEndpoints.json(file.json)
        // The opened form never shares a validator with the redacted one, and no cache keeps it.
        response.headers[.eTag] = personal ? "\"\(file.summary.version)-datos-personales\"" : "\"\(file.summary.version)\""
        if personal { response.headers[.cacheControl] = "no-store" }
        return response
    }

    /// Who opened which personal fields of which case and why: an event, before the data leaves.
    static func recordAccess(to file: CaseFile, identity: Identity, purpose: String, services: APIServices) async throws {
        try await accountCall { () async throws(AccountError) in
            try await services.personalData.record(file.summary.caseId, fields: file.personalFields, purpose: purpose, by: identity, client: "api/1")
        }
    }

    /// Read-your-writes: a caller that just wrote at `position` waits (up to 5 s) until case files show it
    /// — on the read replica too, when reads go to one: until its copy of the projection's state has
    /// reached the position (the replica replays the primary's commits in order, so the case is there).
    static func waitForCaseFiles(_ position: Int64?, _ services: APIServices) async throws {
        guard let position, let projector = services.projector else { return }
        // A position the log has not reached is the caller's mistake, not something to wait for.
        let head = try await services.store.headPosition()
        if position > head {
            throw APIProblem.malformed("posicion: el registro va en la posición \(head); \(position) no existe aún", path: "consulta.posicion")
        }
        let deadline = ContinuousClock.now + .seconds(5)
        var shown = try await projector.waitUntil("expedientes", hasApplied: position, timeout: .seconds(5))
        if shown, let replica = services.readReplica {
            while true {
                let applied = try await replica.pool.query("SELECT position FROM projection_state WHERE name = 'expedientes'").first?.decode(Int64.self, 0)
                if (applied ?? 0) >= position { break }
                guard ContinuousClock.now < deadline else { shown = false; break }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        if !shown {
            throw APIProblem.unavailable("Los expedientes aún no reflejan la posición \(position); reintente.", retryAfterSeconds: 1)
        }
    }

    static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
}

extension CaseFilter {
    /// The caller's scope added to their filters: the API's list and searches, and the web's pages alike.
    public mutating func restrict(to scope: Scope, of identity: Identity) {
        switch scope {
        case .nacional: break
        case .entidad: withinEntidad = identity.entidad ?? "--"
        case .institucion: visibleToInstitution = identity.institution
        case .propios: registeredBy = identity.userId
        }
    }
}
