import Postgres

/// One problem with a caller's input, with the path of the offending field and a Spanish message.
public struct InputProblem: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

public enum EventLogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input was rejected; every problem is listed and nothing was written.
    case invalidInput([InputProblem])
    /// The stream is not at the expected version.
    case conflict(streamId: String, expected: ExpectedVersion, current: Int64)
    /// The stream exists with another stream type.
    case streamTypeMismatch(streamId: String, requested: String)
    /// The idempotency key was already used for another stream.
    case idempotencyKeyReused(key: String)
    /// The database failed; when `PostgresError.isConnectionLoss`, the outcome is unknown: retry with the same idempotency key.
    case database(String)

    /// A Spanish sentence for a failure below the log, with the technical detail after it.
    static func explain(_ error: any Error) -> String {
        guard let error = error as? PostgresError else { return "\(error)" }
        let summary = switch error.kind {
        case .connection: "se perdió la conexión con la base de datos; el resultado es incierto: reintente con la misma clave de idempotencia"
        case .poolExhausted: "ninguna conexión con la base de datos quedó libre a tiempo; reintente más tarde"
        case .closed: "la conexión con la base de datos ya estaba cerrada"
        case .server: "la base de datos rechazó la operación"
        case .decoding, .busy, .unsupported: "error interno al hablar con la base de datos"
        }
        return "\(summary) (detalle técnico: \(error))"
    }

    public var description: String {
        switch self {
        case .invalidInput(let problems):
            "entrada no válida:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        case .conflict(let stream, let expected, let current):
            "conflicto de concurrencia en «\(stream)»: se esperaba la versión \(expected) y la versión actual es \(current)"
        case .streamTypeMismatch(let stream, let requested):
            "el flujo «\(stream)» ya existe con un tipo distinto de «\(requested)»"
        case .idempotencyKeyReused(let key):
            "la clave de idempotencia «\(key)» ya se usó para otro flujo"
        case .database(let message):
            "error de la base de datos: \(message)"
        }
    }
}
