import Foundation
import Postgres
import Projections
import Testing
import TestDatabase

/// `sintra serve` started as ops/run starts it, the owner's connection in its environment included:
/// it must hold no superuser connection, and it refuses to start when handed one.
@Suite(.needsDatabase) struct ServeRoleTests {
    /// The environment ops/run gives the server, for `database`.
    static func environment(_ database: TestDatabase, keys: String, projector: String) -> [String: String] {
        ["DATABASE_URL": database.appURL, "SINTRA_PROJECTOR_DATABASE_URL": projector,
         "SINTRA_ADMIN_DATABASE_URL": database.adminURL, "SINTRA_MASTER_KEY_FILE": keys,
         "SINTRA_EVENTS_DIR": TestDatabase.repositoryRoot.appendingPathComponent("events").path,
         "SINTRA_PROJECTIONS_DIR": TestDatabase.repositoryRoot.appendingPathComponent("projections").path,
         "SINTRA_REGISTRO": "error"]
    }

    static func keyring() async throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("claves-\(UUID().uuidString).json").path
        let (status, output) = try await runSintra(["keys", "generate", path])
        #expect(status == 0, "\(output)")
        return path
    }

    @Test func theServerHoldsNoSuperuserConnection() async throws {
        // An empty log: the fixture's events are not the domain's, and the projections would stop at them.
        let database = try await TestDatabase.migrated()
        let keys = try await Self.keyring()
        defer { try? FileManager.default.removeItem(atPath: keys) }
        let server = Process()
        server.executableURL = TestDatabase.sintraExecutable
        server.arguments = ["serve", "--port", String(Int.random(in: 20_000...40_000))]
        server.environment = ProcessInfo.processInfo.environment.merging(
            Self.environment(database, keys: keys, projector: database.projectorURL)) { _, new in new }
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }

        let admin = try await database.admin()
        let backends: SQL = """
            SELECT count(*) FILTER (WHERE r.rolsuper), count(*) FILTER (WHERE a.usename = 'sintra_app'),
                   count(*) FILTER (WHERE a.usename = 'sintra_proyector')
              FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename
             WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
            """
        // Until the projections are built (the server's projector has run) and both pools are open.
        var counts: (superuser: Int64, app: Int64, projector: Int64) = (0, 0, 0)
        for _ in 0..<300 {
            let built = try await admin.query("SELECT count(*) FROM projection_state")[0].decode(Int64.self, 0)
            let row = try await admin.query(backends)[0]
            counts = (try row.decode(Int64.self, 0), try row.decode(Int64.self, 1), try row.decode(Int64.self, 2))
            if built == Int64(repositoryProjections.count) && counts.app > 0 && counts.projector > 0 { break }
            #expect(server.isRunning, "sintra serve terminó antes de tiempo")
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(counts.app > 0 && counts.projector > 0, "\(counts)")
        #expect(counts.superuser == 0, "sintra serve tiene \(counts.superuser) conexiones de superusuario")
        await admin.close()
    }

    @Test func theServerRefusesASuperuserConnection() async throws {
        let database = try await TestDatabase.migrated()
        let keys = try await Self.keyring()
        defer { try? FileManager.default.removeItem(atPath: keys) }
        for (variable, url) in [("SINTRA_PROJECTOR_DATABASE_URL", database.adminURL), ("DATABASE_URL", database.adminURL)] {
            var environment = Self.environment(database, keys: keys, projector: database.projectorURL)
            environment[variable] = url
            let (status, output) = try await runSintra(["serve", "--port", String(Int.random(in: 20_000...40_000))], environment: environment)
            #expect(status != 0, "\(variable): \(output)")
            #expect(output.contains("superusuario"), "\(variable): \(output)")
        }
    }
}
