import CanonicalJSON
import Cryptography
import Postgres

/// The tamper-evidence rules, in one place, for appending and for every verifier.
///
///     digest = SHA-256( JCS({ eventType, metadata, occurredAt, payload, schemaVersion, streamId, streamType }) )
///     hash   = SHA-256( previousHash ‖ int64be(position) ‖ int64be(version) ‖ int64be(recordedAt µs since 1970) ‖ digest )
///
/// JCS is RFC 8785, so the digest survives jsonb's key reordering. The position, the stream
/// version and the server's clock are only known under the log's lock, which is why the
/// database function (`append_events`) computes the outer hash from the application's digest.
/// README "Tamper evidence" documents this for auditors.
public enum EventHashing {
    /// The hash before the first event.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    /// The digest of an event's content, from the canonical (RFC 8785) bytes of its payload
    /// and metadata.
    ///
    /// The content object's keys are fixed and already in RFC 8785 order, so its canonical form
    /// is these pieces spliced together: identical to serialising the whole object, without
    /// serialising the payload a second time.
    public static func contentDigest(streamId: String, streamType: String, eventType: String, schemaVersion: Int,
                                     canonicalPayload: [UInt8], canonicalMetadata: [UInt8], occurredAt: Timestamp) -> [UInt8] {
        func string(_ text: String) -> [UInt8] { CanonicalJSON.serialize(.string(text)) }
        return SHA256.hash(parts: [
            Array(#"{"eventType":"#.utf8), string(eventType),
            Array(#","metadata":"#.utf8), canonicalMetadata,
            Array(#","occurredAt":"#.utf8), string(occurredAt.iso8601),
            Array(#","payload":"#.utf8), canonicalPayload,
            Array(#","schemaVersion":"#.utf8), Array(String(schemaVersion).utf8),
            Array(#","streamId":"#.utf8), string(streamId),
            Array(#","streamType":"#.utf8), string(streamType),
            Array("}".utf8),
        ])
    }

    /// The same content as a JSON value; its RFC 8785 form is what `contentDigest` hashes.
    static func content(streamId: String, streamType: String, eventType: String, schemaVersion: Int,
                        payload: JSONValue, metadata: JSONValue, occurredAt: Timestamp) -> JSONValue {
        .object([
            JSONMember(key: "eventType", value: .string(eventType)),
            JSONMember(key: "metadata", value: metadata),
            JSONMember(key: "occurredAt", value: .string(occurredAt.iso8601)),
            JSONMember(key: "payload", value: payload),
            JSONMember(key: "schemaVersion", value: .number(Double(schemaVersion))),
            JSONMember(key: "streamId", value: .string(streamId)),
            JSONMember(key: "streamType", value: .string(streamType)),
        ])
    }

    public static func chainHash(previous: [UInt8], position: Int64, version: Int64, recordedAt: Timestamp, digest: [UInt8]) -> [UInt8] {
        SHA256.hash(parts: [previous, bigEndian(position), bigEndian(version), bigEndian(recordedAt.microsecondsSinceUnixEpoch), digest])
    }

    /// Recomputes a stored event's hash from its stored fields (what `sintra verify` does per event).
    public static func recomputeHash(of event: RecordedEvent, previous: [UInt8]) throws(JSONParseError) -> [UInt8] {
        let digest = contentDigest(streamId: event.streamId, streamType: event.streamType, eventType: event.eventType,
                                   schemaVersion: event.schemaVersion,
                                   canonicalPayload: try CanonicalJSON.canonicalize(Array(event.payload.utf8)),
                                   canonicalMetadata: try CanonicalJSON.canonicalize(Array(event.metadata.utf8)),
                                   occurredAt: event.occurredAt)
        return chainHash(previous: previous, position: event.position, version: event.version,
                         recordedAt: event.recordedAt, digest: digest)
    }

    private static func bigEndian(_ value: Int64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }
}
