import CanonicalJSON
import Postgres

/// The documented shapes of identifiers (README "Bad input"):
/// - stream id: `categoria-identificador`, lowercase category, then letters, digits, `_ . : -`; at most 200 characters
/// - stream type and event type: an ASCII identifier starting with a capital letter (`Victima`, `VictimaRegistrada`), at most 100
/// - idempotency key: 1–200 visible ASCII characters
public enum AppendLimits {
    public static let maxPayloadBytes = 1 << 20
    public static let maxEventsPerAppend = 1_000
    /// All payloads of one append together.
    public static let maxBytesPerAppend = 64 << 20
    /// occurredAt must fall in years 0001–9999 (what RFC 3339 and PostgreSQL both represent).
    public static let occurredAtRange = Timestamp(iso8601: "0001-01-01T00:00:00Z")!...Timestamp(iso8601: "9999-12-31T23:59:59.999999Z")!
    public static let maxIdentifierLength = 200
}

/// A request that passed validation, in the form `append_events` takes.
struct PreparedAppend: Sendable {
    let request: AppendRequest
    /// This request's element of the `requests` argument.
    let header: JSONValue
    let events: [PreparedEvent]
    /// Size of all payloads, counted once during validation; the writer caps each commit by it.
    let payloadBytes: Int
}

/// One event with its canonical JSON and its content digest.
struct PreparedEvent: Sendable {
    let eventType: String
    let schemaVersion: Int32
    let payload: String
    let metadata: String
    let occurredAt: Timestamp
    let digest: [UInt8]
}

enum AppendValidation {
    static func prepare(_ request: AppendRequest) throws(EventLogError) -> PreparedAppend {
        var problems: [InputProblem] = []
        func check(_ condition: Bool, _ path: String, _ message: String) {
            if !condition { problems.append(InputProblem(path: path, message: message)) }
        }
        check(isStreamId(request.streamId), "streamId",
              "«\(request.streamId.prefix(60))» no es un identificador de flujo válido (categoría-identificador, p. ej. «victima-3f2a…»)")
        check(isTypeName(request.streamType), "streamType", "el tipo de flujo debe empezar con mayúscula y contener solo letras y dígitos ASCII")
        check(!request.events.isEmpty, "events", "se requiere al menos un evento")
        check(request.events.count <= AppendLimits.maxEventsPerAppend, "events",
              "a lo sumo \(AppendLimits.maxEventsPerAppend) eventos por llamada")
        if case .exactly(let version) = request.expectedVersion {
            check(version >= 0, "expectedVersion", "la versión esperada no puede ser negativa")
        }
        if let key = request.idempotencyKey {
            check(isVisibleASCII(key, maxLength: AppendLimits.maxIdentifierLength), "idempotencyKey",
                  "la clave de idempotencia debe tener de 1 a 200 caracteres ASCII visibles")
        }
        let meta = request.metadata
        check(isVisibleText(meta.userId), "metadata.userId", "se requiere el usuario que registra (1 a 200 caracteres)")
        check(isVisibleText(meta.institutionId), "metadata.institutionId", "se requiere la institución que registra (1 a 200 caracteres)")
        for (name, value) in [("correlationId", meta.correlationId), ("causationId", meta.causationId), ("client", meta.client)] {
            if let value { check(isVisibleText(value), "metadata.\(name)", "debe tener de 1 a 200 caracteres") }
        }

        let metadata = metadataJSON(meta, idempotencyKey: request.idempotencyKey)
        let canonicalMetadata = CanonicalJSON.serialize(metadata)
        let metadataText = String(decoding: canonicalMetadata, as: UTF8.self)
        var events: [PreparedEvent] = []
        for (index, event) in request.events.enumerated() {
            let path = "events[\(index)]"
            check(isTypeName(event.eventType), "\(path).eventType",
                  "el tipo de evento debe empezar con mayúscula y contener solo letras y dígitos ASCII (p. ej. «VictimaRegistrada»)")
            check(event.schemaVersion >= 1 && event.schemaVersion <= 10_000, "\(path).schemaVersion", "la versión de esquema debe ser un entero de 1 a 10000")
            guard AppendLimits.occurredAtRange.contains(event.occurredAt) else {
                problems.append(InputProblem(path: "\(path).occurredAt", message: "la fecha del hecho debe estar entre los años 1 y 9999"))
                continue
            }
            let size = event.payload.utf8.count
            guard size <= AppendLimits.maxPayloadBytes else {
                problems.append(InputProblem(path: "\(path).payload", message: "el contenido mide \(size) bytes; el máximo es 1 MiB (\(AppendLimits.maxPayloadBytes) bytes)"))
                continue
            }
            let payload: JSONValue
            do {
                payload = try CanonicalJSON.parse(event.payload)
            } catch {
                problems.append(InputProblem(path: "\(path).payload\(error.path)", message: "JSON no válido: \(error.message) (byte \(error.offset))"))
                continue
            }
            guard case .object = payload else {
                problems.append(InputProblem(path: "\(path).payload", message: "el contenido debe ser un objeto JSON"))
                continue
            }
            let canonicalPayload = CanonicalJSON.serialize(payload)
            let digest = EventHashing.contentDigest(
                streamId: request.streamId, streamType: request.streamType, eventType: event.eventType,
                schemaVersion: event.schemaVersion, canonicalPayload: canonicalPayload,
                canonicalMetadata: canonicalMetadata, occurredAt: event.occurredAt)
            events.append(PreparedEvent(
                eventType: event.eventType, schemaVersion: Int32(clamping: event.schemaVersion),
                payload: String(decoding: canonicalPayload, as: UTF8.self),
                metadata: metadataText, occurredAt: event.occurredAt, digest: digest))
        }
        let totalBytes = request.events.reduce(0) { $0 + $1.payload.utf8.count }
        check(totalBytes <= AppendLimits.maxBytesPerAppend, "events",
              "los contenidos suman \(totalBytes) bytes; el máximo por llamada es 64 MiB")
        guard problems.isEmpty else { throw .invalidInput(problems) }

        let expected: JSONValue = switch request.expectedVersion {
        case .any: .string("any")
        case .noStream: .string("no_stream")
        case .exactly(let version): .number(Double(version))
        }
        return PreparedAppend(request: request, header: .object([
            JSONMember(key: "streamId", value: .string(request.streamId)),
            JSONMember(key: "streamType", value: .string(request.streamType)),
            JSONMember(key: "expectedVersion", value: expected),
            JSONMember(key: "idempotencyKey", value: request.idempotencyKey.map(JSONValue.string) ?? .null),
            JSONMember(key: "events", value: .number(Double(events.count))),
        ]), events: events, payloadBytes: totalBytes)
    }

