import CanonicalJSON
import Demo
import EventLog
import Postgres
import Testing
import TestDatabase

/// The database recomputes every event's digest (migration 0012): the application role calling
/// `append_events` directly cannot chain a digest of other content and break `sintra verify` for good.
@Suite(.needsDatabase) struct DigestTests {
    static let occurred = Timestamp(iso8601: "2024-03-01T10:00:00.123456Z")!
    static let metadata = #"{"userId":"u","institutionId":"i"}"#

    /// The digest EventHashing gives `payload` as an event of stream `victima-9`.
    static func digest(_ payload: String, metadata: String = metadata) throws -> [UInt8] {
        EventHashing.contentDigest(streamId: "victima-9", streamType: "Victima", eventType: "AtencionOtorgada", schemaVersion: 1,
                                   canonicalPayload: try CanonicalJSON.canonicalize(payload),
                                   canonicalMetadata: try CanonicalJSON.canonicalize(metadata), occurredAt: occurred)
    }

    /// One event appended by calling the function itself, as a compromised application could.
    static func appendDirectly(_ app: PostgresConnection, payload: String, digest: [UInt8]) async throws -> PostgresRows {
        try await app.query("""
            SELECT outcome FROM append_events($1::jsonb, $2, $3, $4, $5, $6, $7)
            """, [.text(#"[{"streamId":"victima-9","streamType":"Victima","expectedVersion":"any","idempotencyKey":null,"events":1}]"#),
                  .array(.text(["AtencionOtorgada"])), .array(.int32([1])), .array(.jsonb([payload])), .array(.jsonb([metadata])),
                  .array(.timestamp([occurred])), .array(.bytea([digest]))])
    }

    static func expectRefused(_ database: TestDatabase, payload: String, digest: [UInt8]) async throws {
        let app = try await PostgresConnection.connect(database.appURL)
        do {
            _ = try await appendDirectly(app, payload: payload, digest: digest)
            Issue.record("append_events accepted a digest that is not its content's")
        } catch let error as PostgresError {
            #expect(error.sqlState == "SI002", "\(error)")
            #expect(error.message.contains("no corresponde a su contenido"))
        }
        await app.close()
    }

    @Test func anAllZeroDigestIsRefusedAndTheChainStaysValid() async throws {
        let database = try await TestDatabase.migrated()
        let store = database.store()
        try await seed(store, count: 2)
        try await Self.expectRefused(database, payload: #"{"n":1}"#, digest: [UInt8](repeating: 0, count: 32))
        let app = try await PostgresConnection.connect(database.appURL)
        #expect(try await app.query("SELECT count(*) FROM events")[0].decode(Int64.self, 0) == 2)
        #expect(try await app.query("SELECT position FROM log_head")[0].decode(Int64.self, 0) == 2)
        await app.close()
        #expect(try await store.verifyChain().count == 2)
        // The log goes on from where it was.
        try await seed(store, count: 1)
        #expect(try await store.verifyChain().count == 3)
    }

    @Test func theDigestOfOtherContentIsRefused() async throws {
        let database = try await TestDatabase.migrated()
        let store = database.store()
        try await seed(store, count: 1)
        try await Self.expectRefused(database, payload: #"{"n":2,"tipo":"médica"}"#, digest: try Self.digest(#"{"n":1,"tipo":"médica"}"#))
        // A digest of the non-canonical bytes sent is not the digest of what is stored either.
        let sent = #"{"tipo": "médica", "n": 1.0}"#
        try await Self.expectRefused(database, payload: sent, digest: SHA256Digest.of(sent))
        #expect(try await store.verifyChain().count == 1)
    }

    /// The database's canonical form is byte for byte EventHashing's, on the corners of RFC 8785:
    /// key order by code unit (not jsonb's length-first order), numbers as ECMAScript writes them,
    /// escapes, non-ASCII text, nesting. Each is appended directly and `verify` agrees.
    /// The idempotency lookup finds a call's events by the key in their metadata (migration 0130
    /// checks it event by event): metadata with another key than its request's is refused whole.
    @Test func metadataThatDoesNotRepeatTheRequestsKeyIsRefused() async throws {
        let database = try await TestDatabase.migrated()
        let app = try await PostgresConnection.connect(database.appURL)
        for (requestKey, metadataKey) in [("clave-1", nil), (nil, "clave-1"), ("clave-1", "clave-2")] as [(String?, String?)] {
            let metadata = metadataKey.map { #"{"userId":"u","institutionId":"i","idempotencyKey":"\#($0)"}"# } ?? Self.metadata
            let header = #"[{"streamId":"victima-9","streamType":"Victima","expectedVersion":"any","idempotencyKey":"# +
                (requestKey.map { "\"\($0)\"" } ?? "null") + #","events":1}]"#
            do {
                _ = try await app.query("SELECT outcome FROM append_events($1::jsonb, $2, $3, $4, $5, $6, $7)", [
                    .text(header), .array(.text(["AtencionOtorgada"])), .array(.int32([1])), .array(.jsonb([#"{"n":1}"#])),
                    .array(.jsonb([metadata])), .array(.timestamp([Self.occurred])),
                    .array(.bytea([try Self.digest(#"{"n":1}"#, metadata: metadata)]))])
                Issue.record("append_events accepted metadata key \(metadataKey ?? "none") for request key \(requestKey ?? "none")")
            } catch let error as PostgresError {
                #expect(error.sqlState == "22023", "\(error)")
                #expect(error.message.contains("idempotencyKey"))
            }
        }
        #expect(try await app.query("SELECT count(*) FROM events")[0].decode(Int64.self, 0) == 0)
        await app.close()
    }

    @Test func theDatabaseComputesTheSameDigestAsTheApplication() async throws {
        let database = try await TestDatabase.migrated()
        let payloads = [
            #"{"b":1,"a":2,"aa":3,"B":4,"é":5,"z":{"y":[1,{"x":null,"w":true}],"v":false}}"#,
            #"{"n":[1.5,1e21,1e-7,0.000001,-0,100.0,1e20,123456789012345678,0.1,-3.25e-10,5e-324,9007199254740993]}"#,
            #"{"t":"comillas \" barra \\ / línea \n tab \t control \u0001 \u001f del \u007f sep \u2028 ñ 😀"}"#,
            #"{"vacio":{},"lista":[],"anidada":[[[]],[{}]]}"#,
        ]
        let app = try await PostgresConnection.connect(database.appURL)
        for payload in payloads {
            let rows = try await Self.appendDirectly(app, payload: payload, digest: try Self.digest(payload))
            #expect(try rows.first?.decode(String.self, 0) == "appended", "\(payload)")
        }
        await app.close()
        #expect(try await database.store().verifyChain().count == Int64(payloads.count))
    }

    /// Hundreds of random documents (doubles from random bits, keys and strings from every part of
    /// the Basic Multilingual Plane, control characters, nesting) in one call: the database accepts
    /// every digest the application computes, so the two canonical forms agree, and `verify` too.
    @Test func randomDocumentsGetTheSameDigestInBothImplementations() async throws {
        let database = try await TestDatabase.migrated()
        var random = SplitMix(seed: 20_261_203)
        let documents = (0..<300).map { _ in random.object(depth: 0) }
            + (0..<30).map { _ in JSONValue.object([JSONMember(key: "n", value: .array((0..<200).map { _ in .number(random.number()) }))]) }
        let payloads = documents.map { String(decoding: CanonicalJSON.serialize($0), as: UTF8.self) }
        let count = payloads.count
        let app = try await PostgresConnection.connect(database.appURL)
        let rows = try await app.query("""
            SELECT outcome FROM append_events($1::jsonb, $2, $3, $4, $5, $6, $7)
            """, [.text(#"[{"streamId":"victima-9","streamType":"Victima","expectedVersion":"any","idempotencyKey":null,"events":\#(count)}]"#),
                  .array(.text(Array(repeating: "AtencionOtorgada", count: count))), .array(.int32(Array(repeating: 1, count: count))),
                  .array(.jsonb(payloads)), .array(.jsonb(Array(repeating: Self.metadata, count: count))),
                  .array(.timestamp(Array(repeating: Self.occurred, count: count))), .array(.bytea(try payloads.map { try Self.digest($0) }))])
        #expect(try rows.first?.decode(String.self, 0) == "appended")
        await app.close()
        #expect(try await database.store().verifyChain().count == Int64(count))
    }
}

/// SHA-256 of text, for a digest of bytes other than the canonical ones.
enum SHA256Digest {
    static func of(_ text: String) -> [UInt8] {
        EventHashing.contentDigest(streamId: "victima-9", streamType: "Victima", eventType: "AtencionOtorgada", schemaVersion: 1,
                                   canonicalPayload: Array(text.utf8), canonicalMetadata: Array(DigestTests.metadata.utf8),
                                   occurredAt: DigestTests.occurred)
    }
}

/// JSON documents from the demo's deterministic generator (SplitMix64, `Sources/Demo/SeededRandom.swift`).
typealias SplitMix = SeededRandom

extension SeededRandom {
    mutating func below(_ bound: Int) -> Int { int(0...(bound - 1)) }

    /// Text from ASCII, controls, Latin, the private use area up to U+FFFF, with quotes and backslashes.
    mutating func text() -> String {
        let pools: [ClosedRange<UInt32>] = [0x20...0x7E, 0x01...0x1F, 0xA0...0x24F, 0x4E00...0x4FFF, 0xE000...0xFFFD]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<below(8) {
            let pool = pools[below(pools.count)]
            if let scalar = Unicode.Scalar(pool.lowerBound + UInt32(below(Int(pool.upperBound - pool.lowerBound) + 1))) { scalars.append(scalar) }
            if below(10) == 0 { scalars.append(contentsOf: "\"\\".unicodeScalars) }
        }
        return String(scalars)
    }

    mutating func number() -> Double {
        switch below(4) {
        case 0: return Double(Int64(bitPattern: next()) >> Int64(below(60)))
        case 1: return Double(below(2_000_001) - 1_000_000) / [1, 10, 100, 1000, 1e7][below(5)]
        default:
            let value = Double(bitPattern: next())
            return value.isFinite ? value : 0.5
        }
    }

    mutating func value(depth: Int) -> JSONValue {
        switch below(depth < 3 ? 8 : 5) {
        case 0: return .null
        case 1: return .bool(below(2) == 0)
        case 2, 3: return .number(number())
        case 4: return .string(text())
        case 5: return .array((0..<below(4)).map { _ in value(depth: depth + 1) })
        default: return object(depth: depth + 1)
        }
    }

    mutating func object(depth: Int) -> JSONValue {
        var members: [JSONMember] = []
        var keys = Set<String>()
        for _ in 0..<below(7) {
            let key = below(3) == 0 ? text() : ["a", "b", "aa", "Z", "fecha", "tipo", "é", "_x", ""][below(9)]
            if keys.insert(key).inserted { members.append(JSONMember(key: key, value: value(depth: depth))) }
        }
        return .object(members)
    }
}
