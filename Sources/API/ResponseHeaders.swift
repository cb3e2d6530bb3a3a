import CanonicalJSON
import EventLog

/// The headers every answer of an operation carries, declared once for the contract: the middlewares
/// that send them (`EnvironmentMiddleware`, `RateLimitMiddleware`, the `Vary` of `APIServer`, the
/// problems' `Retry-After` and `WWW-Authenticate`) apply to every route, so the contract says so for
/// every response — each a `$ref` into `components/headers`, defined once. `ResponseSchemaTests`
/// checks each required one is really sent.
enum ResponseHeaders {
    static func common(_ endpoint: Endpoint, status: Int) -> [String: JSONValue] {
        var names = ["SINTRA-Ambiente"]
        // /health answers load balancers as often as they ask: never limited (RateLimitMiddleware).
        if endpoint.path != "/health" { names += ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"] }
        if endpoint.access == .authenticated, status < 400 { names.append("Vary") }
        switch status {
        case 401: names.append("WWW-Authenticate")
        case 429, 503: names.append("Retry-After")
        case 409: names += ["Retry-After-Opcional", "ETag-De-Conflicto"]
        case 412: names.append("ETag-De-Conflicto")
        default: break
        }
        return Dictionary(names.map { name in (headerName[name] ?? name, ["$ref": .string("#/components/headers/\(name)")]) },
                          uniquingKeysWith: { first, _ in first })
    }

    /// Components whose name is not the header's own (two declarations of one header).
    static let headerName = ["Retry-After-Opcional": "Retry-After", "ETag-De-Conflicto": "ETag"]

    static let integer: JSONValue = ["type": "integer", "minimum": 0]

    static func header(_ description: String, required: Bool = false, schema: JSONValue = ["type": "string"]) -> JSONValue {
        ["description": .string(description), "required": .bool(required), "schema": schema]
    }

    /// `components/headers` of the contract.
    static let components: [JSONMember] = [
        .init(key: "ETag-De-Conflicto", value: header("La versión vigente del flujo, para If-Match.")),
        .init(key: "RateLimit-Limit", value: header("Solicitudes permitidas de golpe (borrador IETF RateLimit).", required: true, schema: integer)),
        .init(key: "RateLimit-Remaining", value: header("Solicitudes que quedan antes de recibir 429.", required: true, schema: integer)),
        .init(key: "RateLimit-Reset", value: header("Segundos hasta que el límite se recupera por completo.", required: true, schema: integer)),
        .init(key: "Retry-After", value: header("Segundos que conviene esperar antes de reintentar.", required: true, schema: integer)),
        .init(key: "Retry-After-Opcional", value: header("Con «Solicitud en curso»: segundos antes de reintentar.", schema: integer)),
        .init(key: "SINTRA-Ambiente", value: header("El ambiente que respondió: produccion o capacitacion (SINTRA Capacitación).", required: true,
                                                    schema: ["type": "string", "enum": .array(DeploymentEnvironment.allCases.map { .string($0.rawValue) })])),
        .init(key: "Vary", value: header("Authorization (la respuesta depende de quién la pide: una caché no la comparte entre cuentas), y Accept-Encoding en las de texto.",
                                         required: true)),
        .init(key: "WWW-Authenticate", value: header("Bearer realm=\"sintra\".", required: true)),
    ]
}
