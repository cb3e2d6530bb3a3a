import Foundation
import Postgres
import Testing
import TestDatabase

/// What the pool does when the server goes away under it — a failover, a restart, an administrator
/// ending sessions: sessions closed while idle are replaced without a failed statement, a statement
/// cut mid-way is reported as the database being unavailable (its outcome unknown), and a session
/// the server turned read-only (a demoted primary) is not lent again.
@Suite(.needsDatabase) struct ReconnectTests {
    /// Ends every other session of the test database, and waits until each backend has exited.
    static func terminateOthers(_ database: TestDatabase) async throws -> Int {
        let admin = try await database.admin()
        defer { Task { await admin.close() } }
        return try await admin.query("""
            SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
            """)[0].decode(Int.self, 0)
    }

    /// Opens `count` connections in the pool (all busy at once, then idle) and returns their backends.
    static func fill(_ pool: ConnectionPool, _ count: Int) async throws -> Set<Int> {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<count { group.addTask { try await pool.query("SELECT pg_backend_pid() FROM pg_sleep(0.2)")[0].decode(Int.self, 0) } }
            return try await group.reduce(into: []) { $0.insert($1) }
        }
    }

    @Test func sessionsClosedWhileIdleAreReplacedWithoutAFailedStatement() async throws {
        let database = try await TestDatabase.empty()
        let pool = ConnectionPool(connectionString: database.adminURL, maxConnections: 3)
        let before = try await Self.fill(pool, 3)
        #expect(pool.statistics.idle == before.count)
        #expect(try await Self.terminateOthers(database) == before.count)
        // Neither path sees the dead sessions: a single statement, then a borrowed connection.
        let after = try await pool.query("SELECT pg_backend_pid()")[0].decode(Int.self, 0)
        #expect(!before.contains(after))
        _ = try await Self.terminateOthers(database)
        let borrowed = try await pool.withConnection { connection in
            try await connection.query("SELECT pg_backend_pid()")[0].decode(Int.self, 0)
        }
        #expect(!before.contains(borrowed) && borrowed != after)
        await pool.close()
    }

    @Test func aStatementCutMidwayIsReportedUnavailableAndTheNextOneReconnects() async throws {
        let database = try await TestDatabase.empty()
        let pool = ConnectionPool(connectionString: database.adminURL + " application_name=cortada", maxConnections: 2)
        let running = Task { try await pool.query("SELECT pg_sleep(60)") }
        let admin = try await database.admin()
        var ended = 0
        while ended == 0 {
            ended = try await admin.query("""
                SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM pg_stat_activity
                 WHERE application_name = 'cortada' AND state = 'active' AND query LIKE '%pg_sleep(60)%'
                """)[0].decode(Int.self, 0)
            if ended == 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
        await admin.close()
        let failure = await #expect(throws: PostgresError.self) { try await running.value }
        #expect(failure?.isUnavailable == true && failure?.isConnectionLoss == true && failure?.neverSent == false, "\(String(describing: failure))")
        #expect(try await pool.query("SELECT 1")[0].decode(Int.self, 0) == 1)
        await pool.close()
    }

    @Test func aSessionThatBecameReadOnlyIsNotLentAgain() async throws {
        let database = try await TestDatabase.empty()
        let pool = ConnectionPool(connectionString: database.adminURL, maxConnections: 1)
        // As a demoted primary's sessions would be: every write refused with 25006.
        try await pool.withConnection { try await $0.query("SET default_transaction_read_only = on") }
        let refused = await #expect(throws: PostgresError.self) { try await pool.query("CREATE TABLE escrito (x int)") }
        #expect(refused?.sqlState == "25006" && refused?.isUnavailable == true, "\(String(describing: refused))")
        #expect(try await pool.query("SHOW default_transaction_read_only")[0].decode(String.self, 0) == "off")
        try await pool.query("CREATE TABLE escrito (x int)")
        await pool.close()
    }
}
