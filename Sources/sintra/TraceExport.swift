import Logging
import OTel
import ServiceLifecycle
import Tracing

/// OpenTelemetry tracing for `sintra serve`, off unless `SINTRA_TRAZAS_OTLP` names a collector
/// (docs/observability.md). Then every request and every command is a span, batched and sent by
/// OTLP/HTTP to that URL as given (e.g. `http://127.0.0.1:4318/v1/traces`). The standard `OTEL_*`
/// variables refine it (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`, `OTEL_BSP_SCHEDULE_DELAY`, a
/// sampler); only traces are exported: logs and metrics have their own paths (JSON on stderr,
/// `/metrics`).
enum TraceExport {
    /// Installs the tracer and returns the service that batches and exports spans (it flushes what
    /// is pending when the server stops); nil when tracing is off.
    static func start(collector: String?, logger: Logger) throws -> (any Service)? {
        guard let collector, !collector.isEmpty else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "sintra"
        configuration.diagnosticLogger = .custom(logger)
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.endpoint = collector
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        return backend.service
    }
}
