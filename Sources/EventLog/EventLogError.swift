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
    /// The database failed. The failure keeps its cause: the SQLSTATE, and whether the outcome is
    /// unknown (the connection broke after the statement was sent: retry with the same idempotency key).
    case database(DatabaseFailure)

    /// A failure below the log, explained in Spanish, with what a caller branches on kept apart.
    public struct DatabaseFailure: Sendable, Equatable, CustomStringConvertible {
        /// A Spanish sentence with the technical detail after it.
        public var message: String
        /// The server's SQLSTATE, when the server answered (e.g. `57014` a cancelled statement).
        public var sqlState: String?
        /// True when the statement may or may not have taken effect (a lost connection).
        public var outcomeUnknown: Bool

        public init(_ message: String, sqlState: String? = nil, outcomeUnknown: Bool = false) {
            self.message = message
            self.sqlState = sqlState
            self.outcomeUnknown = outcomeUnknown
        }

        /// What the PostgreSQL layer (or anything else) threw, explained.
        public init(_ error: any Error) {
            let postgres = error as? PostgresError
            self.init(EventLogError.explain(error), sqlState: postgres?.sqlState, outcomeUnknown: postgres?.isConnectionLoss ?? false)
        }

        public var description: String { message }
    }

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
        case .database(let failure):
            "error de la base de datos: \(failure.message)"
        }
    }
}
