import Foundation
import Hummingbird
import Postgres
import Prometheus

/// Every metric `/metrics` serves, named and explained in one place, so that the exposition passes
/// `promtool check metrics`: counters end in `_total`, durations are `_seconds` histograms, every
/// family has its HELP text. Written straight into the Prometheus registry rather than through
/// swift-metrics, whose factory registers metrics without HELP (and a family cannot be registered
/// twice with different help texts).
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// Failed logins already added to the counter (`AccountService.failedLogins` counts since start).
    private let exportedFailedLogins = Locked(0)
    /// Set by `ProjectorService`: this instance holds the projectors' lock.
    let leader = Locked(false)

    static let durationBuckets: [Duration] = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                              .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10)]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// One answered request; `route` is the route's template (`/v1/expedientes/{id}`), never the
    /// path itself, which could carry an identifier.
    func request(method: String, route: String, status: Int, duration: Duration) {
        let labels = [("metodo", method), ("ruta", route)]
        registry.makeCounter(name: "sintra_solicitudes_total", labels: labels + [("estado", String(status))],
                             help: "Solicitudes HTTP atendidas, por método, ruta y estado.").increment()
        registry.makeDurationHistogram(name: "sintra_solicitud_duracion_seconds", labels: labels, buckets: Self.durationBuckets,
                                       help: "Tiempo de respuesta de las solicitudes HTTP, en segundos.").record(duration)
        if status >= 500 {
            registry.makeCounter(name: "sintra_solicitudes_errores_total", labels: labels + [("estado", String(status))],
                                 help: "Solicitudes HTTP que terminaron en error del servidor (5xx).").increment()
        }
    }

    /// One command appended to the log (not a replayed one), and how long the append took.
    func appended(module: String, duration: Duration) {
        registry.makeCounter(name: "sintra_eventos_anexados_total", labels: [("modulo", module)],
                             help: "Eventos anexados al registro por comandos de la API, por módulo.").increment()
        registry.makeDurationHistogram(name: "sintra_anexado_duracion_seconds", labels: [("modulo", module)], buckets: Self.durationBuckets,
                                       help: "Tiempo de un comando de la API: validación, decisión y anexado al registro, en segundos.").record(duration)
    }

    /// The values read at scrape time: the log's head, each projection's lag, the pools, the logins refused.
    func refresh(_ services: APIServices) async throws {
        let head = try await services.store.headPosition()
        registry.makeGauge(name: "sintra_registro_posicion", help: "Posición de la cabeza del registro de eventos.").set(Double(head))
        for status in try await services.projector?.status() ?? [] {
            registry.makeGauge(name: "sintra_proyeccion_retraso_eventos", labels: [("proyeccion", status.name)],
                               help: "Eventos del registro que la proyección aún no aplica.").set(Double(status.lag))
            registry.makeGauge(name: "sintra_proyeccion_detenida", labels: [("proyeccion", status.name)],
                               help: "1 si la proyección está detenida por un evento que no pudo aplicar.").set(Double(status.lastError == nil ? 0 : 1))
        }
        pool("api", services.store.pool)
        if let projector = services.projector { pool("proyecciones", projector.pool) }
        registry.makeGauge(name: "sintra_proyector_lider", help: "1 si esta instancia mantiene las proyecciones (tiene el candado de líder).")
            .set(Double(leader.withLock { $0 } ? 1 : 0))
        let failed = services.accounts.failedLogins.withLock { $0 }
        let delta = exportedFailedLogins.withLock { exported in
            defer { exported = max(exported, failed) }
            return max(0, failed - exported)
        }
        registry.makeCounter(name: "sintra_inicios_de_sesion_fallidos_total",
                             help: "Inicios de sesión rechazados (contraseña equivocada, cuenta bloqueada o suspendida), API y web.")
            .increment(by: Int64(delta))
    }

    /// Saturation of a connection pool: in use against its maximum, and requests waiting for one.
    private func pool(_ name: String, _ pool: ConnectionPool) {
        let statistics = pool.statistics
        let labels = [("pool", name)]
        registry.makeGauge(name: "sintra_conexiones_en_uso", labels: labels, help: "Conexiones a PostgreSQL prestadas ahora.")
            .set(Double(statistics.total - statistics.idle))
        registry.makeGauge(name: "sintra_conexiones_maximo", labels: labels, help: "Conexiones a PostgreSQL que el pool puede abrir.")
            .set(Double(pool.maxConnections))
        registry.makeGauge(name: "sintra_conexiones_esperando", labels: labels, help: "Solicitudes esperando una conexión libre del pool.")
            .set(Double(statistics.waiting))
        registry.makeGauge(name: "sintra_conexiones_saturacion_ratio", labels: labels, help: "Conexiones en uso divididas entre el máximo (1 = saturado).")
            .set(Double(statistics.total - statistics.idle) / Double(max(1, pool.maxConnections)))
    }
}

/// Counts and times every answer (inside `ProblemMiddleware`'s reach: errors arrive as their
/// problem answers). The route's template is known only after routing, so it is read afterwards.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        metrics.request(method: request.method.rawValue, route: context.endpointPath ?? "desconocida",
                        status: Int(response.status.code), duration: ContinuousClock.now - started)
        return response
    }
}
