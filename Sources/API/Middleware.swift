import Accounts
import Commands
import Cryptography
import EventLog
import Hummingbird
import Logging
import Postgres

/// Turns every error into problem+json: the route's own `APIProblem`s as they are, Hummingbird's
/// (no such route, body too large…) in Spanish, a database that does not answer as 503 with
/// `Retry-After`, and only a genuine bug as 500 — logged by type, never with the request's data.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = APIContext
    /// The documented paths and their methods: a known path asked with another method is 405, not 404.
    let index: EndpointIndex

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as APIProblem {
            return try problem.response(from: request, context: context)
        } catch let error as CommandError {
            // A command recorded on the way (a publication, a load) answers as the command endpoints do.
            return try APIProblem(error).response(from: request, context: context)
        } catch let error as HTTPError where error.status == .notFound && !index.allowed(request.uri.path).isEmpty {
            let allowed = index.allowed(request.uri.path).joined(separator: ", ")
            if request.method == .options { return Response(status: .noContent, headers: [.allow: allowed]) }
            var problem = APIProblem(.methodNotAllowed, title: "Método no permitido",
                                     detail: "\(request.uri.path) no acepta \(request.method.rawValue); acepta \(allowed).")
            problem.headers[.allow] = allowed
            return try problem.response(from: request, context: context)
        } catch let error as HTTPError {
            return try Self.problem(error).response(from: request, context: context)
        } catch let error as PostgresError where error.isUnavailable {
            context.logger.warning("base de datos no disponible", metadata: ["tipo": "\(error.kind)"])
            return try APIProblem.unavailable("La base de datos no responde; reintente en unos segundos.").response(from: request, context: context)
        } catch let error as PostgresError where error.sqlState == "42P01" {
            // A projection's tables do not exist yet: the projector is still building it.
            return try APIProblem.unavailable("Las proyecciones aún se están construyendo; reintente en unos segundos.").response(from: request, context: context)
        } catch let error as PostgresError where error.sqlState == "57014" {
            // statement_timeout (set by `sintra serve`): the request took too long.
            context.logger.warning("consulta cancelada por tiempo", metadata: ["ruta": "\(request.uri.path)"])
            return try APIProblem.unavailable("La solicitud tardó demasiado; reintente.").response(from: request, context: context)
        } catch {
            // The type and SQLSTATE only: a message could quote the data that caused it.
            context.logger.error("error interno", metadata: ["tipo": "\(type(of: error))", "ruta": "\(request.uri.path)",
                                                             "sqlstate": "\((error as? PostgresError)?.sqlState ?? "-")"])
            return try APIProblem(.internalServerError, title: "Error interno", detail: "Ocurrió un error inesperado; quedó registrado para revisión.")
                .response(from: request, context: context)
        }
    }

    static func problem(_ error: HTTPError) -> APIProblem {
        switch error.status {
        case .notFound: return .notFound("La ruta no existe; consulte /openapi.json.")
        case .methodNotAllowed: return APIProblem(.methodNotAllowed, title: "Método no permitido", detail: "La ruta no acepta este método; consulte /openapi.json.")
        case .contentTooLarge: return APIProblem(.contentTooLarge, title: "Cuerpo demasiado grande", detail: "El cuerpo excede el límite.")
        case .unauthorized: return .unauthenticated
        default:
            return APIProblem(error.status, title: error.status.reasonPhrase, detail: error.status.code < 500 ? "Solicitud no válida." : "Error del servidor.")
        }
    }
}

/// Reads `Authorization: Bearer …`. No header: an anonymous caller (open routes still answer, the
/// rest say 401). A token that is unknown, expired or revoked: 401 at once, whatever the route.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let accounts: AccountService

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        guard let header = Self.authorization(request) else { return try await next(request, context) }
        guard let token = Self.bearerToken(header) else { throw APIProblem.unauthenticated }
        let identity: Identity?
        if let rows = context.prefetched?.tokenRows {
            // Looked up already, in the same round trip as the address's rate limit.
            identity = try await accountCall { () async throws(AccountError) in try await accounts.identity(foundBy: rows) }
        } else {
            identity = try await accountCall { () async throws(AccountError) in try await accounts.authenticate(bearer: token) }
        }
        guard let identity else { throw APIProblem.unauthenticated }
        var context = context
        context.identity = identity
        context.record.account = identity.userId
        return try await next(request, context)
    }

    /// The `Authorization` header an account's token may be in; /metrics has its own token
    /// (`SystemEndpoints`), which is no account's.
    static func authorization(_ request: Request) -> String? {
        request.uri.path == "/metrics" ? nil : request.headers[.authorization]
    }

    /// The token of `Bearer …`; nil for any other scheme (401).
    static func bearerToken(_ header: String) -> String? {
        header.lowercased().hasPrefix("bearer ") ? String(header.dropFirst(7)) : nil
    }
}

