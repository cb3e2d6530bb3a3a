import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Postgres

/// What the request log learns while the request runs. The log middleware is outermost (it must
/// time and report every answer, errors included), so it runs before authentication: a context is
/// a value copied inward, and the account found by `AuthenticationMiddleware` (or the web session)
/// would never reach it. This box is shared by every copy of one request's context.
public final class RequestRecord: Sendable {
    private let state = Locked<String?>(nil)

    public init() {}

    /// The acting account's id (`usuario-…`), never a name or a token.
    public var account: String? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}

/// One line per request: method, path without its query (a query may carry a stated purpose),
/// status, milliseconds, the request id and the account id — never a body, a token or a personal
/// field. The request id is also the answer's `X-Request-Id` header and is in every line logged
/// while the request runs, so a complaint that quotes it finds its lines.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = APIContext
    static let header = HTTPField.Name("X-Request-Id")!

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        var context = context
        let id = Self.requestId(request, context)
        context.requestId = id
        context.logger[metadataKey: "solicitud"] = .string(id)
        let started = ContinuousClock.now
        var response = try await next(request, context)
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        response.headers[Self.header] = id
        context.logger.info("solicitud", metadata: [
            "metodo": "\(request.method.rawValue)", "ruta": "\(request.uri.path)", "estado": "\(response.status.code)",
            "ms": "\(String(format: "%.1f", milliseconds))", "usuario": "\(context.record.account ?? "-")",
        ])
        return response
    }

    /// The trusted proxy's id (nginx's `$request_id`), so that its access log and ours share one id;
    /// otherwise this server's own. Only letters, digits and dashes are taken: a header is the
    /// client's text and must not be able to forge a log line.
    static func requestId(_ request: Request, _ context: APIContext) -> String {
        if context.peerIsTrustedProxy, let given = request.headers[header], (8...64).contains(given.utf8.count),
           given.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 }) {
            return given
        }
        return context.id
    }
}
