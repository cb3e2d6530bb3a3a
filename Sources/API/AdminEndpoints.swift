import Accounts
import CanonicalJSON
import Hummingbird

/// Institutions, users and roles. The accounts module checks `administrar-cuentas` (or
/// `leer-cuentas`) against the caller's scope itself; these routes translate HTTP to it.
enum AdminEndpoints {
    static let roles: JSONValue = ["type": "array", "minItems": 1, "maxItems": 6, "uniqueItems": true,
                                   "items": ["type": "string", "enum": .array(Role.allCases.map { .string($0.rawValue) })]]
    static let userParameter = Endpoint.Parameter("usuario", in: .path, description: "Cuenta (usuario-…).", schema: ["type": "string", "minLength": 1, "maxLength": 200])
    static let accountSchema: JSONValue = ResponseSchemas.ref("Cuenta")

    static func all(_ services: APIServices) -> [Endpoint] {
        let accounts = services.accounts
        return [
            Endpoint(.get, "/v1/admin/instituciones", operationId: "listar-instituciones", tag: "administracion",
                     summary: "Instituciones registradas en SINTRA.", access: .authenticated,
                     successes: [.init(200, "Las instituciones.", schema: ResponseSchemas.ref("ListaDeInstituciones"))], errors: [401, 403, 429, 503]) { _, context in
                _ = try services.requireScope(try context.requireIdentity(), .leerCuentas)
                let list = try await accounts.directory.institutions()
                return SystemEndpoints.json(["instituciones": .array(list.map { item in
                    ["clave": .string(item.clave), "nombre": .string(item.name), "nivelDeGobierno": .string(item.level.rawValue),
                     "entidad": item.entidad.map(JSONValue.string) ?? .null, "municipio": item.municipio.map(JSONValue.string) ?? .null]
                })])
            },
            .writeOnce(.post, "/v1/admin/instituciones", operationId: "registrar-institucion", tag: "administracion",
                     summary: "Registra una institución (del catálogo, o nueva con nombre, nivel y entidad).",
                     requestBody: ["type": "object", "additionalProperties": false, "required": ["clave"], "properties": [
                        "clave": ["type": "string", "minLength": 1, "maxLength": 60], "nombre": ["type": "string", "minLength": 1, "maxLength": 300],
                        "nivelDeGobierno": ["type": "string", "enum": .array(GovernmentLevel.allCases.map { .string($0.rawValue) })],
                        "entidad": ["type": "string", "pattern": "^[0-9]{2}$"], "municipio": ["type": "string", "pattern": "^[0-9]{5}$"]]],
                     successes: [.init(201, "Registrada.", schema: ResponseSchemas.ref("Institucion"))], errors: [400, 401, 403, 413, 422, 429, 503],
                     services: services) { _, context, body in
                let identity = try context.requireIdentity()
                var fields = Fields(body)
                let clave = fields.text("clave", maxLength: 60), name = fields.text("nombre", required: false, maxLength: 300)
                let level = fields.text("nivelDeGobierno", required: false, maxLength: 20)
                let entidad = fields.text("entidad", required: false, maxLength: 2), municipio = fields.text("municipio", required: false, maxLength: 5)
                let parsedLevel = level.flatMap(GovernmentLevel.init)
                if level != nil && parsedLevel == nil { fields.problem("datos.nivelDeGobierno", "valor-no-permitido", "nivelDeGobierno: federal, estatal, municipal o no-gubernamental") }
                try fields.finish()
                let record = try await accountCall { () async throws(AccountError) in
                    try await accounts.registerInstitution(InstitutionRegistration(clave: clave!, name: name, level: parsedLevel, entidad: entidad, municipio: municipio),
                                                           by: .user(identity))
                }
                return (.created, ["clave": .string(record.clave), "nombre": .string(record.name)])
            },
            Endpoint(.get, "/v1/admin/usuarios", operationId: "listar-usuarios", tag: "administracion",
                     summary: "Cuentas (sin datos personales), de una institución o de todas.", access: .authenticated,
                     parameters: [.init("institucion", in: .query, description: "Solo de esta institución.")],
                     successes: [.init(200, "Las cuentas.", schema: ResponseSchemas.ref("ListaDeCuentas"))], errors: [400, 401, 403, 429, 503]) { request, context in
                let identity = try context.requireIdentity()
                let query = Query(request)
                let institution = query.text("institucion", maxLength: 60)
                try query.finish()
                let scope = try services.requireScope(identity, .leerCuentas)
                let list = try await accounts.directory.accounts(institution: institution).filter { account in
                    switch scope {
                    case .nacional: true
                    case .entidad, .institucion: account.institution == identity.institution
                    case .propios: account.userId == identity.userId
                    }
                }
                return SystemEndpoints.json(["usuarios": .array(list.map(json))])
            },
            .writeOnce(.post, "/v1/admin/usuarios", operationId: "registrar-usuario", tag: "administracion",
                     summary: "Registra una cuenta en una institución con sus roles (nombre, usuario y correo se cifran).",
                     requestBody: ["type": "object", "additionalProperties": false, "required": ["usuario", "nombre", "institucion", "roles"], "properties": [
                        "usuario": ["type": "string", "minLength": 1, "maxLength": 200], "nombre": ["type": "string", "minLength": 1, "maxLength": 300],
                        "correo": ["type": "string", "minLength": 3, "maxLength": 300], "institucion": ["type": "string", "minLength": 1, "maxLength": 60],
                        "roles": roles, "contrasena": ["type": "string", "minLength": 1, "maxLength": 256]]],
                     successes: [.init(201, "Registrada.", schema: accountSchema)], errors: [400, 401, 403, 413, 422, 429, 503],
                     services: services) { _, context, body in
                let identity = try context.requireIdentity()
                var fields = Fields(body)
                let login = fields.text("usuario", maxLength: 200), name = fields.text("nombre", maxLength: 300)
                let email = fields.text("correo", required: false, maxLength: 300), institution = fields.text("institucion", maxLength: 60)
                let roleNames = fields.texts("roles", maxItems: 6), password = fields.text("contrasena", required: false, maxLength: 256)
                let parsed = parseRoles(roleNames, &fields)
                try fields.finish()
                let account = try await accountCall { () async throws(AccountError) in
                    try await accounts.registerUser(UserRegistration(login: login!, name: name!, email: email, institution: institution!, roles: parsed, password: password),
                                                    by: .user(identity))
                }
                return (.created, json(account))
            },
            .writeOnce(.put, "/v1/admin/usuarios/{usuario}/roles", operationId: "cambiar-roles", tag: "administracion",
                     summary: "Reemplaza los roles de una cuenta (efecto inmediato).", parameters: [userParameter],
                     requestBody: ["type": "object", "additionalProperties": false, "required": ["roles"],
                                   "properties": ["roles": roles, "motivo": ["type": "string", "minLength": 1, "maxLength": 500]]],
                     successes: [.init(200, "La cuenta.", schema: accountSchema)], errors: [400, 401, 403, 404, 413, 422, 429, 503],
                     services: services) { _, context, body in
                let identity = try context.requireIdentity()
                let user = context.parameters.get("usuario") ?? ""
                var fields = Fields(body)
                let roleNames = fields.texts("roles", maxItems: 6), reason = fields.text("motivo", required: false)
                let parsed = parseRoles(roleNames, &fields)
                try fields.finish()
                let account = try await accountCall { () async throws(AccountError) in
                    try await accounts.changeRoles(of: user, to: parsed, reason: reason, by: .user(identity))
                }
                return (.ok, json(account))
            },
            .writeOnce(.post, "/v1/admin/usuarios/{usuario}/suspension", operationId: "suspender-usuario", tag: "administracion",
                     summary: "Suspende una cuenta y cierra sus sesiones.", parameters: [userParameter],
                     requestBody: ["type": "object", "additionalProperties": false, "required": ["motivo"],
                                   "properties": ["motivo": ["type": "string", "minLength": 1, "maxLength": 500]]],
                     successes: [.init(200, "La cuenta.", schema: accountSchema)], errors: [400, 401, 403, 404, 413, 422, 429, 503],
                     services: services) { _, context, body in
                let identity = try context.requireIdentity()
                let user = context.parameters.get("usuario") ?? ""
                var fields = Fields(body)
                let reason = fields.text("motivo")
                try fields.finish()
                let account = try await accountCall { () async throws(AccountError) in try await accounts.suspend(user, reason: reason!, by: .user(identity)) }
                return (.ok, json(account))
            },
            .writeOnce(.delete, "/v1/admin/usuarios/{usuario}/suspension", operationId: "reactivar-usuario", tag: "administracion",
                     summary: "Reactiva una cuenta suspendida.", parameters: [userParameter],
                     successes: [.init(200, "La cuenta.", schema: accountSchema)], errors: [401, 403, 404, 422, 429, 503],
                     services: services) { _, context, _ in
                let identity = try context.requireIdentity()
                let user = context.parameters.get("usuario") ?? ""
                let account = try await accountCall { () async throws(AccountError) in try await accounts.reactivate(user, by: .user(identity)) }
                return (.ok, json(account))
            },
            .writeOnce(.put, "/v1/admin/usuarios/{usuario}/contrasena", operationId: "asignar-contrasena", tag: "administracion",
                     summary: "Asigna una contraseña a una cuenta (cierra sus sesiones).", parameters: [userParameter],
                     requestBody: ["type": "object", "additionalProperties": false, "required": ["contrasena"],
                                   "properties": ["contrasena": ["type": "string", "minLength": 1, "maxLength": 256]]],
                     successes: [.init(204, "Asignada.")], errors: [400, 401, 403, 404, 413, 422, 429, 503],
                     services: services) { _, context, body in
                let identity = try context.requireIdentity()
                let user = context.parameters.get("usuario") ?? ""
                var fields = Fields(body)
                let password = fields.text("contrasena", maxLength: 256)
                try fields.finish()
                try await accountCall { () async throws(AccountError) in try await accounts.setPassword(of: user, to: password!, by: .user(identity)) }
                return (.noContent, nil)
            },
            Endpoint(.get, "/v1/admin/permisos", operationId: "tabla-de-permisos", tag: "administracion",
                     summary: "La tabla de permisos completa: rol × acción → alcance, y si requiere motivo.", access: .authenticated,
                     successes: [.init(200, "La tabla.", schema: ResponseSchemas.ref("TablaDePermisos"))], errors: [401, 403, 429, 503]) { _, context in
                _ = try services.requireScope(try context.requireIdentity(), .leerCuentas)
                return SystemEndpoints.json(["permisos": .array(accounts.authorizer.permissions.map { permission in
                    ["rol": .string(permission.role.rawValue), "accion": .string(permission.action.rawValue), "alcance": .string(permission.scope.rawValue),
                     "requiereMotivo": .bool(permission.requiresReason), "explicacion": .string(permission.explanation)]
                })])
            },
        ]
    }

    static func parseRoles(_ names: [String]?, _ fields: inout Fields) -> [Role] {
        let parsed = (names ?? []).compactMap(Role.init)
        if let names, parsed.count != names.count {
            fields.problem("datos.roles", "rol-desconocido", "roles: use \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return parsed
    }

    static func json(_ account: UserAccount) -> JSONValue {
        ["usuario": .string(account.userId), "institucion": .string(account.institution), "roles": .array(account.roles.map { .string($0.rawValue) }),
         "activa": .bool(account.active), "registrada": .string(account.registeredOn), "version": .number(Double(account.version))]
    }
}
