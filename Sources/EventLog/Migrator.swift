import Cryptography
import Foundation
import Postgres

/// Applies `migrations/NNNN_name.sql` in order, each in its own transaction, recording a
/// checksum. A migration already applied whose file changed is refused: history is immutable,
/// a change goes into a new file.
public struct Migrator: Sendable {
    public struct Migration: Sendable, Equatable {
        public let version: Int
        public let name: String
        public let script: SQLScript
        public let checksum: String

        public static func == (lhs: Migration, rhs: Migration) -> Bool { lhs.version == rhs.version && lhs.checksum == rhs.checksum }
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public let migrations: [Migration]

    public init(directory: URL) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        var migrations: [Migration] = []
        for name in names {
            guard let version = Int(name.prefix { $0.isNumber }), name.first?.isNumber == true else {
                throw Failure(description: "el archivo de migración «\(name)» no empieza con un número (NNNN_nombre.sql)")
            }
            if let previous = migrations.last, previous.version == version {
                throw Failure(description: "dos migraciones con el número \(version): «\(previous.name)» y «\(name)»")
            }
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            let text = String(decoding: data, as: UTF8.self)
            migrations.append(Migration(version: version, name: name, script: SQLScript(text, origin: "migrations/\(name)"),
                                        checksum: Hex.encode(SHA256.hash(data))))
        }
        self.migrations = migrations
    }

    /// Applies what is missing; returns the names applied now.
    @discardableResult
    public func migrate(_ connection: PostgresConnection) async throws -> [String] {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS sintra_migrations (
                version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """)
        // Two migrators on one database wait for each other instead of racing.
        try await connection.query("SELECT pg_advisory_lock(7267)")
        do {
            let applied = try await appliedChecksums(connection)
            var done: [String] = []
            for migration in migrations {
                if let checksum = applied[migration.version] {
                    guard checksum.checksum == migration.checksum else {
                        throw Failure(description: """
                            la migración \(migration.name) ya se aplicó y su archivo cambió (suma \(checksum.checksum.prefix(12))… \
                            en la base, \(migration.checksum.prefix(12))… en el archivo). Las migraciones aplicadas no se editan: \
                            escriba el cambio en una migración nueva.
                            """)
                    }
                    continue
                }
                try await connection.withTransaction { connection in
                    try await connection.execute(migration.script)
                    try await connection.query("INSERT INTO sintra_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                                               [.int(migration.version), .text(migration.name), .text(migration.checksum)])
                }
                done.append(migration.name)
            }
            try await connection.query("SELECT pg_advisory_unlock(7267)")
            return done
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(7267)")
            throw error
        }
    }

    private func appliedChecksums(_ connection: PostgresConnection) async throws -> [Int: (name: String, checksum: String)] {
        var applied: [Int: (name: String, checksum: String)] = [:]
        for row in try await connection.query("SELECT version, name, checksum FROM sintra_migrations") {
            applied[try row.decode(Int.self, 0)] = (try row.decode(String.self, 1), try row.decode(String.self, 2))
        }
        return applied
    }

    /// Finds the repository's `migrations/` folder: `$SINTRA_ROOT/migrations`, else the current
    /// directory or one of its parents.
    public static func defaultDirectory() -> URL {
        if let root = ProcessInfo.processInfo.environment["SINTRA_ROOT"] {
            return URL(fileURLWithPath: root).appendingPathComponent("migrations")
        }
        var directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("migrations")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("0002_events.sql").path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("migrations")
    }
}
