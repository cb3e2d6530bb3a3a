import Foundation
import Postgres
import TestDatabase
import Testing

/// The API through a failover, with the database's side played by the test: sessions ended under
/// the server (the old primary stopping), then a database that only reads (a demoted primary, or
/// a standby not yet promoted). The API answers 503 with Retry-After while it cannot write, never
/// 500, recovers by itself, and a client's retry with the same Idempotency-Key writes exactly once.
@Suite(.needsDatabase) struct DatabaseUnavailableTests {
    static func terminateSessions(_ database: TestDatabase) async throws {
        try await database.asSuperuser("""
            SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
            """)
    }

    /// From the cluster's maintenance database: the test database itself may be read-only by then.
    static func alterDatabase(_ database: TestDatabase, _ change: String) async throws {
        let cluster = try await PostgresConnection.connect(try #require(ProcessInfo.processInfo.environment["SINTRA_TEST_ADMIN_URL"]))
        try await cluster.execute(SQLScript("ALTER DATABASE \"\(database.name)\" " + change, origin: "test"))
        await cluster.close()
    }

    @Test func writesAnswer503WhileTheDatabaseCannotWriteAndTheRetryWritesOnce() async throws {
        let world = try await APIWorld.make()
        try await world.account("cap.fgr", "FGR", [.capturista])
        let key = UUID().uuidString
        try await world.test { client in
            let token = try await client.login("cap.fgr")
            #expect(try await client.command("registrar-persona", persona(), token: token).status == 201)

            // The server's sessions end (a primary going away): the next request reconnects unnoticed.
            try await Self.terminateSessions(world.database)
            let afterRestart = try await client.command("registrar-persona", persona(), token: token)
            #expect(afterRestart.status == 201, "\(afterRestart.text)")

            // Only a server that refuses writes is reachable now.
            try await Self.alterDatabase(world.database, "SET default_transaction_read_only = on")
            try await Self.terminateSessions(world.database)
            let refused = try await client.command("registrar-persona", persona(), token: token, key: key)
            #expect(refused.status == 503, "\(refused.text)")
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(refused.headers[.contentType]?.hasPrefix("application/problem+json") == true)

            // A writable primary again: the same key writes once, and once only.
            try await Self.alterDatabase(world.database, "RESET default_transaction_read_only")
            try await Self.terminateSessions(world.database)
            let written = try await client.command("registrar-persona", persona(), token: token, key: key)
            #expect(written.status == 201, "\(written.text)")
            let again = try await client.command("registrar-persona", persona(), token: token, key: key)
            #expect(again.status == 200 && again.json["flujo"] == written.json["flujo"], "\(again.text)")
        }
        let admin = try await world.database.admin()
        let written = try await admin.query("SELECT count(*) FROM events WHERE metadata->>'idempotencyKey' = $1", [.text(key)])
        #expect(try written[0].decode(Int.self, 0) == 1)
        await admin.close()
    }
}
