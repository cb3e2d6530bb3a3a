import Cryptography
import Foundation
import Postgres

/// Applies `migrations/NNNN_name.sql` (or a folder `NNNN_name/`, see `contents(of:in:)`) in order, each in its own transaction, recording a
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
        guard let listed = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
            throw Failure(description: "no se puede leer la carpeta de migraciones «\(directory.path)»: no existe o no es legible")
        }
        // A folder counts only when numbered: any other folder beside the migrations is not one.
        let names = listed.filter { $0.hasSuffix(".sql") || ($0.first?.isNumber == true && Self.isFolder(directory.appendingPathComponent($0))) }
            .sorted()
        var migrations: [Migration] = []
        for name in names {
            guard let version = Int(name.prefix { $0.isNumber }), name.first?.isNumber == true else {
                throw Failure(description: "el archivo de migración «\(name)» no empieza con un número (NNNN_nombre.sql)")
            }
            if let previous = migrations.last, previous.version == version {
                throw Failure(description: "dos migraciones con el número \(version): «\(previous.name)» y «\(name)»")
            }
            let data = try Self.contents(of: name, in: directory)
            let text = String(decoding: data, as: UTF8.self)
            migrations.append(Migration(version: version, name: name, script: SQLScript(text, origin: "migrations/\(name)"),
                                        checksum: Hex.encode(SHA256.hash(data))))
        }
        self.migrations = migrations
    }

    static func isFolder(_ url: URL) -> Bool {
        var folder: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &folder) && folder.boolValue
    }

    /// A migration is a file, or a folder (`NNNN_name/`) of `.sql` files applied in name order as one
    /// migration: SQL functions one per file, as Message DB keeps them, readable and reviewable alone.
    /// A folder's script is its files joined, each after a `-- file:` line, so its checksum also
    /// changes when a file is renamed, added or removed.
    static func contents(of name: String, in directory: URL) throws -> Data {
        let url = directory.appendingPathComponent(name)
        guard isFolder(url) else {
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw Failure(description: "no se puede leer la migración «\(name)» en «\(directory.path)»")
            }
            return data
        }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).filter { $0.hasSuffix(".sql") }.sorted()
        guard !files.isEmpty else { throw Failure(description: "la carpeta de migración «\(name)» no tiene archivos .sql") }
        var script = Data()
        for file in files {
            guard let data = FileManager.default.contents(atPath: url.appendingPathComponent(file).path) else {
                throw Failure(description: "no se puede leer «\(name)/\(file)» en «\(directory.path)»")
            }
            script.append(contentsOf: Array("-- file: \(name)/\(file)\n".utf8))
            script.append(data)
            if data.last != UInt8(ascii: "\n") { script.append(UInt8(ascii: "\n")) }
        }
        return script
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

    /// Finds the migrations: `$SINTRA_MIGRATIONS_DIR` when set; else as `RepositoryFolder.locate` finds
    /// a folder of the repository. Nil when none holds them.
    public static func defaultDirectory() -> URL? {
        // A folder the operator named is used as named: a wrong one is an error, not a reason to look elsewhere.
        if let explicit = ProcessInfo.processInfo.environment["SINTRA_MIGRATIONS_DIR"], !explicit.isEmpty { return URL(fileURLWithPath: explicit) }
        return RepositoryFolder.locate("migrations", holding: "0002_events.sql")
    }
}