    static func metadataJSON(_ metadata: EventMetadata, idempotencyKey: String?) -> JSONValue {
        var members = [
            JSONMember(key: "userId", value: .string(metadata.userId)),
            JSONMember(key: "institutionId", value: .string(metadata.institutionId)),
        ]
        let optional: [(String, String?)] = [
            ("correlationId", metadata.correlationId), ("causationId", metadata.causationId),
            ("idempotencyKey", idempotencyKey), ("client", metadata.client),
        ]
        for (key, value) in optional { if let value { members.append(JSONMember(key: key, value: .string(value))) } }
        return .object(members)
    }

    static func isStreamId(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count <= AppendLimits.maxIdentifierLength, let dash = bytes.firstIndex(of: 45), dash > 0, dash < bytes.count - 1 else { return false }
        let isLower = { (b: UInt8) in b >= 97 && b <= 122 }
        let isDigit = { (b: UInt8) in b >= 48 && b <= 57 }
        let isUpper = { (b: UInt8) in b >= 65 && b <= 90 }
        guard isLower(bytes[0]), bytes[1..<dash].allSatisfy({ isLower($0) || isDigit($0) || $0 == 95 }) else { return false }
        return bytes[(dash + 1)...].allSatisfy { isLower($0) || isUpper($0) || isDigit($0) || [95, 46, 58, 45].contains($0) }
    }

    static func isTypeName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, first >= 65, first <= 90, bytes.count <= 100 else { return false }
        return bytes.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) }
    }

    static func isVisibleASCII(_ text: String, maxLength: Int) -> Bool {
        let bytes = Array(text.utf8)
        return !bytes.isEmpty && bytes.count <= maxLength && bytes.allSatisfy { $0 > 32 && $0 < 127 }
    }

    static func isVisibleText(_ text: String) -> Bool {
        let count = text.unicodeScalars.count
        return count >= 1 && count <= AppendLimits.maxIdentifierLength
            && !text.unicodeScalars.contains { $0.value < 32 || $0.value == 127 }
            && !text.allSatisfy(\.isWhitespace)
    }
}
