import CanonicalJSON
import Catalog
import Definitions
import Streams

/// A request to record something: the command's name, its data, and how it fits the log.
///
/// As JSON (one line of a `sintra submit` file, or an API body plus headers):
/// ```json
/// { "comando": "registrar-atencion", "claveDeIdempotencia": "inst-42/2024/0007",
///   "flujo": "expediente-…", "versionEsperada": 3, "cargaHistorica": false, "datos": { … } }
/// ```
public struct Command: Sendable {
    /// `registrar-persona`, `registrar-atencion`, … (the `comando` of a definition).
    public var name: String
    public var data: JSONValue
    /// The stream to append to. Required for commands that follow up a stream; optional for
    /// commands that start one (a caller may choose the id so later lines can refer to it).
    public var streamId: String?
    /// The stream version the caller last saw; nil = "the current one" (re-checked on conflict).
    public var expectedVersion: Int64?
    /// Repeating a command with the same key returns the first result and writes nothing.
    public var idempotencyKey: String
    /// Declares a load of records older than the Ley General (2012-06-14) on purpose.
    public var historicalLoad: Bool

    public init(name: String, data: JSONValue, streamId: String? = nil, expectedVersion: Int64? = nil,
                idempotencyKey: String, historicalLoad: Bool = false) {
        self.name = name
        self.data = data
        self.streamId = streamId
        self.expectedVersion = expectedVersion
        self.idempotencyKey = idempotencyKey
        self.historicalLoad = historicalLoad
    }

    static let envelopeKeys: Set<String> = ["comando", "claveDeIdempotencia", "flujo", "versionEsperada", "cargaHistorica", "datos"]

    /// Reads the JSON envelope, reporting every problem with its path.
    public static func parse(_ json: JSONValue) -> Result<Command, CommandRejection> {
        var problems: [Problem] = []
        func fail(_ path: String, _ code: String, _ message: String) { problems.append(Problem(path: path, code: code, message: message)) }
        guard case .object(let members) = json else {
            return .failure(CommandRejection([Problem(path: "", code: "tipo-invalido", message: "se esperaba un objeto JSON con «comando» y «datos»")]))
        }
        for member in members where !envelopeKeys.contains(member.key) {
            fail(member.key, "campo-no-permitido", "campo no previsto; se admiten: \(envelopeKeys.sorted().joined(separator: ", "))")
        }
        let name = json["comando"]?.stringValue
        if name == nil { fail("comando", json["comando"] == nil ? "requerido" : "tipo-invalido", "se requiere el nombre del comando (texto)") }
        let key = json["claveDeIdempotencia"]?.stringValue
        if key == nil || key!.isEmpty || key!.count > 200 || !key!.allSatisfy({ $0.isASCII && !$0.isWhitespace }) {
            fail("claveDeIdempotencia", "clave-de-idempotencia", "se requiere una clave de idempotencia de 1 a 200 caracteres ASCII visibles")
        }
        var stream: String?
        if let value = json["flujo"], !value.isNull {
            if let text = value.stringValue { stream = text } else { fail("flujo", "tipo-invalido", "se esperaba un texto") }
        }
        var expected: Int64?
        if let value = json["versionEsperada"], !value.isNull {
            if let number = value.int64Value, number >= 0 { expected = number } else { fail("versionEsperada", "tipo-invalido", "se esperaba un número entero ≥ 0") }
        }
        var historical = false
        if let value = json["cargaHistorica"] {
            if let flag = value.boolValue { historical = flag } else { fail("cargaHistorica", "tipo-invalido", "se esperaba verdadero o falso") }
        }
        let data = json["datos"]
        if data == nil { fail("datos", "requerido", "se requieren los datos del comando") }
        guard problems.isEmpty, let name, let key, let data else { return .failure(CommandRejection(problems)) }
        return .success(Command(name: name, data: data, streamId: stream, expectedVersion: expected, idempotencyKey: key, historicalLoad: historical))
    }
}

/// Who sends a command and when "today" is for the rules (injected so tests and the demo are deterministic).
public struct CommandContext: Sendable {
    public var userId: String
    public var institutionId: String
    public var client: String
    public var today: CalendarDate
    public var correlationId: String?
    /// Asked of the very history a command on an existing stream is decided on, before any rule:
    /// nil allows, a reason refuses (`CommandError.forbidden`). The API answers with it who may
    /// act on whose record, without reading the stream a second time.
    public var authorize: (@Sendable (StreamHistory) async throws -> String?)?

    public init(userId: String, institutionId: String, client: String, today: CalendarDate, correlationId: String? = nil,
                authorize: (@Sendable (StreamHistory) async throws -> String?)? = nil) {
        self.userId = userId
        self.institutionId = institutionId
        self.client = client
        self.today = today
        self.correlationId = correlationId
        self.authorize = authorize
    }
}

/// A command that was not accepted: every problem at once, nothing written.
public struct CommandRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public let problems: [Problem]
    public init(_ problems: [Problem]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
    public var codes: [String] { problems.map(\.code) }
}

/// Why a command did not take effect.
public enum CommandError: Error, Sendable, CustomStringConvertible {
    /// The caller's mistake: fix and resend.
    case rejected(CommandRejection)
    /// The stream moved past `versionEsperada`: re-read and decide again.
    case conflict(streamId: String, expected: Int64, current: Int64)
    /// The database or the key vault failed: the outcome is uncertain; retry with the same key.
    case unavailable(String)
    /// The context's `authorize` refused the stream (the reason, in Spanish).
    case forbidden(String)

    public var description: String {
        switch self {
        case .rejected(let rejection): rejection.description
        case .forbidden(let reason): "no permitido: \(reason)"
        case .conflict(let stream, let expected, let current):
            "el flujo «\(stream)» está en la versión \(current), no en la \(expected): vuelva a consultarlo antes de registrar"
        case .unavailable(let message): message
        }
    }
}

/// A command that took effect (or had already taken effect under the same idempotency key).
public struct CommandResult: Sendable, Equatable {
    public let command: String
    public let eventType: String
    public let streamId: String
    public let streamVersion: Int64
    public let position: Int64
    /// True when nothing was written now because the idempotency key had been used.
    public let replayed: Bool
    /// Other cases whose blind index matches this one's (possible duplicates to review).
    public let possibleDuplicates: [String]
}
