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

    public static func load(_ streamId: String, from store: EventStore, definitions: DefinitionSet) async throws -> StreamHistory {
        var entries: [Entry] = []
        var streamType: String?
        var next: Int64 = 1
        while true {
            let page = try await store.readStream(streamId, from: next, limit: 1_000)
            for event in page {
                streamType = event.streamType
                let parsed = try StreamHistory.parse(event.payload, streamId: streamId, version: event.version)
                let target = definitions.latest(event.eventType)?.version ?? event.schemaVersion
                let payload = Upcasting.upcast(event.eventType, version: event.schemaVersion, payload: parsed, to: target).payload
                let metadata = try? CanonicalJSON.parse(event.metadata)
                entries.append(Entry(eventType: event.eventType, payload: payload, institutionId: metadata?["institutionId"]?.stringValue ?? "",
                                     userId: metadata?["userId"]?.stringValue, version: event.version, position: event.position))
            }
            guard page.count == 1_000, let last = page.last else { break }
            next = last.version + 1
        }
        return StreamHistory(streamId: streamId, streamType: streamType, version: entries.last?.version ?? 0, entries: entries)
    }
}
