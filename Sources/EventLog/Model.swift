import Postgres

/// What the caller believes the stream's version is before appending.
public enum ExpectedVersion: Sendable, Equatable, CustomStringConvertible {
    /// Append whatever the stream's version.
    case any
    /// The stream must not exist yet (version 0).
    case noStream
    /// The stream must be exactly at this version (0 = empty).
    case exactly(Int64)

    /// Parses `any`, `no-stream` (or `no_stream`) or a whole number ≥ 0.
    public init(parsing text: String) throws(EventLogError) {
        switch text {
        case "any": self = .any
        case "no-stream", "no_stream": self = .noStream
        default:
            guard let number = Int64(text), number >= 0 else {
                throw .invalidInput([InputProblem(path: "expectedVersion",
                    message: "versión esperada «\(text)» no válida: use «any», «no-stream» o un número entero ≥ 0")])
            }
            self = .exactly(number)
        }
    }

    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no-stream"
        case .exactly(let version): String(version)
        }
    }
}

/// Who did it and in what context; mandatory on every event (user and institution).
public struct EventMetadata: Sendable, Equatable {
    public var userId: String
    public var institutionId: String
    public var correlationId: String?
    public var causationId: String?
    /// The program that sent the command (e.g. "sintra-cli/1", "api").
    public var client: String?

    public init(userId: String, institutionId: String, correlationId: String? = nil, causationId: String? = nil, client: String? = nil) {
        self.userId = userId
        self.institutionId = institutionId
        self.correlationId = correlationId
        self.causationId = causationId
        self.client = client
    }
}

/// An event to append. `payload` is JSON text: it is parsed strictly (duplicate keys rejected).
public struct NewEvent: Sendable, Equatable {
    public var eventType: String
    public var schemaVersion: Int
    public var payload: String
    /// When it happened in the world (the domain's date), as opposed to when it was recorded.
    public var occurredAt: Timestamp

    public init(eventType: String, schemaVersion: Int = 1, payload: String, occurredAt: Timestamp) {
        self.eventType = eventType
        self.schemaVersion = schemaVersion
        self.payload = payload
        self.occurredAt = occurredAt
    }
}

/// One call to `EventStore.append`: all its events are written together or not at all.
public struct AppendRequest: Sendable, Equatable {
    public var streamId: String
    public var streamType: String
    public var expectedVersion: ExpectedVersion
    public var events: [NewEvent]
    public var metadata: EventMetadata
    /// Repeating a call with the same key returns the first call's result and writes nothing.
    public var idempotencyKey: String?

    public init(streamId: String, streamType: String, expectedVersion: ExpectedVersion, events: [NewEvent],
                metadata: EventMetadata, idempotencyKey: String? = nil) {
        self.streamId = streamId
        self.streamType = streamType
        self.expectedVersion = expectedVersion
        self.events = events
        self.metadata = metadata
        self.idempotencyKey = idempotencyKey
    }
}

public struct AppendResult: Sendable, Equatable {
    public var streamId: String
    public var firstPosition: Int64
    public var lastPosition: Int64
    /// The stream's version after the append (the version of its last event).
    public var streamVersion: Int64
    /// True when this was an idempotent repeat: nothing was written now.
    public var replayed: Bool

    public init(streamId: String, firstPosition: Int64, lastPosition: Int64, streamVersion: Int64, replayed: Bool) {
        self.streamId = streamId
        self.firstPosition = firstPosition
        self.lastPosition = lastPosition
        self.streamVersion = streamVersion
        self.replayed = replayed
    }
}

/// An event as stored in the log.
public struct RecordedEvent: Sendable, Equatable {
    public var position: Int64
    public var streamId: String
    public var streamType: String
    public var version: Int64
    public var eventType: String
    public var schemaVersion: Int
    /// JSON text as PostgreSQL returns it (keys reordered; see CanonicalJSON for hashing).
    public var payload: String
    public var metadata: String
    public var occurredAt: Timestamp
    public var recordedAt: Timestamp
    public var previousHash: [UInt8]
    public var hash: [UInt8]

    public init(position: Int64, streamId: String, streamType: String, version: Int64, eventType: String, schemaVersion: Int,
                payload: String, metadata: String, occurredAt: Timestamp, recordedAt: Timestamp, previousHash: [UInt8], hash: [UInt8]) {
        self.position = position
        self.streamId = streamId
        self.streamType = streamType
        self.version = version
        self.eventType = eventType
        self.schemaVersion = schemaVersion
        self.payload = payload
        self.metadata = metadata
        self.occurredAt = occurredAt
        self.recordedAt = recordedAt
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The columns `init(row:)` decodes, in its order: every read of `events` selects these, written once here.
    public static let columns: SQL = """
        position, stream_id, stream_type, version, event_type, schema_version, payload, metadata,
        occurred_at, recorded_at, previous_hash, hash
        """

    /// `SELECT <columns> FROM events` and then `rest` (conditions, order, limit; parameters as `$n`).
    static func select(_ rest: SQLFragment) -> SQL {
        var query = SQLQuery("SELECT \(columns) FROM events")
        query.append(rest)
        return query.sql
    }

    /// Decodes `columns`, in their order.
    init(row: PostgresRow) throws {
        self.init(
            position: try row.decode(Int64.self, 0), streamId: try row.decode(String.self, 1),
            streamType: try row.decode(String.self, 2), version: try row.decode(Int64.self, 3),
            eventType: try row.decode(String.self, 4), schemaVersion: try row.decode(Int.self, 5),
            payload: try row.decode(String.self, 6), metadata: try row.decode(String.self, 7),
            occurredAt: try row.decode(Timestamp.self, 8), recordedAt: try row.decode(Timestamp.self, 9),
            previousHash: try row.decode([UInt8].self, 10), hash: try row.decode([UInt8].self, 11))
    }
}

/// The log's size and tip.
public struct LogHead: Sendable, Equatable {
    public var count: Int64
    public var position: Int64
    public var hash: [UInt8]

    /// The log's last position: what a reader that follows the log asks `log_head`.
    public static let positionQuery: SQL = "SELECT position FROM log_head"
    /// Count, last position and last hash, read together (`EventStore.head()`, verification).
    static let query: SQL = "SELECT (SELECT count(*) FROM events), position, hash FROM log_head"
}
