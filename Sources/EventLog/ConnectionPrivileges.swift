import Postgres

/// What a long-running service checks about the roles its pools log in as (README "Database roles").
///
/// Why: `sintra serve` faces the network. A superuser, or the owner of `events`, can disable the
/// triggers that keep the log immutable, so a compromised server holding such a connection could
/// rewrite history; the hash chain would show it, but only afterwards. Whatever its configuration
/// says, the server refuses to start with one.
public enum ConnectionPrivileges {
    public struct Elevated: Error, CustomStringConvertible, Sendable {
        public let purpose: String
        public let role: String
        public let reason: String
        public var description: String {
            "la conexión para \(purpose) entra como «\(role)», \(reason); sintra serve solo usa sintra_app y sintra_proyector "
                + "(vea «Database roles» en el README)"
        }
    }

    /// Throws `Elevated` when `pool` logs in as a superuser or as a role that owns the log.
    public static func refuseElevated(_ pool: ConnectionPool, purpose: String) async throws {
        let rows = try await pool.query("""
            SELECT current_user::text, r.rolsuper, pg_has_role(current_user, c.relowner, 'MEMBER')
              FROM pg_roles r, pg_class c
             WHERE r.rolname = current_user AND c.oid = 'public.events'::regclass
            """)
        guard let row = rows.first else { return }
        let role = try row.decode(String.self, 0)
        if try row.decode(Bool.self, 1) {
            throw Elevated(purpose: purpose, role: role, reason: "que es superusuario")
        }
        if try row.decode(Bool.self, 2) {
            throw Elevated(purpose: purpose, role: role, reason: "dueño de la tabla de eventos (podría desactivar sus disparadores)")
        }
    }
}
