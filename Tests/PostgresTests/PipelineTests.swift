import Postgres
import Testing
import TestDatabase

/// `pipeline`: several statements in one round trip, each one's rows in order, the first error
/// thrown, and the connection usable afterwards.
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

    @Test func aFailingStatementThrowsItsErrorAndLeavesTheConnectionUsable() async throws {
        let database = try await TestDatabase.empty()
        let connection = try await database.admin()
        try await connection.query("CREATE TABLE t (value int8 PRIMARY KEY)")
        // The three statements share one implicit transaction: the insert before the failure is
        // rolled back with it, and the one after it never runs.
        await #expect {
            _ = try await connection.pipeline([
                PipelinedStatement("INSERT INTO t VALUES ($1)", [.int64(1)]),
                PipelinedStatement("SELECT 1 / $1::int8", [.int64(0)]),
                PipelinedStatement("INSERT INTO t VALUES ($1)", [.int64(2)]),
            ])
        } throws: { error in
            (error as? PostgresError)?.sqlState == "22012"
        }
        #expect(try await connection.query("SELECT count(*) FROM t")[0].decode(Int64.self, 0) == 0)
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
