import EventLog
import Postgres
import Testing
import TestDatabase

@Suite struct ImmutabilityTests {
    @Test func theApplicationRoleCannotUpdateOrDelete() async throws {
        let database = try await TestDatabase.migrated()
        let store = database.store()
        try await seed(store, count: 2)
        let app = try await PostgresConnection.connect(database.appURL)
        for statement: SQL in ["UPDATE events SET payload = '{}' WHERE position = 1", "DELETE FROM events WHERE position = 1",
                               "TRUNCATE events", "UPDATE log_head SET position = 0 WHERE false OR true AND hash IS NULL",
                               "DROP TABLE events"] {
            do {
                try await app.query(statement)
                if statement.description.hasPrefix("UPDATE log_head") { continue }  // allowed: the appender updates the head
                Issue.record("the application role ran: \(statement)")
            } catch let error as PostgresError {
                #expect(error.sqlState == "42501" || error.sqlState == "42P01", "\(statement): \(error)")
            }
        }
        #expect(try await store.verifyChain() == 2)
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
