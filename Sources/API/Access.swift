import Accounts
import Foundation

/// Every route asks here before it acts; the answers come from the `permisos` table through the
/// accounts module's `Authorizer`, so no route has a rule of its own.
extension APIServices {
    /// The widest scope the caller's roles give for `action`, or 403.
    func requireScope(_ identity: Identity, _ action: Action) throws -> Scope {
        guard let scope = accounts.authorizer.widestScope(identity, action) else {
            throw APIProblem.forbidden("Su cuenta no tiene permiso para «\(action.rawValue)».")
        }
        return scope
    }

    /// 404 when the stream does not exist, 403 when it lies outside the caller's scope for `action`
    /// (or the permission requires a stated reason and none was given).
    func requireRecord(_ stream: String, _ identity: Identity, _ action: Action, reason: String? = nil) async throws {
        try require(identity, action, on: try await record(stream), reason: reason)
    }

    /// Whose the stream is (read once per request, however many actions are checked on it), or 404.
    func record(_ stream: String) async throws -> RecordScope {
        guard let record = try await scopes.scope(of: stream) else { throw APIProblem.notFound("No existe «\(stream.prefix(80))».") }
        return record
    }

    /// 403 unless the caller's roles allow `action` on `record`.
    func require(_ identity: Identity, _ action: Action, on record: RecordScope, reason: String? = nil) throws {
        _ = try requireScope(identity, action)
        if case .denied(let why) = accounts.authorizer.decide(identity, action, on: record, reason: reason) { throw APIProblem.denied(why) }
    }
}

extension APIProblem {
    /// 403 for a record outside the caller's scope, saying why.
    static func denied(_ why: String) -> APIProblem { .forbidden("No permitido: \(why).") }

    /// An accounts outcome as HTTP.
    init(_ error: AccountError) {
        switch error {
        case .invalid(let problems): self = .invalid(problems)
        case .forbidden: self = .forbidden(error.message)
        case .invalidCredentials, .invalidToken:
            self = APIProblem(.unauthorized, title: "Sin autenticación", detail: error.message)
            headers[.wwwAuthenticate] = "Bearer realm=\"sintra\""
        case .locked(let until):
            self = APIProblem(.tooManyRequests, title: "Cuenta bloqueada temporalmente", detail: error.message)
            headers[.retryAfter] = String(max(1, Int(until.timeIntervalSinceNow.rounded(.up))))
        case .notFound: self = .notFound(error.message)
        case .unavailable: self = .unavailable(error.message)
        }
    }
}

/// Runs an accounts operation, answering its typed error as HTTP.
func accountCall<T>(_ body: () async throws(AccountError) -> T) async throws(APIProblem) -> T {
    do { return try await body() } catch { throw APIProblem(error) }
}
