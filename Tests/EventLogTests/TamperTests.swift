import Cryptography
import EventLog
import Foundation
import Postgres
import Testing
import TestDatabase

/// Tampering as a superuser who disables the triggers: verify must name the exact position.
@Suite(.needsDatabase) struct TamperTests {
    func tampered(_ change: String) async throws -> (TestDatabase, EventStore) {
        let database = try await TestDatabase.migrated()
        let store = database.store()
        try await seed(store, count: 10)
        try await database.asSuperuser("ALTER TABLE events DISABLE TRIGGER USER; \(change); ALTER TABLE events ENABLE TRIGGER USER;")
        return (database, store)
    }

    @Test func oneChangedByteInAPayloadIsFoundAtItsPosition() async throws {
        let (_, store) = try await tampered(#"UPDATE events SET payload = jsonb_set(payload, '{tipo}', '"mádica"') WHERE position = 7"#)
        let failure = try await expectFailure(store, at: 7)
        #expect(failure?.position == 7)
        #expect(failure?.problem.contains("alterado") == true)
    }

    @Test func aDeletedRowIsAGap() async throws {
        let (_, store) = try await tampered("DELETE FROM events WHERE position = 4")
        let failure = try await expectFailure(store, at: 4)
        #expect(failure?.position == 4)
        #expect(failure?.problem.contains("hueco") == true)
    }

    @Test func aSwappedPairIsFound() async throws {
        let (_, store) = try await tampered("""
            UPDATE events SET position = 1000 WHERE position = 5;
            UPDATE events SET position = 5 WHERE position = 6;
            UPDATE events SET position = 6 WHERE position = 1000
            """)
        let failure = try await expectFailure(store, at: 5)
        #expect(failure?.position == 5)
    }

    @Test func theCommandLineNamesThePositionAndExitsNonZero() async throws {
        let (database, _) = try await tampered(#"UPDATE events SET metadata = metadata || '{"userId":"otro"}' WHERE position = 3"#)
        let (status, output) = try await runSintra(["verify", "--database-url", database.appURL])
        #expect(status != 0)
        #expect(output.contains("posición 3"), "\(output)")
    }
}

/// Runs the built `sintra` executable; returns its exit status and combined output.
@Suite(.needsDatabase) struct HeadTamperTests {
    /// A correctly chained event slipped in past log_head (as only a superuser now can) is reported.
    @Test func anEventInsertedBehindTheAppendersBackIsFound() async throws {
        let database = try await TestDatabase.migrated()
        let store = database.store()
        try await seed(store, count: 3)
        var forged = try #require(try await store.readStream("victima-1").last)
        let last = try await store.head()
        forged.position = last.position + 1
        forged.version += 1
        forged.previousHash = last.hash
        forged.hash = try EventHashing.recomputeHash(of: forged, previous: last.hash)
        let admin = try await database.admin()
        try await admin.query("""
            INSERT INTO events (position, stream_id, stream_type, version, event_type, schema_version, payload, metadata,
                                occurred_at, recorded_at, previous_hash, hash)
            VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11, $12)
            """, [.int64(forged.position), .text(forged.streamId), .text(forged.streamType), .int64(forged.version),
                  .text(forged.eventType), .int32(Int32(forged.schemaVersion)), .text(forged.payload), .text(forged.metadata),
                  .timestamp(forged.occurredAt), .timestamp(forged.recordedAt), .bytea(forged.previousHash), .bytea(forged.hash)])
        let failure = try await expectFailure(store, at: 4)
        #expect(failure?.position == 4)
        #expect(failure?.problem.contains("después de la cabeza") == true)
        // And the auditor's checkpoint command refuses to sign it.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("llave-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try await runSintra(["keygen", folder.appendingPathComponent("a").path])
        let (status, output) = try await runSintra(["checkpoint", "--database-url", database.appURL, "--key", folder.appendingPathComponent("a.key").path])
        #expect(status != 0)
        #expect(output.contains("no se firma"), "\(output)")
    }
}
