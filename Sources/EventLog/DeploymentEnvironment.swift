import Postgres

/// Production or training (SINTRA Capacitación, issue 16). Trainees practise on synthetic data that
/// must never reach production figures, so the environment is written into the database itself
/// (migration 0040, table `deployment_environment`) and into the keyring file, and every process
/// that serves or signs compares them with the environment it was configured for.
public enum DeploymentEnvironment: String, Sendable, CaseIterable {
    case produccion
    case capacitacion

    /// How people read it: "producción", "capacitación".
    public var label: String { self == .produccion ? "producción" : "capacitación" }

    /// What a database says about itself: its row in `deployment_environment`; no row (a database
    /// migrated before 0040, or never marked) is production. `nil` when the database has no log at
    /// all (never migrated): it belongs to no environment yet.
    public static func of(_ pool: ConnectionPool) async throws -> DeploymentEnvironment? {
        try await pool.withConnection { try await of($0) }
    }

    public static func of(_ connection: PostgresConnection) async throws -> DeploymentEnvironment? {
        let tables = try await connection.query("""
            SELECT to_regclass('public.events') IS NOT NULL, to_regclass('public.deployment_environment') IS NOT NULL
            """)[0]
        guard try tables.decode(Bool.self, 0) else { return nil }
        guard try tables.decode(Bool.self, 1) else { return .produccion }
        let rows = try await connection.query("SELECT name FROM deployment_environment")
        guard let row = rows.first else { return .produccion }
        return DeploymentEnvironment(rawValue: try row.decode(String.self, 0)) ?? .produccion
    }

    /// Writes the mark on a migrated database, as its owner, once: a database already marked keeps
    /// its environment (asking for another one is `Mismatch`), and the table's trigger refuses to
    /// mark a log that already holds events as a training one.
    public static func establish(_ environment: DeploymentEnvironment, on connection: PostgresConnection) async throws {
        let rows = try await connection.query("SELECT name FROM deployment_environment")
        if let row = rows.first {
            let current = DeploymentEnvironment(rawValue: try row.decode(String.self, 0)) ?? .produccion
            guard current == environment else { throw Mismatch(configured: environment, found: current, what: "la base de datos") }
            return
        }
        _ = try await connection.query("INSERT INTO deployment_environment (name) VALUES ($1)", [.text(environment.rawValue)])
    }

    /// Throws `Mismatch` unless the database behind `pool` belongs to `configured`.
    public static func require(_ configured: DeploymentEnvironment, database pool: ConnectionPool) async throws {
        let found = try await of(pool) ?? .produccion
        guard found == configured else { throw Mismatch(configured: configured, found: found, what: "la base de datos") }
    }

    /// The configured environment and what the database (or the keyring) says differ.
    public struct Mismatch: Error, CustomStringConvertible, Sendable {
        public let configured: DeploymentEnvironment
        public let found: DeploymentEnvironment
        /// "la base de datos" or "el archivo de claves".
        public let what: String

        public init(configured: DeploymentEnvironment, found: DeploymentEnvironment, what: String) {
            self.configured = configured
            self.found = found
            self.what = what
        }

        public var description: String {
            "esta instancia es de \(configured.label) (SINTRA_AMBIENTE=\(configured.rawValue)) pero \(what) es de \(found.label): "
                + "no se mezclan los datos de capacitación con los de producción. Revise SINTRA_AMBIENTE, DATABASE_URL y SINTRA_MASTER_KEY_FILE"
        }
    }
}
