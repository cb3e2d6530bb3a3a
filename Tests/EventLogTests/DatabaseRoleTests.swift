import EventLog
import Foundation
import Postgres
import Projections
import Testing
import TestDatabase

/// The database trusts nobody more than it must (README "Database roles"): the roles `sintra serve`
/// logs in as cannot touch the log's protections, and the server holds no superuser connection.
@Suite(.needsDatabase) struct DatabaseRoleTests {
    static func expectRefused(_ connection: PostgresConnection, _ statement: SQL, _ role: String, _ parameters: [PostgresValue] = []) async {
        do {
            try await connection.query(statement, parameters)
            Issue.record("\(role) ran: \(statement)")
        } catch let error as PostgresError {
            #expect(error.sqlState == "42501" || error.sqlState == "42P01", "\(role), \(statement): \(error)")
        } catch {
            Issue.record("\(role), \(statement): \(error)")
        }
    }

    @Test func neitherRoleOfTheServerCanDisableTheTriggersOrChangeAnEvent() async throws {
        let database = try await TestDatabase.migrated()
        try await seed(database.store(), count: 2)
        for (role, url) in [("sintra_app", database.appURL), ("sintra_proyector", database.projectorURL)] {
            let connection = try await PostgresConnection.connect(url)
            let superuser = try await connection.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            #expect(try superuser.first?.decode(Bool.self, 0) == false, "\(role)")
            for statement: SQL in ["ALTER TABLE events DISABLE TRIGGER events_no_update_or_delete", "ALTER TABLE events DISABLE TRIGGER ALL",
                                   "UPDATE events SET payload = '{}' WHERE position = 1", "DELETE FROM events WHERE position = 2",
                                   "UPDATE log_head SET position = 0", "DROP TRIGGER events_no_truncate ON events",
                                   "CREATE SCHEMA sintra_app", "CREATE TABLE public.sombra (x integer)"] {
                await Self.expectRefused(connection, statement, role)
            }
            await connection.close()
        }
        #expect(try await database.store().verifyChain().count == 2)
    }

    @Test func theProjectorReadsTheLogAndWritesReadModelsOnly() async throws {
        let database = try await TestDatabase.migrated()
        try await seed(database.store(), count: 1)
        let projector = try await PostgresConnection.connect(database.projectorURL)
        for statement: SQL in ["INSERT INTO events SELECT position + 1, stream_id, stream_type, version + 1, event_type, schema_version, payload, metadata, occurred_at, recorded_at, previous_hash, hash FROM events",
                               "SELECT * FROM personal_data_keys", "DELETE FROM personal_data_keys", "SELECT * FROM account_credentials",
                               "SELECT * FROM append_events('[]', '{}', '{}', '{}', '{}', '{}', '{}')", "DELETE FROM projection_state"] {
            await Self.expectRefused(projector, statement, "sintra_proyector")
        }
        // Schemas only through the owner's functions, and only with a projection's name.
        for name in ["sintra_app", "public", "pg_temp", "proj_X"] {
            await Self.expectRefused(projector, "SELECT create_projection_schema($1)", "sintra_proyector", [.text(name)])
        }
        try await projector.query("SELECT create_projection_schema('proj_prueba')")
        try await projector.query("CREATE TABLE proj_prueba.t AS SELECT position FROM events")
        try await projector.query("INSERT INTO projection_state (name, version, schema_name) VALUES ('prueba', 1, 'proj_prueba')")
        try await projector.query("UPDATE projection_state SET position = 1 WHERE name = 'prueba'")
        try await projector.query("SELECT drop_projection_schema('proj_prueba')")
        await projector.close()
    }

    /// What ops/run does: a non-superuser owner migrates (roles created once by the cluster's
    /// superuser), then the application appends and the projector builds, each as its own role.
    @Test func aNonSuperuserOwnerMigratesAndEachRoleDoesItsPart() async throws {
        let admin = try await PostgresConnection.connect(TestDatabase.clusterAdminURL)
        try await admin.execute(SQLScript("""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sintra_owner') THEN CREATE ROLE sintra_owner LOGIN; END IF;
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sintra_app') THEN CREATE ROLE sintra_app LOGIN; END IF;
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sintra_proyector') THEN CREATE ROLE sintra_proyector LOGIN; END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$;
            """, origin: "test"))
        let name = "t_owner_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        try await admin.execute(SQLScript("CREATE DATABASE \(SQLIdentifier.quote(name)) OWNER sintra_owner", origin: "test"))
        await admin.close()
        let socket = ProcessInfo.processInfo.environment["SINTRA_TEST_SOCKET"] ?? "/tmp"
        let owner = try await PostgresConnection.connect("host=\(socket) dbname=\(name) user=sintra_owner")
        let applied = try await Migrator(directory: TestDatabase.repositoryRoot.appendingPathComponent("migrations")).migrate(owner)
        #expect(applied.count >= 13)
        #expect(try await owner.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").first?.decode(Bool.self, 0) == false)
        await owner.close()

        let store = EventStore(pool: ConnectionPool(connectionString: "host=\(socket) dbname=\(name) user=sintra_app", maxConnections: 2))
        let projector = Projector(pool: ConnectionPool(connectionString: "host=\(socket) dbname=\(name) user=sintra_proyector", maxConnections: 4),
                                  projections: repositoryProjections)
        // Built, rebuilt and swapped in schemas the owner's functions make (the fixture's events are
        // not the domain's, so the projections are built before them).
        try await projector.start()
        try await projector.rebuild(repositoryProjections[0])
        #expect(try await projector.status().allSatisfy { $0.position == 0 && $0.lastError == nil })
        try await seed(store, count: 3)
        #expect(try await store.verifyChain().count == 3)
        await store.close()
    }
}
