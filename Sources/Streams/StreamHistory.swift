import CanonicalJSON
import Catalog
import Definitions
import EventLog
import Postgres

/// A stream's events as the rules need them: current-version payloads (upcast on read) and who recorded each.
public struct StreamHistory: Sendable {
    public struct Entry: Sendable {
        public let eventType: String
        /// Still encrypted where personal: open with `PersonalDataCipher.decrypt`.
        public let payload: JSONValue
        public let institutionId: String
        /// Who recorded it (the metadata's `userId`; nil for events loaded without one).
        public let userId: String?
        public let version: Int64
        public let position: Int64

        public init(eventType: String, payload: JSONValue, institutionId: String, userId: String?, version: Int64, position: Int64) {
            self.eventType = eventType
            self.payload = payload
            self.institutionId = institutionId
            self.userId = userId
            self.version = version
            self.position = position
        }

        /// The event's type as the compiler knows it; nil for a type no `EventType` case names
        /// (a scratch definition in a test).
        public var type: EventType? { EventType(rawValue: eventType) }
    }

    public let streamId: String
    public let streamType: String?
    public let version: Int64
    /// Every event from `load`; from `StreamHistories.current`, all but those no rule reads
    /// (`x-evento.leidoPorLasReglas: false`), which count only in `version`.
    public let entries: [Entry]

    public var exists: Bool { version > 0 }

    public init(streamId: String, streamType: String?, version: Int64, entries: [Entry]) {
        self.streamId = streamId
        self.streamType = streamType
        self.version = version
        self.entries = entries
    }

    /// A stream with no events yet.
    public static func empty(_ streamId: String) -> StreamHistory {
        StreamHistory(streamId: streamId, streamType: nil, version: 0, entries: [])
    }

    /// A stored payload that does not parse is damage to report, never an empty object to decide on:
    /// a rule reading `{}` would take a closed case for an open one.
    public struct UnreadablePayload: Error, CustomStringConvertible {
        public let streamId: String
        public let version: Int64
        public var description: String { "el evento \(version) de «\(streamId)» no se puede leer (JSON dañado): ejecute `sintra verify`" }
    }

    static func parse(_ text: String, streamId: String, version: Int64) throws -> JSONValue {
        do { return try CanonicalJSON.parse(text) } catch { throw UnreadablePayload(streamId: streamId, version: version) }
    }

    /// The whole stream, every event included.
    public static func load(_ streamId: String, from store: EventStore) async throws -> StreamHistory {
        try await read(streamId, after: 0, omitting: [], from: store.pool)
    }

    /// The statement `load` runs, for a caller that sends it in a pipeline with others
    /// (`ConnectionPool.pipeline`); `decoding` turns its rows into the history.
    public static func loadStatement(_ streamId: String) -> PipelinedStatement {
        statement(streamId, after: 0, omitting: [])
    }

    /// The stream's events after `version`, payloads upcast to their type's current version by the
    /// database's `upcast_payload` (migration 0030: the one place a schema step is written, shared
    /// with the projections). Events of the `omitting` types count in `version` and are left out of
    /// `entries`; their payloads are not even sent.
    static func read(_ streamId: String, after version: Int64, omitting: [String], from pool: ConnectionPool) async throws -> StreamHistory {
        let statement = statement(streamId, after: version, omitting: omitting)
        return try decoding(try await pool.query(statement.sql, statement.parameters), streamId: streamId, after: version)
    }

    static func statement(_ streamId: String, after version: Int64, omitting: [String]) -> PipelinedStatement {
        PipelinedStatement("""
            SELECT stream_type, event_type, version, position,
                   CASE WHEN event_type = ANY($3) THEN NULL ELSE upcast_payload(event_type, schema_version, payload)::text END,
                   coalesce(metadata->>'institutionId', ''), metadata->>'userId'
              FROM events WHERE stream_id = $1 AND version > $2 ORDER BY version
            """, [.text(streamId), .int64(version), .array(.text(omitting))])
    }

    /// The history in the rows of `statement(streamId, after: version, …)`.
    public static func decoding(_ rows: PostgresRows, streamId: String, after version: Int64 = 0) throws -> StreamHistory {
        var streamType: String?
        var last = version
        var entries: [Entry] = []
        for row in rows {
            streamType = try row.decode(String.self, 0)
            last = try row.decode(Int64.self, 2)
            guard let text = try row.decode(String?.self, 4) else { continue }
            entries.append(Entry(eventType: try row.decode(String.self, 1), payload: try parse(text, streamId: streamId, version: last),
                                 institutionId: try row.decode(String.self, 5), userId: try row.decode(String?.self, 6),
                                 version: last, position: try row.decode(Int64.self, 3)))
        }
        return StreamHistory(streamId: streamId, streamType: streamType, version: rows.isEmpty ? 0 : last, entries: entries)
    }
}
