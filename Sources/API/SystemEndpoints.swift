import CanonicalJSON
import Hummingbird
import NIOCore
import Postgres
import Projections
import Prometheus

/// Health, readiness and the contract: open to anyone, no data.
enum SystemEndpoints {
    static var lagDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "sintra", metricName: "proyeccion_retraso", unitName: "eventos",
                             helpText: "Eventos del registro que la proyección aún no aplica.")
    }
    static var headDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "sintra", metricName: "registro", unitName: "posicion", helpText: "Posición de la cabeza del registro.")
    }

    static func all(_ services: APIServices, metrics: PrometheusCollectorRegistry?, contract: @escaping @Sendable () -> String) -> [Endpoint] {
        [
            Endpoint(.get, "/metrics", operationId: "metricas", tag: "sistema",
                     summary: "Métricas Prometheus: solicitudes, latencias, eventos anexados, retraso de cada proyección.", access: .open,
                     successes: [.init(200, "Formato de texto de Prometheus.", mediaType: "text/plain", schema: ["type": "string"])], errors: [503]) { _, _ in
                let registry = metrics ?? PrometheusCollectorRegistry()
                for status in try await services.projector?.status() ?? [] {
                    registry.makeGauge(descriptor: lagDescriptor, labels: [("proyeccion", status.name)]).set(Double(status.lag))
                }
                let head = try await services.store.headPosition()
                registry.makeGauge(descriptor: headDescriptor).set(Double(head))
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: registry.emitToString())))
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
