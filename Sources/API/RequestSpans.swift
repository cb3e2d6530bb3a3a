import HTTPTypes
import Hummingbird
import Tracing

/// One tracing span per request (docs/observability.md), named by the route's template
/// («POST /v1/comandos/{comando}»), never by its path: a path holds ids and a query may hold a stated
/// purpose. Its attributes are the method, the route, the status, the request id (the `X-Request-Id`
/// answer header, so a trace and its log line find each other) and the acting account's id — never a
/// body, a token or a personal field. A `traceparent` header from the caller continues its trace.
///
/// Off by default: without `SINTRA_TRAZAS_OTLP`, swift-distributed-tracing's no-op tracer makes
/// each span an empty value.
struct RequestSpanMiddleware: RouterMiddleware {
    typealias Context = APIContext

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        var caller = ServiceContext.current ?? .topLevel
        InstrumentationSystem.instrument.extract(request.headers, into: &caller, using: HTTPFieldsExtractor())
        let method = request.method.rawValue
        return try await withSpan("\(method) (sin ruta)", context: caller, ofKind: .server) { span in
            span.attributes["http.request.method"] = method
            if let id = context.requestId { span.attributes["sintra.solicitud"] = id }
            let response = try await next(request, context)
            if let route = context.endpointPath {
                span.operationName = "\(method) \(route)"
                span.attributes["http.route"] = route
            }
            span.attributes["http.response.status_code"] = Int(response.status.code)
            if let account = context.record.account { span.attributes["sintra.cuenta"] = account }
            // A client's mistake is not the server's failure (OpenTelemetry's HTTP conventions).
            if response.status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
            return response
        }
    }
}

/// Reads W3C trace-context headers (`traceparent`, `tracestate`) from a request.
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from carrier: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { carrier[$0] }
    }
}
