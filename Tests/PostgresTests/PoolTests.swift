import Foundation
import Postgres
import Testing
import TestDatabase

@Suite struct PoolTests {
    @Test func neverOpensMoreThanItsBound() async throws {
        let database = try await TestDatabase.empty()
        let pool = ConnectionPool(connectionString: database.adminURL, maxConnections: 3)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask { try await pool.query("SELECT pg_sleep(0.02)") }
            }
            try await group.waitForAll()
        }
        #expect(await pool.statistics.total <= 3)
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

    /// Blocking libpq calls run on each connection's own thread: eight half-second sleeps
    /// overlap even though the cooperative pool has only as many threads as cores.
    @Test func blockingCallsDoNotOccupyTheCooperativePool() async throws {
        let database = try await TestDatabase.empty()
        let pool = ConnectionPool(connectionString: database.adminURL, maxConnections: 8)
        // Open the connections first so connection time is not measured.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { try await pool.query("SELECT pg_sleep(0.05)") } }
            try await group.waitForAll()
        }
        let clock = ContinuousClock()
        let elapsed = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { try await pool.query("SELECT pg_sleep(0.5)") } }
                try await group.waitForAll()
            }
        }
        // Serialised on a 2-thread pool this would take at least 2 s.
        #expect(elapsed < .milliseconds(1_800))
        await pool.close()
    }
}
