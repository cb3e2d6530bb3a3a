import Foundation
import Postgres
import Testing
import TestDatabase

/// Task cancellation reaches PostgreSQL: a cancelled task's statement stops on the server (libpq's
/// cancel request), and a task cancelled while it waits for a connection leaves the line.
@Suite(.needsDatabase) struct CancellationTests {
    @Test func cancellingATaskCancelsItsRunningStatement() async throws {
        let database = try await TestDatabase.empty()
        let pool = ConnectionPool(connectionString: database.adminURL, maxConnections: 1)
        let started = ContinuousClock.now
        let sleeping = Task { try await pool.query("SELECT pg_sleep(60)") }
        // Wait until the statement is running on the server, then cancel the task.
        let observer = try await PostgresConnection.connect(database.adminURL)
        for _ in 0..<200 {
            let running = try await observer.query("""
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = 'SELECT pg_sleep(60)' AND state = 'active'
                """)[0].decode(Int.self, 0)
            if running == 1 { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        sleeping.cancel()
        let outcome = await sleeping.result
        // Ended by the server's cancellation (57014), long before the minute the statement asked for.
        #expect(throws: PostgresError.self) { try outcome.get() }
        if case .failure(let error as PostgresError) = outcome { #expect(error.sqlState == "57014", "\(error)") }
        #expect(ContinuousClock.now - started < .seconds(30))
        // The connection went back to the pool usable: the next statement runs on it.
        #expect(try await pool.query("SELECT 41 + 1")[0].decode(Int.self, 0) == 42)
        #expect(pool.statistics.total == 1)
        await observer.close()
        await pool.close()
    }

    @Test func aTaskCancelledWhileWaitingForAConnectionLeavesTheLine() async throws {
        let database = try await TestDatabase.empty()
        let pool = ConnectionPool(connectionString: database.adminURL, maxConnections: 1, acquireTimeout: .seconds(60))
        let release = AsyncStream.makeStream(of: Void.self)
        let held = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await pool.withConnection { _ in
                held.continuation.yield()
                for await _ in release.stream { break }
            }
        }
        for await _ in held.stream { break }
        let waiter = Task { try await pool.query("SELECT 1") }
        while pool.statistics.waiting == 0 { try await Task.sleep(for: .milliseconds(10)) }
        waiter.cancel()
        let outcome = await waiter.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(pool.statistics.waiting == 0)
        // The holder's connection is not lost to the cancelled waiter: the next caller gets it.
        release.continuation.yield()
        try await holder.value
        #expect(try await pool.query("SELECT 7")[0].decode(Int.self, 0) == 7)
        #expect(pool.statistics.total == 1)
        await pool.close()
    }
}
