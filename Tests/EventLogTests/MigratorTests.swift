import Cryptography
import EventLog
import Foundation
import Postgres
import Testing
import TestDatabase

@Suite(.needsDatabase) struct MigratorTests {
    @Test func appliesInOrderOnceAndRefusesAnEditedMigration() async throws {
        let database = try await TestDatabase.empty()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("migraciones-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "CREATE TABLE uno (id int);".write(to: folder.appendingPathComponent("0001_uno.sql"), atomically: true, encoding: .utf8)
        try "INSERT INTO uno VALUES (1);".write(to: folder.appendingPathComponent("0002_dos.sql"), atomically: true, encoding: .utf8)

        let connection = try await database.admin()
        #expect(try await Migrator(directory: folder).migrate(connection) == ["0001_uno.sql", "0002_dos.sql"])
        #expect(try await Migrator(directory: folder).migrate(connection) == [])
        #expect(try await connection.query("SELECT count(*) FROM uno")[0].decode(Int.self, 0) == 1)

        // A failing migration leaves nothing behind (each runs in its own transaction).
        try "CREATE TABLE tres (id int); SELECT 1/0;".write(to: folder.appendingPathComponent("0003_tres.sql"), atomically: true, encoding: .utf8)
        await #expect(throws: PostgresError.self) { try await Migrator(directory: folder).migrate(connection) }
        #expect(try await connection.query("SELECT to_regclass('tres') IS NULL")[0].decode(Bool.self, 0))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("0003_tres.sql"))

        try "INSERT INTO uno VALUES (2);".write(to: folder.appendingPathComponent("0002_dos.sql"), atomically: true, encoding: .utf8)
        do {
            try await Migrator(directory: folder).migrate(connection)
            Issue.record("an edited migration was accepted")
        } catch let failure as Migrator.Failure {
            #expect(failure.description.contains("0002_dos.sql"))
            #expect(failure.description.contains("cambió"))
        }
    }

    @Test func aFolderIsOneMigrationOfItsFilesInNameOrder() async throws {
        let database = try await TestDatabase.empty()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("migraciones-\(UUID().uuidString)")
        let functions = folder.appendingPathComponent("0002_funciones")
        try FileManager.default.createDirectory(at: functions, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "CREATE SCHEMA f;".write(to: folder.appendingPathComponent("0001_esquema.sql"), atomically: true, encoding: .utf8)
        // `b` uses `a`: applied in name order, both in one transaction.
        try "CREATE FUNCTION f.a() RETURNS int LANGUAGE sql AS 'SELECT 1';".write(
            to: functions.appendingPathComponent("a.sql"), atomically: true, encoding: .utf8)
        try "CREATE FUNCTION f.b() RETURNS int LANGUAGE sql AS 'SELECT f.a() + 1';".write(
            to: functions.appendingPathComponent("b.sql"), atomically: true, encoding: .utf8)

        let connection = try await database.admin()
        #expect(try await Migrator(directory: folder).migrate(connection) == ["0001_esquema.sql", "0002_funciones"])
        #expect(try await connection.query("SELECT f.b()")[0].decode(Int.self, 0) == 2)

        // A file added to an applied folder is an edit of that migration.
        try "SELECT 1;".write(to: functions.appendingPathComponent("c.sql"), atomically: true, encoding: .utf8)
        await #expect(throws: Migrator.Failure.self) { try await Migrator(directory: folder).migrate(connection) }
    }

    @Test func theCommandLineMigratesAndReportsStats() async throws {
        let database = try await TestDatabase.empty()
        let root = TestDatabase.repositoryRoot.path
        var (status, output) = try await runSintra(["migrate", "--admin-url", database.adminURL, "--directory", root + "/migrations"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("aplicada 0002_events.sql"))
        let store = database.store()
        _ = try await store.append(request("victima-1", expected: .noStream))
        await store.close()
        (status, output) = try await runSintra(["log", "stats", "--database-url", database.appURL])
        #expect(status == 0)
        #expect(output.contains("eventos:") && output.contains("1"))
        (status, output) = try await runSintra(["verify", "--database-url", database.appURL])
        #expect(status == 0, "\(output)")
    }
}

/// `sintra migrate` as an operator runs it: from any folder, not only the repository's.
@Suite(.needsDatabase) struct MigrateCommandTests {
    func run(_ arguments: [String], in folder: String, environment: [String: String]) async throws -> (Int32, String) {
        try await runSintra(["migrate"] + arguments, environment: environment, in: folder)
    }

    @Test func migrateFindsItsMigrationsFromAnyFolderAndExplainsAMissingOne() async throws {
        let database = try await TestDatabase.empty()
        // Outside the repository, without SINTRA_ROOT: the migrations beside the executable's build are found.
        var (status, output) = try await run(["--admin-url", database.adminURL], in: "/tmp", environment: ["SINTRA_ROOT": "", "SINTRA_MIGRATIONS_DIR": ""])
        #expect(status == 0 && output.contains("migraciones aplicadas"), "\(output)")
        (status, output) = try await run(["--admin-url", database.adminURL, "--directory", "/no/existe"], in: "/tmp", environment: [:])
        #expect(status != 0 && output.contains("no se puede leer la carpeta de migraciones «/no/existe»"), "\(output)")
        #expect(!output.contains("NSCocoaErrorDomain") && !output.contains("Error Domain"), "\(output)")
        (status, output) = try await run(["--admin-url", database.adminURL], in: "/tmp", environment: ["SINTRA_MIGRATIONS_DIR": "/tmp"])
        #expect(status != 0 && output.contains("la carpeta «/tmp» no contiene migraciones"), "a folder the operator named is used as named: \(output)")
    }
}

/// Test databases do not pile up in a developer's cluster: a run drops what finished runs left.
@Suite(.needsDatabase) struct LeftoverDatabaseTests {
    @Test func databasesOfFinishedTestProcessesAreDroppedAndOursAreKept() async throws {
        let ours = try await TestDatabase.empty()
        let admin = try await PostgresConnection.connect(TestDatabase.clusterAdminURL)
        // A process id above the kernel's pid_max (4,194,304 at most) never runs.
        try await admin.execute(SQLScript("CREATE DATABASE t_4999999_0123456789abcdef", origin: "test"))
        await TestDatabase.dropLeftovers()
        let names = try await admin.query("SELECT datname FROM pg_database WHERE datname IN ('t_4999999_0123456789abcdef', $1)", [.text(ours.name)])
            .map { try $0.decode(String.self, 0) }
        await admin.close()
        #expect(names == [ours.name])
    }
}
