import Foundation
import Postgres
import Testing
import TestDatabase

/// The connection layer holds no thread while a statement runs (`SocketReactor`): the task waits,
/// suspended, and one reactor thread watches every socket.
@Suite(.needsDatabase) struct NonBlockingTests {
    /// The process's threads now, from the kernel.
    static func threads() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("Threads:") } ?? ""
        return Int(line.split(separator: "\t").last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "") ?? -1
    }

    @Test func manyStatementsWaitAtOnceWithoutAThreadEach() async throws {
        let database = try await TestDatabase.empty()
        // Sixteen: enough that a thread per connection would show (more than 8), few enough not to
        // crowd the cluster the other suites share while they run in parallel.
        let count = 16
        let pool = ConnectionPool(connectionString: database.adminURL, maxConnections: count)
        // Counted before any of the connections exists: a layer with a thread per connection
        // would add them when connecting.
        let before = try Self.threads()
        // Open the connections first (connecting is the one step that borrows a thread, briefly).
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<count { group.addTask { try await pool.withConnection { _ = try await $0.query("SELECT 1") ; try await Task.sleep(for: .milliseconds(50)) } } }
            try await group.waitForAll()
        }
        let observer = try await PostgresConnection.connect(database.adminURL)
        let started = ContinuousClock.now
        let sleepers = Task {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<count { group.addTask { try await pool.query("SELECT $1::int FROM pg_sleep(1)", [.int32(Int32(index))])[0].decode(Int.self, 0) } }
                return try await group.reduce(0, +)
            }
        }
        // While all of them run on the server, the process has not grown a thread per statement.
        var running = 0
        for _ in 0..<200 where running < count {
            running = try await observer.query("""
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(1)' AND state = 'active'
                """)[0].decode(Int.self, 0)
            if running < count { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(running == count)
        let during = try Self.threads()
        #expect(during < before + 8, "threads went from \(before) to \(during) with \(count) statements waiting")
        #expect(try await sleepers.value == (0..<count).reduce(0, +))
        // They waited side by side: about one second in all, not one after another.
        #expect(ContinuousClock.now - started < .seconds(20))
        await observer.close()
        await pool.close()
    }

    @Test func closingAConnectionWhoseStatementIsWaitingEndsTheStatementAndFreesNothingTwice() async throws {
        let database = try await TestDatabase.empty()
        let connection = try await PostgresConnection.connect(database.adminURL)
        let started = ContinuousClock.now
        let sleeping = Task { try await connection.query("SELECT pg_sleep(30)") }
        let observer = try await PostgresConnection.connect(database.adminURL)
        for _ in 0..<200 {
            let running = try await observer.query("""
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = 'SELECT pg_sleep(30)' AND state = 'active'
                """)[0].decode(Int.self, 0)
            if running == 1 { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        await connection.close()
        // The statement is cancelled on the server and its task gets the error; then the connection is closed.
        let outcome = await sleeping.result
        #expect(throws: PostgresError.self) { try outcome.get() }
        #expect(ContinuousClock.now - started < .seconds(25))
        #expect(await connection.isHealthy == false)
        await #expect(throws: PostgresError.self) { try await connection.query("SELECT 1") }
        await observer.close()
    }

    @Test func aSecondStatementOnTheSameConnectionWhileOneWaitsIsRefused() async throws {
        let database = try await TestDatabase.empty()
        let connection = try await PostgresConnection.connect(database.adminURL)
        let first = Task { try await connection.query("SELECT 1 FROM pg_sleep(0.5)") }
        try await Task.sleep(for: .milliseconds(100))
        do {
            _ = try await connection.query("SELECT 2")
            Issue.record("a second statement interleaved with the first")
        } catch let error as PostgresError {
            #expect(error.kind == .busy, "\(error)")
        }
        #expect(try await first.value[0].decode(Int.self, 0) == 1)
        #expect(try await connection.query("SELECT 3")[0].decode(Int.self, 0) == 3)
        await connection.close()
    }
}
