import Foundation
import Postgres
import Testing
import TestDatabase

@Suite(.needsDatabase) struct PoolTests {
    @Test func neverOpensMoreThanItsBound() async throws {
        let database = try await TestDatabase.empty()
        let pool = ConnectionPool(connectionString: database.adminURL, maxConnections: 3)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask { try await pool.query("SELECT pg_sleep(0.02)") }
            }
            try await group.waitForAll()
        }
        #expect(pool.statistics.total <= 3)
        let backends = try await pool.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")[0].decode(Int.self, 0)
        #expect(backends <= 3)
        await pool.close()
    }

    @Test func waitingTooLongFailsWithPoolExhausted() async throws {
        let database = try await TestDatabase.empty()
        let pool = ConnectionPool(connectionString: database.adminURL, maxConnections: 1, acquireTimeout: .milliseconds(200))
        try await pool.withConnection { _ in
            await #expect {
                try await pool.query("SELECT 1")
            } throws: { error in
                (error as? PostgresError)?.kind == .poolExhausted
            }
        }
        #expect(try await pool.query("SELECT 1")[0].decode(Int.self, 0) == 1)
        await pool.close()
    }

    /// Blocking libpq calls run on each connection's own thread: eight half-second sleeps overlap
    /// even though the cooperative pool has only as many threads as cores. Measured as overlap in
    /// the server's own clock (how many sleeps ran at once), not as wall time, so a loaded machine
    /// cannot make it fail: on a 2-thread pool no more than two could ever run together.
    @Test func blockingCallsDoNotOccupyTheCooperativePool() async throws {
        let database = try await TestDatabase.empty()
        let pool = ConnectionPool(connectionString: database.adminURL, maxConnections: 8)
        // Open the eight connections first: on a loaded machine a new backend can take longer to
        // start than a sleep lasts, and that would measure connection setup, not blocking calls.
        for _ in 0..<20 where pool.statistics.total < 8 {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { try await pool.query("SELECT pg_sleep(0.2)") } }
                try await group.waitForAll()
            }
        }
        let intervals = try await withThrowingTaskGroup(of: (Timestamp, Timestamp).self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let row = try #require(try await pool.query("SELECT statement_timestamp(), clock_timestamp() FROM pg_sleep(0.5)").first)
                    return (try row.decode(Timestamp.self, 0), try row.decode(Timestamp.self, 1))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let mostAtOnce = intervals.map { start, _ in
            intervals.filter { $0.0.microsecondsSinceUnixEpoch <= start.microsecondsSinceUnixEpoch && start.microsecondsSinceUnixEpoch < $0.1.microsecondsSinceUnixEpoch }.count
        }.max() ?? 0
        #expect(intervals.count == 8 && mostAtOnce >= 3, "a lo más \(mostAtOnce) a la vez")
        await pool.close()
    }
}
