import EventLog
import Foundation
import Postgres

/// A fresh, migrated database per test, in the throwaway cluster `ops/test` starts.
///
/// Tests run in parallel; each gets its own database, so none sees another's events.
/// `adminURL` connects as the cluster's superuser (who migrates here and inspects), `appURL` as the
/// application role `sintra_app`, `projectorURL` as `sintra_proyector`, the role projections write
/// through (README "Database roles").
public struct TestDatabase: Sendable {
    public let name: String
    public let adminURL: String
    public let appURL: String
    public let projectorURL: String

    /// Whether `ops/test` started a cluster for this run (it sets `SINTRA_TEST_ADMIN_URL`). Without
    /// one, `swift test` runs the suites that need no database and skips the others
    /// (`@Suite(.needsDatabase)`), saying why once per suite.
    public static var isAvailable: Bool { ProcessInfo.processInfo.environment["SINTRA_TEST_ADMIN_URL"] != nil }

    public struct NoCluster: Error, CustomStringConvertible {
        public var description: String { "SINTRA_TEST_ADMIN_URL is not set: run the tests with ops/test, which starts a PostgreSQL cluster" }
    }

    public static var clusterAdminURL: String {
        get throws {
            guard let url = ProcessInfo.processInfo.environment["SINTRA_TEST_ADMIN_URL"] else { throw NoCluster() }
            return url
        }
    }

    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Creates an empty database (no migrations).
    public static func empty() async throws -> TestDatabase {
        await Leftovers.dropOnce()
        let name = Leftovers.prefix + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let admin = try await PostgresConnection.connect(clusterAdminURL)
        try await admin.execute(SQLScript("CREATE DATABASE \(SQLIdentifier.quote(String(name)))", origin: "TestDatabase"))
        await admin.close()
        let socket = ProcessInfo.processInfo.environment["SINTRA_TEST_SOCKET"] ?? "/tmp"
        return TestDatabase(name: String(name),
                            adminURL: "host=\(socket) dbname=\(name) user=postgres",
                            appURL: "host=\(socket) dbname=\(name) user=sintra_app",
                            projectorURL: "host=\(socket) dbname=\(name) user=sintra_proyector")
    }

    /// Creates a database and applies every migration in `migrations/`.
    public static func migrated() async throws -> TestDatabase {
        let database = try await empty()
        let connection = try await database.admin()
        try await Migrator(directory: repositoryRoot.appendingPathComponent("migrations")).migrate(connection)
        await connection.close()
        return database
    }

    public func admin() async throws -> PostgresConnection { try await PostgresConnection.connect(adminURL) }

    /// An event store connected as the application role.
    public func store(maxConnections: Int = 8) -> EventStore {
        EventStore(pool: ConnectionPool(connectionString: appURL, maxConnections: maxConnections))
    }

    /// Runs a statement as the superuser (tamper tests).
    public func asSuperuser(_ script: String) async throws {
        let connection = try await admin()
        try await connection.execute(SQLScript(script, origin: "test"))
        await connection.close()
    }

    /// Every row of every table of `schema`, as text, sorted: two copies of a projection (built
    /// incrementally, rebuilt, replayed) are equal exactly when their snapshots are.
    public func snapshot(schema: String) async throws -> [String: [String]] {
        try await asSuperuser("""
            CREATE OR REPLACE FUNCTION sintra_test_dump(s text, t text) RETURNS SETOF text LANGUAGE plpgsql AS $$
            BEGIN RETURN QUERY EXECUTE format('SELECT x::text FROM %I.%I x ORDER BY 1', s, t); END $$;
            """)
        let connection = try await admin()
        do {
            let tables = try await connection.query("SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY 1", [.text(schema)])
                .map { try $0.decode(String.self, 0) }
            var result: [String: [String]] = [:]
            for table in tables {
                result[table] = try await connection.query("SELECT * FROM sintra_test_dump($1, $2)", [.text(schema), .text(table)])
                    .map { try $0.decode(String.self, 0) }
            }
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    /// `pg_dump` of this database as the superuser (`--data-only`, `--schema=…`): what an attacker
    /// with a copy of the disk would read. Returns the exit status and the dump.
    public func pgDump(_ arguments: [String]) throws -> (Int32, String) {
        let pgBin = ProcessInfo.processInfo.environment["SINTRA_TEST_PG_BIN"] ?? "/usr/lib/postgresql/15/bin"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: pgBin + "/pg_dump")
        process.arguments = ["--dbname=\(adminURL)"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let dump = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, dump)
    }

    /// The `sintra` executable built next to the tests.
    public static var sintraExecutable: URL {
        repositoryRoot.appendingPathComponent(".build/debug/sintra")
    }
}

/// Runs the built `sintra` executable; returns its exit status and combined output.
public func runSintra(_ arguments: [String], environment: [String: String] = [:], in folder: String? = nil) async throws -> (Int32, String) {
    try await runProgram(TestDatabase.sintraExecutable, arguments, environment: environment, in: folder)
}

/// Runs a program with the test process's environment plus `environment` (an empty value stands for
/// an unset variable to the programs here), in `folder`; returns its exit status and its output:
/// standard output and error together, or standard output alone (`standardErrorToo: false`) when
/// the output must parse as a document.
///
/// It waits without holding a thread: suites run in parallel on a cooperative pool as wide as the
/// machine's cores (two here), and a test blocked in `waitUntilExit` for the seconds a command takes
/// starved the others (a pool test waited 30 s for a thread to resume it). The output goes to a file,
/// read once the program ends, so a full pipe can never stall it.
public func runProgram(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], in folder: String? = nil,
                       standardErrorToo: Bool = true) async throws -> (Int32, String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("salida-\(UUID().uuidString)")
    guard FileManager.default.createFile(atPath: output.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
    defer { try? FileManager.default.removeItem(at: output) }
    let handle = try FileHandle(forWritingTo: output)
    process.standardOutput = handle
    process.standardError = standardErrorToo ? handle : FileHandle.nullDevice
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: error)
        }
    }
    try handle.close()
    return (status, String(decoding: (try? Data(contentsOf: output)) ?? Data(), as: UTF8.self))
}
