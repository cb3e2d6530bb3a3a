import Postgres
import Testing
import TestDatabase

/// `pipeline`: several statements in one round trip, each one's rows in order, one failing
/// statement stopping no other, and the connection usable afterwards.
@Suite(.needsDatabase) struct PipelineTests {
    @Test func returnsEachStatementsRowsInOrder() async throws {
        let connection = try await PostgresConnection.connect(TestDatabase.clusterAdminURL)
        // Twice: the first time each statement is new to the session (prepared first), then reused.
        for round in 0..<2 {
            let results = try await connection.pipeline([
                PipelinedStatement("SELECT generate_series(1, $1::int8)", [.int64(3)]),
                PipelinedStatement("SELECT $1::text || ' ñ'", [.text("uno \(round)")]),
                PipelinedStatement("SELECT 1 WHERE false"),
                PipelinedStatement("SELECT $1::int8 * 2, NULL::text", [.int64(21)]),
            ])
            #expect(results.count == 4)
            #expect(try results[0].map { try $0.decode(Int64.self, 0) } == [1, 2, 3])
            #expect(try results[1][0].decode(String.self, 0) == "uno \(round) ñ")
            #expect(results[2].isEmpty)
            #expect(try results[3][0].decode(Int64.self, 0) == 42)
            #expect(try results[3][0].decode(String?.self, 1) == nil)
        }
        #expect(try await connection.pipeline([]).isEmpty)
        #expect(try await connection.pipeline([PipelinedStatement("SELECT 7")])[0][0].decode(Int32.self, 0) == 7)
    }

    @Test func aFailingStatementStopsNoOtherAndLeavesTheConnectionUsable() async throws {
        let database = try await TestDatabase.empty()
        let connection = try await database.admin()
        try await connection.query("CREATE TABLE t (value int8 PRIMARY KEY)")
        // Each statement is its own implicit transaction: the inserts around the failure both land.
        let statements = [
            PipelinedStatement("INSERT INTO t VALUES ($1)", [.int64(1)]),
            PipelinedStatement("SELECT 1 / $1::int8", [.int64(0)]),
            PipelinedStatement("INSERT INTO t VALUES ($1)", [.int64(2)]),
        ]
        let outcomes = try await connection.pipelineResults(statements)
        #expect(outcomes.count == 3)
        #expect(try outcomes[0].get().affectedRows == 1 && outcomes[2].get().affectedRows == 1)
        #expect { try outcomes[1].get() } throws: { ($0 as? PostgresError)?.sqlState == "22012" }
        #expect(try await connection.query("SELECT array_agg(value ORDER BY value)::text FROM t")[0].decode(String.self, 0) == "{1,2}")
        // A statement the server cannot even prepare (no such table) fails alone too.
        let missing = try await connection.pipelineResults([PipelinedStatement("SELECT value FROM no_such_table WHERE value = $1", [.int64(1)]),
                                                            PipelinedStatement("SELECT count(*) FROM t")])
        #expect { try missing[0].get() } throws: { ($0 as? PostgresError)?.sqlState == "42P01" }
        #expect(try missing[1].get()[0].decode(Int64.self, 0) == 2)
        // `pipeline` throws that error.
        try await connection.query("TRUNCATE t")
        await #expect { _ = try await connection.pipeline(statements) } throws: { ($0 as? PostgresError)?.sqlState == "22012" }
        #expect(await connection.isIdle)
        let after = try await connection.pipeline([PipelinedStatement("SELECT 1"), PipelinedStatement("SELECT 2")])
        #expect(try after.map { try $0[0].decode(Int32.self, 0) } == [1, 2])
    }

    @Test func aPoolRunsAPipelineOnOneConnection() async throws {
        let database = try await TestDatabase.empty()
        let pool = ConnectionPool(connectionString: database.adminURL, maxConnections: 1)
        let results = try await pool.pipeline([PipelinedStatement("SELECT pg_backend_pid()"), PipelinedStatement("SELECT pg_backend_pid()")])
        #expect(try results[0][0].decode(Int32.self, 0) == results[1][0].decode(Int32.self, 0))
        #expect(try await pool.query("SELECT 3")[0].decode(Int32.self, 0) == 3)
        await pool.close()
    }
}
