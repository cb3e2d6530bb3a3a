import CanonicalJSON
import Cryptography
import EventLog
import Foundation
import Postgres
import Testing
import TestDatabase

@Suite(.needsDatabase) struct CheckpointTests {
    let auditorKey = Ed25519PrivateKey()

    func checkpoint(_ store: EventStore) async throws -> Checkpoint {
        let head = try await store.head()
        return try Checkpoint.sign(position: head.position, hash: head.hash, issuedAt: .now(), key: auditorKey)
    }

    @Test func aSignedCheckpointSurvivesAppendsAndItsFileRoundTrips() async throws {
        let store = try await TestDatabase.migrated().store()
        try await seed(store, count: 5)
        let signed = try await checkpoint(store)
        try await seed(store, count: 5)
        #expect(try await store.verifyChain(checkpoints: [signed]).count == 10)
        let reread = try Checkpoint(fileContents: signed.fileContents, trustedKey: auditorKey.publicKey)
        #expect(reread == signed)
        #expect(throws: Checkpoint.Invalid.self) { try Checkpoint(fileContents: signed.fileContents, trustedKey: Ed25519PrivateKey().publicKey) }
        let forged = signed.fileContents.replacingOccurrences(of: "\"position\":5", with: "\"position\":4")
        #expect(throws: Checkpoint.Invalid.self) { try Checkpoint(fileContents: forged) }
    }

    /// Whoever controls the database rewrites the chain from position 3 with fresh hashes:
    /// the chain alone still verifies, the signed checkpoint does not.
    @Test func aRewrittenChainPassesAloneButFailsAgainstTheCheckpoint() async throws {
        let database = try await TestDatabase.migrated()
        let store = database.store()
        try await seed(store, count: 6)
        let signed = try await checkpoint(store)
        try await seed(store, count: 2)

        var events: [RecordedEvent] = []
        try await store.readAll { events += $0 }
        var previous = events[1].hash
        let admin = try await database.admin()
        try await admin.query("ALTER TABLE events DISABLE TRIGGER USER")
        for index in 2..<events.count {
            var event = events[index]
            if index == 2 { event.payload = #"{"n":3,"tipo":"psicológica"}"# }
            event.previousHash = previous
            event.hash = try EventHashing.recomputeHash(of: event, previous: previous)
            try await admin.query("UPDATE events SET payload = $1::jsonb, previous_hash = $2, hash = $3 WHERE position = $4",
                                  [.text(event.payload), .bytea(event.previousHash), .bytea(event.hash), .int64(event.position)])
            previous = event.hash
        }
        try await admin.query("UPDATE log_head SET hash = $1", [.bytea(previous)])
        try await admin.query("ALTER TABLE events ENABLE TRIGGER USER")

        #expect(try await store.verifyChain().count == 8)
        let failure = try await expectFailure(store, at: 6, checkpoints: [signed])
        #expect(failure?.position == 6)
        #expect(failure?.problem.contains("punto de control") == true)
    }

    @Test func aCheckpointBeyondTheEndMeansEventsWereRemoved() async throws {
        let database = try await TestDatabase.migrated()
        let store = database.store()
        try await seed(store, count: 4)
        let signed = try await checkpoint(store)
        try await database.asSuperuser("""
            ALTER TABLE events DISABLE TRIGGER USER; DELETE FROM events WHERE position = 4;
            UPDATE log_head SET position = 3, hash = (SELECT hash FROM events WHERE position = 3);
            ALTER TABLE events ENABLE TRIGGER USER;
            """)
        let failure = try await expectFailure(store, at: 4, checkpoints: [signed])
        #expect(failure?.position == 4)
    }

    @Test func anExportVerifiesOfflineAndOneChangedByteIsFound() async throws {
        let store = try await TestDatabase.migrated().store()
        try await seed(store, count: 12)
        let signed = try await checkpoint(store)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try await LogExport.write(from: store, after: 4, through: 12, to: file) == 8)
        let result = try LogExport.verify(fileAt: file, checkpoints: [signed])
        #expect(result.after == 4 && result.through == 12 && result.verified == 8)

        var text = try String(contentsOf: file, encoding: .utf8)
        let range = try #require(text.range(of: #""n":9"#))
        text.replaceSubrange(range, with: #""n":8"#)
        try text.write(to: file, atomically: true, encoding: .utf8)
        do {
            _ = try LogExport.verify(fileAt: file)
            Issue.record("a changed export verified")
        } catch let failure as VerificationFailure {
            #expect(failure.position == 9)
        }
    }
}

@Suite(.needsDatabase) struct ExportEdgeTests {
    @Test func aTruncatedExportOrACheckpointOutsideItIsRejected() async throws {
        let store = try await TestDatabase.migrated().store()
        try await seed(store, count: 6)
        let head = try await store.head()
        let signed = try Checkpoint.sign(position: head.position, hash: head.hash, issuedAt: .now(), key: Ed25519PrivateKey())
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        _ = try await LogExport.write(from: store, after: 0, through: 4, to: file)
        #expect(throws: LogExport.Invalid.self) { try LogExport.verify(fileAt: file, checkpoints: [signed]) }
        var lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        lines.removeLast()
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        do {
            _ = try LogExport.verify(fileAt: file)
            Issue.record("a truncated export verified")
        } catch let failure as VerificationFailure {
            #expect(failure.problem.contains("truncado"))
        }
    }

    @Test func verifyWithACheckpointRequiresTheAuditorsPublicKey() async throws {
        let (status, output) = try await runSintra(["verify", "--database-url", "host=/nonexistent", "--checkpoint", "cp.json"])
        #expect(status != 0)
        #expect(output.contains("--public-key"), "\(output)")
    }
}
