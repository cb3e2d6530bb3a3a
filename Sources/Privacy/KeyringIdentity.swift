import Cryptography
import Postgres

/// Which keyring a database belongs to (issue 20, migration 0070).
///
/// A keyring regenerated with `sintra keys generate` reuses the master key id `m1`, so before this
/// check it was silently accepted: reads failed with «clave equivocada» while writes succeeded,
/// wrapping new data keys under a master the original keyring does not hold. Two keyrings' keys
/// then sat in one database and neither opened all of it. So the database keeps the keyring's
/// keyed fingerprint, written the first time a keyring is used with it, and every process that
/// serves or writes compares it before doing anything.
///
/// The fingerprint is an HMAC of a fixed label under a key derived from the blind-index key: that
/// key never rotates (README "Personal data"), so the fingerprint names the keyring's lineage and a
/// legitimate `sintra keys rotate` keeps it. It opens nothing: without the keyring it is 32 random-looking bytes.
public enum KeyringIdentity {
    static let purpose = "sintra/archivo-de-claves/identidad/v1"
    static let label = "sintra/huella-del-archivo-de-claves/v1"

    /// The keyring's fingerprint, as stored in `keyring_identity`.
    public static func fingerprint(of keyring: Keyring) -> [UInt8] {
        HMACSHA256.authenticationCode(for: Array(label.utf8), key: BlindIndex.purposeKey(purpose, keyring: keyring))
    }

    public enum Outcome: Sendable, Equatable {
        /// The database's fingerprint is this keyring's.
        case matched
        /// The database had none: this keyring's was written now.
        case established
        /// The database has no `keyring_identity` table (not migrated): nothing to compare.
        case notMigrated
    }

    /// The keyring and the database do not belong together; `reason` says how it was found out.
    public struct Mismatch: Error, CustomStringConvertible, Sendable {
        public let reason: String
        public var description: String { reason }
    }

    /// Compares `keyring` with the database's fingerprint, writing it when the database has none.
    /// A database that already holds data keys but no fingerprint (migrated before 0070) adopts the
    /// keyring only if it opens the oldest data key, the one the first keyring wrapped.
    public static func check(_ keyring: Keyring, pool: ConnectionPool, establish: Bool = true) async throws -> Outcome {
        try await pool.withConnection { try await check(keyring, connection: $0, establish: establish) }
    }

    public static func check(_ keyring: Keyring, connection: PostgresConnection, establish: Bool = true) async throws -> Outcome {
        let table = try await connection.query("SELECT to_regclass('public.keyring_identity') IS NOT NULL")[0]
        guard try table.decode(Bool.self, 0) else { return .notMigrated }
        let mine = fingerprint(of: keyring)
        if let saved = try await stored(connection) {
            guard HMACSHA256.constantTimeEquals(saved, mine) else {
                throw Mismatch(reason: "su huella no coincide con la que la base guardó cuando se usó con ella por primera vez un archivo de claves "
                               + "(¿un archivo regenerado con «sintra keys generate», o el de otra instalación?)")
            }
            return .matched
        }
        try await opensOldestDataKey(keyring, connection)
        guard establish else { return .matched }
        _ = try await connection.query("INSERT INTO keyring_identity (fingerprint) VALUES ($1) ON CONFLICT DO NOTHING", [.bytea(mine)])
        // Another process may have written its keyring's fingerprint first: compare with what won.
        guard let winner = try await stored(connection), HMACSHA256.constantTimeEquals(winner, mine) else {
            throw Mismatch(reason: "otro proceso registró al mismo tiempo la huella de un archivo de claves distinto")
        }
        return .established
    }

    private static func stored(_ connection: PostgresConnection) async throws -> [UInt8]? {
        try await connection.query("SELECT fingerprint FROM keyring_identity").first?.decode([UInt8].self, 0)
    }

    /// Throws `Mismatch` unless the keyring opens the database's oldest data key (none: nothing to prove).
    private static func opensOldestDataKey(_ keyring: Keyring, _ connection: PostgresConnection) async throws {
        let rows = try await connection.query("SELECT subject, master_key_id, wrapped_key FROM personal_data_keys ORDER BY created_at, subject LIMIT 1")
        guard let row = rows.first else { return }
        let subject = try row.decode(String.self, 0), masterId = try row.decode(String.self, 1)
        guard let master = keyring.master(masterId),
              (try? AESGCM.open(try row.decode([UInt8].self, 2), key: master.key,
                                associatedData: DataKeyVault.wrappingContext(subject: subject, masterId: masterId))) != nil else {
            throw Mismatch(reason: "no abre las claves de datos que la base ya guarda (la más antigua está envuelta con «\(masterId)» de otro archivo de claves)")
        }
    }
}
