import EventLog
import Postgres
import Testing
import TestDatabase

@Suite(.needsDatabase) struct ImmutabilityTests {
    @Test func theApplicationRoleCannotUpdateOrDelete() async throws {
        let database = try await TestDatabase.migrated()
        let store = database.store()
        try await seed(store, count: 2)
        let app = try await PostgresConnection.connect(database.appURL)
        for statement: SQL in ["UPDATE events SET payload = '{}' WHERE position = 1", "DELETE FROM events WHERE position = 1",
                               "TRUNCATE events", "UPDATE log_head SET position = 0", "DROP TABLE events",
                               "INSERT INTO events SELECT position + 10, stream_id, stream_type, version + 10, event_type, schema_version, payload, metadata, occurred_at, recorded_at, previous_hash, hash FROM events WHERE position = 1"] {
            do {
                try await app.query(statement)
                Issue.record("the application role ran: \(statement)")
            } catch let error as PostgresError {
                #expect(error.sqlState == "42501" || error.sqlState == "42P01", "\(statement): \(error)")
            }
        }
        #expect(try await store.verifyChain().count == 2)
    }

    @Test func theTriggersStopEvenTheOwner() async throws {
        let database = try await TestDatabase.migrated()
        try await seed(database.store(), count: 2)
        let owner = try await database.admin()
        for statement: SQL in ["UPDATE events SET payload = '{}' WHERE position = 1", "DELETE FROM events WHERE position = 2", "TRUNCATE events"] {
            do {
                try await owner.query(statement)
                Issue.record("the owner ran: \(statement)")
            } catch let error as PostgresError {
                #expect(error.sqlState == "SI001")
                #expect(error.message.contains("inmutable"))
            }
        }
        #expect(try await owner.query("SELECT count(*) FROM events")[0].decode(Int.self, 0) == 2)
    }
}
