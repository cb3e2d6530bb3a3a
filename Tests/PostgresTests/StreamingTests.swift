import Foundation
import Postgres
import Testing
import TestDatabase

@Suite(.needsDatabase) struct StreamingTests {
    @Test func cursorStreamsEveryRowInBatches() async throws {
        let connection = try await PostgresConnection.connect(TestDatabase.clusterAdminURL)
        var count = 0
        var sum: Int64 = 0
        var largestBatch = 0
        for try await batch in connection.stream("SELECT g FROM generate_series(1, $1::int8) g", [.int64(50_000)], batchSize: 1_000).batches {
            largestBatch = max(largestBatch, batch.count)
            for row in batch {
                count += 1
                sum += try row.decode(Int64.self, 0)
            }
        }
        #expect(count == 50_000)
        #expect(sum == 50_000 * 50_001 / 2)
        #expect(largestBatch == 1_000)
        #expect(await connection.isIdle)
        // Row by row, too.
        var seen: [Int64] = []
        for try await row in connection.stream("SELECT g FROM generate_series(1, 5) g", batchSize: 2) {
            seen.append(try row.decode(Int64.self, 0))
        }
        #expect(seen == [1, 2, 3, 4, 5])
    }

    @Test func abandonedStreamIsCleanedUpByThePool() async throws {
        let database = try await TestDatabase.empty()
        let pool = ConnectionPool(connectionString: database.adminURL, maxConnections: 1)
        try await pool.withConnection { connection in
            for try await _ in connection.stream("SELECT g FROM generate_series(1, 10000) g", batchSize: 10) { break }
        }
        // The only connection is usable again: the cursor's transaction was rolled back.
        #expect(try await pool.query("SELECT 42")[0].decode(Int.self, 0) == 42)
        await pool.close()
    }

    @Test func listenReceivesNotify() async throws {
        let listener = try await PostgresConnection.connect(TestDatabase.clusterAdminURL)
        let sender = try await PostgresConnection.connect(TestDatabase.clusterAdminURL)
        let channel = "canal_\(UInt32.random(in: 0...UInt32.max))"
        try await listener.listen(channel)
        #expect(try await listener.notifications(timeout: .milliseconds(50)).isEmpty)
        try await sender.notify(channel, payload: "hola")
        var received: [PostgresNotification] = []
        for _ in 0..<50 where received.isEmpty {
            received = try await listener.notifications(timeout: .milliseconds(100))
        }
        #expect(received == [PostgresNotification(channel: channel, payload: "hola")])
    }

    @Test func copyLoadsRowsWithSpecialCharacters() async throws {
        let database = try await TestDatabase.empty()
        let connection = try await database.admin()
        try await connection.query("CREATE TABLE t (id int8, label text, data bytea, at timestamptz, flag bool)")
        let stamp = Timestamp(microsecondsSinceUnixEpoch: 1_700_000_000_654_321)
        var rows: [[PostgresValue]] = (1...10_000).map { [.int64(Int64($0)), .text("fila \($0)"), .bytea([1, 2]), .timestamp(stamp), .bool(true)] }
        rows.append([.int64(0), .text("tab\there\nnewline \\ backslash \\N"), .null, .null, .bool(false)])
        let stored = try await connection.copyIn("COPY t (id, label, data, at, flag) FROM STDIN", rows: rows)
        #expect(stored == 10_001)
        let special = try await connection.query("SELECT label, data, at FROM t WHERE id = 0")[0]
        #expect(try special.decode(String.self, 0) == "tab\there\nnewline \\ backslash \\N")
        #expect(try special.decode([UInt8]?.self, 1) == nil)
        let first = try await connection.query("SELECT data, at FROM t WHERE id = 1")[0]
        #expect(try first.decode([UInt8].self, 0) == [1, 2])
        #expect(try first.decode(Timestamp.self, 1) == stamp)
    }
}