/// 429 with `Retry-After` past the per-address limit. Runs *before* `AuthenticationMiddleware`:
/// a bearer token is checked with a query, so a flood of made-up tokens must meet the limit first.
///
/// A request with a bearer token sends the token's lookup in the same round trip as the bucket
/// (`APIContext.prefetched`), and, when the token was seen before, its account's bucket too: a flood
/// of made-up tokens still meets the limit before any lookup is used, and a known caller waits for
/// the database once instead of three times. (The account's bucket is then spent even when the
/// address's refuses, or the token has since been revoked: only by the holder of its token.)
struct AddressRateLimitMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let perAddress: RateLimiter
    let perAccount: RateLimiter
    let accounts: AccountService
    let tokenAccounts: TokenAccounts

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        // Liveness probes are never limited: a load balancer must not take a busy server for a dead one.
        if request.uri.path == "/health" { return try await next(request, context) }
        // Outside ProblemMiddleware: what comes back is always a response, errors included, so every
        // answer but /health's says what is left of a limit — the account's (AccountRateLimitMiddleware,
        // inside, for a known caller) or else this address's.
        let wait: Int?, state: RateLimiter.State
        var context = context
        let key = "ip:" + (context.remoteAddress ?? "local")
        do {
            if let header = AuthenticationMiddleware.authorization(request), let token = AuthenticationMiddleware.bearerToken(header),
               let lookup = accounts.tokenLookup(bearer: token) {
                let tokenKey = SHA256.hash(Array(token.utf8))
                let account = tokenAccounts.cache[tokenKey]
                let others: [PostgresRows]
                (wait, state, others) = try await perAddress.check(key, alongside: [lookup] + (account.map { [perAccount.bucketUpdate("cuenta:" + $0)] } ?? []))
                context.prefetched = PrefetchedAuthentication(tokenKey: tokenKey, tokenRows: others[0],
                                                              accountBucket: account.map { (userId: $0, rows: others[1]) })
            } else {
                (wait, state) = try await perAddress.check(key)
            }
        } catch {
            context.logger.warning("límite por dirección no disponible", metadata: ["tipo": "\(type(of: error))"])
            return try APIProblem.unavailable("No se pudo comprobar el límite de solicitudes; reintente.").response(from: request, context: context)
        }
        if let wait { return try tooManyRequests(wait, "esta dirección", state).response(from: request, context: context) }
        var response = try await next(request, context)
        if response.headers[RateLimiter.limitHeader] == nil { state.apply(to: &response.headers) }
        return response
    }
}

/// 429 with `Retry-After` past the per-account limit, once the caller is known (after `AuthenticationMiddleware`).
struct AccountRateLimitMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let perAccount: RateLimiter
    let tokenAccounts: TokenAccounts

    /// Every answer to a known account says how much of its limit is left (`RateLimit-*`).
    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        guard let identity = context.identity else { return try await next(request, context) }
        let wait: Int?, state: RateLimiter.State
        if let bucket = context.prefetched?.accountBucket, bucket.userId == identity.userId {
            (wait, state) = try perAccount.decision(bucket.rows)
        } else {
            (wait, state) = try await perAccount.check("cuenta:" + identity.userId)
        }
        // The token's account, so that its next request spends the account's bucket in its first round trip.
        if let prefetched = context.prefetched, prefetched.accountBucket == nil { tokenAccounts.cache.set(prefetched.tokenKey, identity.userId) }
        if let wait { throw tooManyRequests(wait, "esta cuenta", state) }
        do {
            var response = try await next(request, context)
            state.apply(to: &response.headers)
            return response
        } catch var problem as APIProblem {
            state.apply(to: &problem.headers)
            throw problem
        }
    }
}

func tooManyRequests(_ seconds: Int, _ who: String, _ state: RateLimiter.State? = nil) -> APIProblem {
    var problem = APIProblem(.tooManyRequests, title: "Demasiadas solicitudes", detail: "Se excedió el límite de solicitudes de \(who); reintente en \(seconds) s.")
    problem.headers[.retryAfter] = String(seconds)
    state?.apply(to: &problem.headers)
    return problem
}

/// Which account each recently seen access token belongs to, by the token's SHA-256 (never the
/// token itself): lets a request spend its account's rate-limit bucket before the token is checked.
/// A token always belongs to the same account, so an entry never goes stale; it only outlives the token.
final class TokenAccounts: Sendable {
    let cache = BoundedCache<[UInt8], String>(capacity: 10_000)
}

/// What `AddressRateLimitMiddleware` read in its round trip for the inner middleware.
struct PrefetchedAuthentication: Sendable {
    let tokenKey: [UInt8]
    /// The rows of `AccountService.tokenLookup`.
    let tokenRows: PostgresRows
    /// The account's bucket, spent for the account this token belonged to when last seen.
    let accountBucket: (userId: String, rows: PostgresRows)?
}
