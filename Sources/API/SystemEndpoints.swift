import CanonicalJSON
import Hummingbird
import NIOCore
import Postgres
import Projections
import Cryptography

/// Health, readiness and the contract: open to anyone, no data.
enum SystemEndpoints {
    static func all(_ services: APIServices, metricsToken: String?, contract: @escaping @Sendable () -> String) -> [Endpoint] {
        [
            Endpoint(.get, "/metrics", operationId: "metricas", tag: "sistema",
                     summary: "Métricas Prometheus (solicitudes, latencias, anexados, retraso de cada proyección, pools, inicios de sesión fallidos); solo con el token de métricas (SINTRA_METRICAS_TOKEN) como Bearer.",
                     access: .open,
                     successes: [.init(200, "Formato de texto de Prometheus.", mediaType: "text/plain", schema: ["type": "string"])], errors: [401, 404, 503]) { request, _ in
                guard let metricsToken else { throw APIProblem.notFound("Las métricas no están habilitadas en esta instancia (SINTRA_METRICAS_TOKEN).") }
                let presented = (request.headers[.authorization] ?? "").split(separator: " ", maxSplits: 1)
                guard presented.count == 2, presented[0].lowercased() == "bearer",
                      HMACSHA256.constantTimeEquals(Array(presented[1].utf8), Array(metricsToken.utf8)) else { throw APIProblem.unauthenticated }
                try await services.metrics.refresh(services)
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                                body: .init(byteBuffer: ByteBuffer(string: services.metrics.registry.emitToString())))
            },
            Endpoint(.get, "/health", operationId: "salud", tag: "sistema", summary: "El proceso responde (no consulta la base).", access: .open,
                     successes: [.init(200, "Vivo.", schema: ResponseSchemas.ref("Estado"))], errors: []) { _, _ in
                json(["estado": "vivo"])
            },
            Endpoint(.get, "/ready", operationId: "listo", tag: "sistema",
                     summary: "Listo para atender: la base responde y las proyecciones están al día.", access: .open,
                     successes: [.init(200, "Listo.", schema: ResponseSchemas.ref("Estado"))], errors: [503]) { _, _ in
                try await readiness(services)
            },
            Endpoint(.get, "/openapi.json", operationId: "contrato", tag: "sistema", summary: "Este contrato OpenAPI 3.1.", access: .open,
                     successes: [.init(200, "El documento.", schema: ["type": "object"])], errors: []) { _, _ in
                Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: contract())))
            },
        ]
    }

    static func readiness(_ services: APIServices) async throws -> Response {
        do {
            _ = try await services.handler.store.pool.query("SELECT 1")
        } catch {
            throw APIProblem.unavailable("La base de datos no responde.")
        }
        guard let projector = services.projector else { return json(["estado": "listo"]) }
        let behind = try await projector.status().filter { $0.lag > 0 || $0.lastError != nil }
        guard behind.isEmpty else {
            throw APIProblem.unavailable("Proyecciones atrasadas: " + behind.map { "\($0.name) (\($0.lag) eventos)" }.joined(separator: ", "), retryAfterSeconds: 1)
        }
        return json(["estado": "listo"])
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: CanonicalJSON.serialize(value))))
    }
}
