import CanonicalJSON
import EventLog
import Postgres
import Testing
import TestDatabase

/// `append_events` given several requests at once, as the group-commit writer sends them:
/// later requests see what earlier ones in the same call appended.
@Suite(.needsDatabase) struct GroupCommitTests {
    @Test func requestsInOneCallSeeEachOther() async throws {
        let database = try await TestDatabase.migrated()
        let app = try await PostgresConnection.connect(database.appURL)
        let headers = """
            [{"streamId":"victima-1","streamType":"Victima","expectedVersion":"no_stream","idempotencyKey":null,"events":2},
             {"streamId":"victima-1","streamType":"Victima","expectedVersion":2,"idempotencyKey":"k1","events":1},
             {"streamId":"victima-1","streamType":"Victima","expectedVersion":2,"idempotencyKey":null,"events":1},
             {"streamId":"victima-1","streamType":"Victima","expectedVersion":"any","idempotencyKey":"k1","events":1},
             {"streamId":"victima-2","streamType":"Victima","expectedVersion":"any","idempotencyKey":"k1","events":1},
             {"streamId":"victima-1","streamType":"Operativo","expectedVersion":"any","idempotencyKey":null,"events":1}]
            """
        let count = 7
        let metadata = [#"{"userId":"u","institutionId":"i"}"#, #"{"userId":"u","institutionId":"i"}"#,
                        #"{"userId":"u","institutionId":"i","idempotencyKey":"k1"}"#, #"{"userId":"u","institutionId":"i"}"#,
                        #"{"userId":"u","institutionId":"i","idempotencyKey":"k1"}"#, #"{"userId":"u","institutionId":"i","idempotencyKey":"k1"}"#,
                        #"{"userId":"u","institutionId":"i"}"#]
        // The digest of each event's content: the database recomputes it and refuses any other (0012).
        let streams = [("victima-1", "Victima"), ("victima-1", "Victima"), ("victima-1", "Victima"), ("victima-1", "Victima"),
                       ("victima-1", "Victima"), ("victima-2", "Victima"), ("victima-1", "Operativo")]
        let occurred = Timestamp(iso8601: "2024-03-01T10:00:00Z")!
        let digests = try zip(streams, metadata).map { stream, metadata in
            EventHashing.contentDigest(streamId: stream.0, streamType: stream.1, eventType: "AtencionOtorgada", schemaVersion: 1,
                                       canonicalPayload: Array("{}".utf8), canonicalMetadata: try CanonicalJSON.canonicalize(metadata),
                                       occurredAt: occurred)
        }
        let rows = try await app.query("""
            SELECT request, outcome, current_version, first_position, last_position
              FROM append_events($1::jsonb, $2, $3, $4, $5, $6, $7) ORDER BY request
            """, [.text(headers), .array(.text(Array(repeating: "AtencionOtorgada", count: count))),
                  .array(.int32(Array(repeating: 1, count: count))), .array(.jsonb(Array(repeating: "{}", count: count))),
                  .array(.jsonb(metadata)), .array(.timestamp(Array(repeating: occurred, count: count))),
                  .array(.bytea(digests))])
        let outcomes = try rows.map { try $0.decode(String.self, 1) }
        #expect(outcomes == ["appended", "appended", "conflict", "replayed", "idempotency_key_reused", "stream_type_mismatch"])
        #expect(try rows[1].decode(Int64.self, 2) == 3)      // version after the second request
        #expect(try rows[2].decode(Int64.self, 2) == 3)      // the conflict reports the current version
        #expect(try rows[3].decode(Int64.self, 3) == 3)      // the replay returns the first call's positions
        let stored = try await app.query("SELECT position, version FROM events ORDER BY position")
        #expect(try stored.map { try $0.decode(Int64.self, 1) } == [1, 2, 3])
        let head = try await app.query("SELECT position FROM log_head")
        #expect(try head[0].decode(Int64.self, 0) == 3)
    }
}
