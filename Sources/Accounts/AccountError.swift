import Commands
import Definitions
import Foundation

/// Why an account operation did not take effect. `message` is Spanish, for the person who asked;
/// the HTTP layer maps the cases to statuses (invalid 422, forbidden 403, credentials/token 401,
/// locked 429, notFound 404, unavailable 503).
///
/// Login failures never say whether the login exists: a wrong login and a wrong password are the
/// same `invalidCredentials`, and a login that does not exist locks like one that does. A suspended
/// account answers the right password with `invalidCredentials` too: a different answer would
/// confirm the password to whoever is guessing it.
public enum AccountError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Bad input: every problem with its field path; nothing was written.
    case invalid([Problem])
    /// The requester may not do this (the reason, in Spanish).
    case forbidden(String)
    case invalidCredentials
    /// Too many failed logins for this login: refused until then, even with the right password.
    case locked(until: Date)
    /// A refresh or access token that is unknown, expired, revoked or already used.
    case invalidToken
    case notFound(String)
    /// The database or the key vault failed; the outcome may be uncertain.
    case unavailable(String)

    public var message: String {
        switch self {
        case .invalid(let problems): problems.map(\.description).joined(separator: "\n")
        case .forbidden(let reason): "no permitido: \(reason)"
        // One answer for a wrong login, a wrong password and a suspended account (see `login`).
        case .invalidCredentials: "usuario o contraseña incorrectos (si su cuenta fue suspendida, comuníquese con la persona administradora de SINTRA de su institución)"
        case .locked(let until):
            "demasiados intentos fallidos: el acceso con este usuario está bloqueado hasta las \(Self.clockTime(until)) (hora del centro de México)"
        case .invalidToken: "la sesión no es válida o ya terminó; inicie sesión de nuevo"
        case .notFound(let what): "no existe \(what)"
        case .unavailable(let detail): "el servicio de cuentas no está disponible: \(detail)"
        }
    }

    public var description: String { message }

    /// The problems of an `invalid` error (empty otherwise), for the API's list of field errors.
    public var problems: [Problem] { if case .invalid(let problems) = self { problems } else { [] } }

    static func problem(_ path: String, _ code: String, _ message: String) -> AccountError {
        .invalid([Problem(path: path, code: code, message: message)])
    }

    /// A command's failure, as an account operation reports it.
    static func from(_ error: CommandError) -> AccountError {
        switch error {
        case .rejected(let rejection): .invalid(rejection.problems)
        case .conflict: .unavailable("otra operación modificó la cuenta al mismo tiempo; vuelva a intentarlo")
        case .unavailable(let message): .unavailable(message)
        case .forbidden(let reason): .forbidden(reason)
        }
    }

    static func database(_ error: any Error) -> AccountError {
        if let error = error as? AccountError { return error }
        return .unavailable("\(error)")
    }

    private static func clockTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Mexico_City") ?? .gmt
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }
}
