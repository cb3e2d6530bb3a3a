import Foundation
import Postgres
import Testing
import TestDatabase

@Suite(.needsDatabase) struct QueryTests {
    @Test func connectsWithKeyValueAndURIForms() async throws {
        let database = try await TestDatabase.empty()
        let keyValue = try await PostgresConnection.connect(database.adminURL)
        let name = try await keyValue.query("SELECT current_database()")[0].decode(String.self, 0)
        #expect(name == database.name)
        let socket = ProcessInfo.processInfo.environment["SINTRA_TEST_SOCKET"]!
        let encodedSocket = socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let uri = try await PostgresConnection.connect("postgresql:///\(database.name)?host=\(encodedSocket)&user=postgres")
        #expect(try await uri.query("SELECT current_user")[0].decode(String.self, 0) == "postgres")
    }

    @Test func connectionFailureIsTyped() async throws {
        await #expect {
            _ = try await PostgresConnection.connect("host=/nonexistent-socket-dir dbname=x connect_timeout=2")
        } throws: { error in
            (error as? PostgresError)?.kind == .connection
        }
    }

    @Test func decodesEveryTypeExactly() async throws {
        let connection = try await PostgresConnection.connect(TestDatabase.clusterAdminURL)
        let stamp = Timestamp(microsecondsSinceUnixEpoch: 1_709_294_400_123_456)
        let rows = try await connection.query("""
            SELECT $1::int8, $2::int4, $3::bool, $4::float8, $5::text, $6::bytea, $7::jsonb,
                   $8::timestamptz, 12345678901234.5678::numeric, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid,
                   NULL::text, -0.00012::numeric
            """, [.int64(.max), .int32(.min), .bool(true), .double(0.1), .text("ñandú «comillas» ' \""),
                  .bytea([0, 1, 255]), .jsonb(#"{"b":1,"a":[true,null]}"#), .timestamp(stamp)])
        let row = rows[0]
        #expect(try row.decode(Int64.self, 0) == .max)
        #expect(try row.decode(Int32.self, 1) == .min)
        #expect(try row.decode(Bool.self, 2))
        #expect(try row.decode(Double.self, 3) == 0.1)
        #expect(try row.decode(String.self, 4) == "ñandú «comillas» ' \"")
        #expect(try row.decode([UInt8].self, 5) == [0, 1, 255])
        #expect(try row.decode(String.self, 6) == #"{"a": [true, null], "b": 1}"#)
        #expect(try row.decode(Timestamp.self, 7) == stamp)
        #expect(try row.decode(String.self, 8) == "12345678901234.5678")
        #expect(try row.decode(String.self, 9) == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
        #expect(try row.decode(String?.self, 10) == nil)
        #expect(try row.decode(String.self, 11) == "-0.00012")
        #expect(throws: PostgresError.self) { try row.decode(String.self, 10) }
        #expect(throws: PostgresError.self) { try row.decode(Int64.self, 4) }
    }

    @Test func parametersAreNeverInterpretedAsSQL() async throws {
        let database = try await TestDatabase.empty()
        let connection = try await database.admin()
        try await connection.query("CREATE TABLE t (value text)")
        let hostile = "x'); DROP TABLE t; --"
        try await connection.query("INSERT INTO t VALUES ($1)", [.text(hostile)])
        #expect(try await connection.query("SELECT value FROM t")[0].decode(String.self, 0) == hostile)
    }

    @Test func serverErrorsCarrySQLStateDetailAndConstraint() async throws {
        let database = try await TestDatabase.empty()
        let connection = try await database.admin()
        try await connection.query("CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY)")
        try await connection.query("INSERT INTO t VALUES (1)")
        do {
            try await connection.query("INSERT INTO t VALUES (1)")
            Issue.record("expected a unique violation")
        } catch let error as PostgresError {
            #expect(error.kind == .server)
            #expect(error.sqlState == "23505")
            #expect(error.constraint == "t_pk")
            #expect(error.detail?.contains("(id)=(1)") == true)
        }
        // The connection is still usable afterwards.
        #expect(try await connection.query("SELECT 1")[0].decode(Int.self, 0) == 1)
    }

    @Test func transactionsCommitAndRollBack() async throws {
        let database = try await TestDatabase.empty()
        let connection = try await database.admin()
        try await connection.query("CREATE TABLE t (id int)")
        try await connection.withTransaction { try await $0.query("INSERT INTO t VALUES (1)") }
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await connection.withTransaction { connection in
                try await connection.query("INSERT INTO t VALUES (2)")
                throw Boom()
            }
        }
        #expect(try await connection.query("SELECT count(*) FROM t")[0].decode(Int.self, 0) == 1)
        #expect(await connection.isIdle)
    }
}

@Suite(.needsDatabase) struct ArrayParameterTests {
    @Test func binaryArraysRoundTripThroughUnnest() async throws {
        let connection = try await PostgresConnection.connect(TestDatabase.clusterAdminURL)
        let stamp = Timestamp(microsecondsSinceUnixEpoch: 1_000_000_123_456)
        let rows = try await connection.query("""
            SELECT t, i, j, b, ts, n FROM unnest($1::text[], $2::int4[], $3::jsonb[], $4::bytea[], $5::timestamptz[], $6::int8[])
                   WITH ORDINALITY AS u(t, i, j, b, ts, n, o) ORDER BY o
            """, [.array(.text(["uno", "dos «2»", ""])), .array(.int32([1, -2, .max])),
                  .array(.jsonb([#"{"a":1}"#, "[]", "null"])), .array(.bytea([[1], [], [255, 0]])),
                  .array(.timestamp([stamp, stamp, stamp])), .array(.int64([.min, 0, .max]))])
        #expect(rows.count == 3)
        #expect(try rows.map { try $0.decode(String.self, 0) } == ["uno", "dos «2»", ""])
        #expect(try rows.map { try $0.decode(Int32.self, 1) } == [1, -2, .max])
        #expect(try rows.map { try $0.decode(String.self, 2) } == [#"{"a": 1}"#, "[]", "null"])
        #expect(try rows.map { try $0.decode([UInt8].self, 3) } == [[1], [], [255, 0]])
        #expect(try rows.map { try $0.decode(Timestamp.self, 4) } == [stamp, stamp, stamp])
        #expect(try rows.map { try $0.decode(Int64.self, 5) } == [.min, 0, .max])
        let empty = try await connection.query("SELECT cardinality($1::text[])", [.array(.text([]))])
        #expect(try empty[0].decode(Int.self, 0) == 0)
    }
}

@Suite(.needsDatabase) struct TimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000000Z"),
        (-1, "1969-12-31T23:59:59.999999Z"),
        (1_709_294_400_123_456, "2024-03-01T12:00:00.123456Z"),
        (951_782_400_000_000, "2000-02-29T00:00:00.000000Z"),
    ])
    func formatsAndParsesRFC3339(micros: Int64, text: String) {
        let timestamp = Timestamp(microsecondsSinceUnixEpoch: micros)
        #expect(timestamp.iso8601 == text)
        #expect(Timestamp(iso8601: text) == timestamp)
    }

    @Test func parsesOffsetsAndBareDatesAndRejectsNonsense() {
        #expect(Timestamp(iso8601: "2024-03-01T06:00:00.5-06:00") == Timestamp(iso8601: "2024-03-01T12:00:00.500000Z"))
        #expect(Timestamp(iso8601: "2024-03-01") == Timestamp(iso8601: "2024-03-01T00:00:00Z"))
        for bad in ["2024-02-30", "2023-02-29", "2024-13-01", "2024-03-01T25:00:00Z", "2024-03-01T12:00:00", "ayer",
                    "2024-03-01T12:00:00.1234567Z", "2024-03-01T12:00:00+0600"] {
            #expect(Timestamp(iso8601: bad) == nil, "\(bad)")
        }
    }

    /// "As of a day" is the end of that day in Mexico City: UTC−6 since 2022, UTC−5 in the summers before.
    @Test func theEndOfADayIsMexicoCitys() {
        #expect(Timestamp(endOfDay: "2026-12-07") == Timestamp(iso8601: "2026-12-08T05:59:59.999999Z"))
        #expect(Timestamp(endOfDay: "2021-07-01") == Timestamp(iso8601: "2021-07-02T04:59:59.999999Z"))
        #expect(Timestamp(endOfDay: "2024-12-31") == Timestamp(iso8601: "2025-01-01T05:59:59.999999Z"))
        #expect(Timestamp(endOfDay: "2024-02-29") == Timestamp(iso8601: "2024-03-01T05:59:59.999999Z"))
        for bad in ["2023-02-29", "ayer", "2024-3-1", ""] { #expect(Timestamp(endOfDay: bad) == nil, "\(bad)") }
    }
}

@Suite(.needsDatabase) struct TimestampExtremesTests {
    @Test func formattingNeverTraps() {
        for micros in [Int64.min, .max, -1, -86_400_000_000, -62_135_596_800_000_001] {
            #expect(!Timestamp(microsecondsSinceUnixEpoch: micros).iso8601.isEmpty)
        }
        #expect(Timestamp(microsecondsSinceUnixEpoch: -62_135_596_800_000_000).iso8601 == "0001-01-01T00:00:00.000000Z")
    }
}

@Suite(.needsDatabase) struct SQLQueryTests {
    @Test func numbersParametersInTheOrderTheyAreBound() async throws {
        var query = SQLQuery("SELECT x FROM (VALUES (1, 'a'), (2, 'b'), (3, 'a')) t(x, y) WHERE true")
        let letter = query.bind(.text("a"))
        let limit = query.bind(.int64(1))
        let shared: SQL = "x DESC"
        // A placeholder may be written twice and after one bound later.
        query.append("AND (y = \(letter) OR \(letter) = 'z') ORDER BY \(shared) LIMIT \(limit)")
        #expect(query.sql.description.hasSuffix("AND (y = $1 OR $1 = 'z') ORDER BY x DESC LIMIT $2"))
        #expect(query.parameters == [.text("a"), .int64(1)])
        let connection = try await PostgresConnection.connect(TestDatabase.clusterAdminURL)
        #expect(try await connection.query(query.sql, query.parameters).map { try $0.decode(Int.self, "x") } == [3])
    }

    @Test func decodesByColumnNameAndSaysWhichIsMissing() async throws {
        let connection = try await PostgresConnection.connect(TestDatabase.clusterAdminURL)
        let row = try #require(try await connection.query("SELECT 1::int4 AS uno, 'dos' AS dos").first)
        #expect(try row.decode(String.self, "dos") == "dos")
        #expect(try row.decode(Int.self, "uno") == 1)
        #expect(throws: PostgresError.self) { try row.decode(Int.self, "tres") }
    }
}
