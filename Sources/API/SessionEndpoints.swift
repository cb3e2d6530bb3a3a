import Accounts
import CanonicalJSON
import Foundation
import Hummingbird

/// Login, refresh, logout and one's own password. Tokens are opaque and shown only here; the
/// server keeps their SHA-256 (accounts module).
enum SessionEndpoints {
    static let tokenSchema: JSONValue = [
        "type": "object", "required": ["usuario", "tokenDeAcceso", "accesoExpiraEn", "tokenDeRenovacion", "renovacionExpiraEn"],
        "properties": ["usuario": ["type": "string"], "tokenDeAcceso": ["type": "string"], "accesoExpiraEn": ["type": "string"],
                       "tokenDeRenovacion": ["type": "string"], "renovacionExpiraEn": ["type": "string"]],
    ]

    static func all(_ services: APIServices) -> [Endpoint] {
        let policy = services.accounts.policy
        return [
            Endpoint(.post, "/v1/sesiones", operationId: "iniciar-sesion", tag: "sesiones",
                     summary: "Inicia sesión con usuario y contraseña; devuelve un token de acceso (15 min) y uno de renovación.", access: .open,
                     requestBody: ["type": "object", "additionalProperties": false, "required": ["usuario", "contrasena"],
                                   "properties": ["usuario": ["type": "string", "minLength": 1, "maxLength": 200],
                                                  "contrasena": ["type": "string", "minLength": 1, "maxLength": 256]]],
                     successes: [.init(201, "Sesión iniciada.", schema: tokenSchema)], errors: [400, 401, 413, 422, 429, 503]) { request, _ in
                var fields = Fields(try await Body.json(request))
                let login = fields.text("usuario", maxLength: 200), password = fields.text("contrasena", maxLength: 256)
                try fields.finish()
                return tokens(try await accountCall { () async throws(AccountError) in try await services.accounts.login(login: login!, password: password!) }, status: .created)
            },
            Endpoint(.post, "/v1/sesiones/renovacion", operationId: "renovar-sesion", tag: "sesiones",
                     summary: "Cambia un token de renovación (de un solo uso) por un par nuevo, dentro de la misma sesión.", access: .open,
                     requestBody: ["type": "object", "additionalProperties": false, "required": ["tokenDeRenovacion"],
                                   "properties": ["tokenDeRenovacion": ["type": "string", "minLength": 1, "maxLength": 200]]],
                     successes: [.init(200, "Par nuevo.", schema: tokenSchema)], errors: [400, 401, 413, 422, 429, 503]) { request, _ in
                var fields = Fields(try await Body.json(request))
                let token = fields.text("tokenDeRenovacion", maxLength: 200)
                try fields.finish()
                return tokens(try await accountCall { () async throws(AccountError) in try await services.accounts.refresh(token!) }, status: .ok)
            },
            Endpoint(.delete, "/v1/sesiones/actual", operationId: "cerrar-sesion", tag: "sesiones",
                     summary: "Cierra la sesión del token presentado (acceso y renovación).", access: .authenticated,
                     successes: [.init(204, "Sesión cerrada.")], errors: [401, 429, 503]) { request, _ in
                let token = String((request.headers[.authorization] ?? "").dropFirst(7))
                try await accountCall { () async throws(AccountError) in try await services.accounts.revoke(token) }
                return Response(status: .noContent)
            },
            .writeOnce(.put, "/v1/sesiones/actual/contrasena", operationId: "cambiar-mi-contrasena", tag: "sesiones",
                     summary: "Cambia la contraseña propia (cierra las demás sesiones).",
                     requestBody: ["type": "object", "additionalProperties": false, "required": ["actual", "nueva"],
                                   "properties": ["actual": ["type": "string", "minLength": 1, "maxLength": .number(Double(policy.maximumPasswordLength))],
                                                  "nueva": ["type": "string", "minLength": .number(Double(policy.minimumPasswordLength)),
                                                            "maxLength": .number(Double(policy.maximumPasswordLength)),
                                                            "description": .string("Al menos \(policy.minimumPasswordLength) caracteres; una frase larga es más segura y fácil de recordar.")]]],
                     successes: [.init(204, "Contraseña cambiada.")], errors: [400, 401, 403, 413, 422, 429, 503],
                     services: services) { _, context, body in
                let identity = try context.requireIdentity()
                var fields = Fields(body)
                let current = fields.text("actual", maxLength: 256), new = fields.text("nueva", maxLength: 256)
                try fields.finish()
                // The problems name the fields this body has (datos.actual, datos.nueva), not the service's own names.
                try await accountCall { () async throws(AccountError) in
                    try await services.accounts.changeOwnPassword(identity, current: current!, new: new!, currentField: "datos.actual", newField: "datos.nueva")
                }
                return (.noContent, nil)
            },
        ]
    }

    static func tokens(_ pair: TokenPair, status: HTTPResponse.Status) -> Response {
        let iso = ISO8601DateFormatter()
        var response = SystemEndpoints.json([
            "usuario": .string(pair.userId), "tokenDeAcceso": .string(pair.accessToken), "accesoExpiraEn": .string(iso.string(from: pair.accessTokenExpiresAt)),
            "tokenDeRenovacion": .string(pair.refreshToken), "renovacionExpiraEn": .string(iso.string(from: pair.refreshTokenExpiresAt)),
        ], status: status)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
