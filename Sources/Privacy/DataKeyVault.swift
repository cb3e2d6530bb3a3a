import Cryptography
import EventLog
import Postgres

/// Per-person data keys, wrapped by the active master key, in the mutable `personal_data_keys`
/// table (migration 0006). Erasing a person's personal data is deleting their row.
public final class DataKeyVault: Sendable {
    let pool: ConnectionPool
    public let keyring: Keyring
    /// Opened keys, for writing only (`keyForWriting(subject:logShowsErasure:)`): there the caller
    /// has just read the subject's stream, so an erasure is known before a cached key is used, and
    /// a write that raced one fails on its expected version. Reads always go to the table.
    private let writingKeys = BoundedCache<String, [UInt8]>(capacity: 20_000)

    public init(pool: ConnectionPool, keyring: Keyring) {
        self.pool = pool
        self.keyring = keyring
    }

    /// `keyForWriting(subject:)` for a caller that has just read the subject's stream from the log
    /// and knows whether it records an erasure: skips asking the log again, and keeps the opened
    /// key for the subject's next writes.
    public func keyForWriting(subject: String, logShowsErasure: Bool) async throws -> [UInt8]? {
        if logShowsErasure {
            writingKeys.remove(subject)
            return nil
        }
        if let known = writingKeys[subject] { return known }
        guard let key = try await existingOrNewKey(subject: subject) else { return nil }
        writingKeys.set(subject, key)
        return key
    }

    /// Associated data binds a wrapped key to its subject and master, so a row copied onto
    /// another person, or relabelled with another master id, does not open.
    private static func wrappingContext(subject: String, masterId: String) -> [UInt8] {
        Array("sintra/clave-de-datos/\(subject)/\(masterId)".utf8)
    }

    /// The subject's data key, creating it if the subject has none. Returns nil when the subject's
    /// key was erased: personal data for an erased person is never accepted again.
    public func keyForWriting(subject: String) async throws -> [UInt8]? {
        // The log decides first: a key that survived an interrupted erasure must never encrypt again.
        if try await wasErased(subject: subject) { return nil }
        return try await existingOrNewKey(subject: subject)
    }

    private func existingOrNewKey(subject: String) async throws -> [UInt8]? {
        if let existing = try await key(subject: subject) { return existing }
        let dataKey = SecureRandom.bytes(count: 32)
        let master = keyring.active
        let wrapped = try AESGCM.seal(dataKey, key: master.key, associatedData: Self.wrappingContext(subject: subject, masterId: master.id))
        let rows = try await pool.query("""
            INSERT INTO personal_data_keys (subject, master_key_id, wrapped_key) VALUES ($1, $2, $3)
            ON CONFLICT (subject) DO NOTHING RETURNING subject
            """, [.text(subject), .text(master.id), .bytea(wrapped)])
        if rows.isEmpty { return try await key(subject: subject) }  // Another writer created it first.
        return dataKey
    }

    /// The subject's data key, or nil when there is none (never created, or erased).
    public func key(subject: String) async throws -> [UInt8]? {
        let rows = try await pool.query("SELECT master_key_id, wrapped_key FROM personal_data_keys WHERE subject = $1", [.text(subject)])
        guard let row = rows.first else { return nil }
        let masterId = try row.decode(String.self, 0)
        guard let master = keyring.master(masterId) else {
            throw CryptoError("la clave de datos de «\(subject)» está cifrada con la clave maestra «\(masterId)», que no está en el archivo de claves")
        }
        return try AESGCM.open(try row.decode([UInt8].self, 1), key: master.key,
                               associatedData: Self.wrappingContext(subject: subject, masterId: masterId))
    }

    /// Whether the log records an erasure for this subject (its key must then never be re-created).
    func wasErased(subject: String) async throws -> Bool {
        let rows = try await pool.query("""
            SELECT 1 FROM events WHERE stream_id = $1 AND event_type = 'DatosPersonalesBorrados' LIMIT 1
            """, [.text(subject)])
        return !rows.isEmpty
    }

    /// Destroys the subject's data key and blind indexes. Irreversible by design.
    @discardableResult
    public func erase(subject: String) async throws -> Bool {
        writingKeys.remove(subject)
        let rows = try await pool.query("DELETE FROM personal_data_keys WHERE subject = $1 RETURNING subject", [.text(subject)])
        return !rows.isEmpty
    }

    /// Records (or replaces) the subject's blind indexes.
    public func setBlindIndexes(subject: String, _ digests: [BlindIndex.Kind: [UInt8]]) async throws {
        for (kind, digest) in digests.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            _ = try await pool.query("""
                INSERT INTO blind_indexes (subject, kind, digest) VALUES ($1, $2, $3)
                ON CONFLICT (subject, kind) DO UPDATE SET digest = EXCLUDED.digest
                """, [.text(subject), .text(kind.rawValue), .bytea(digest)])
        }
    }

    /// Re-wraps every data key not yet under the active master key, in batches; the log is not touched.
    /// Returns how many keys were re-wrapped.
    public func rotate(batchSize: Int = 500) async throws -> Int {
        let active = keyring.active
        var total = 0
        while true {
            let rows = try await pool.query("""
                SELECT subject, master_key_id, wrapped_key FROM personal_data_keys
                 WHERE master_key_id <> $1 ORDER BY subject LIMIT $2
                """, [.text(active.id), .int64(Int64(batchSize))])
            if rows.isEmpty { return total }
            for row in rows {
                let subject = try row.decode(String.self, 0), oldId = try row.decode(String.self, 1)
                guard let old = keyring.master(oldId) else {
                    throw CryptoError("la clave maestra «\(oldId)» no está en el archivo de claves: no se puede rotar «\(subject)»")
                }
                let dataKey = try AESGCM.open(try row.decode([UInt8].self, 2), key: old.key,
                                              associatedData: Self.wrappingContext(subject: subject, masterId: oldId))
                let wrapped = try AESGCM.seal(dataKey, key: active.key,
                                              associatedData: Self.wrappingContext(subject: subject, masterId: active.id))
                _ = try await pool.query("""
                    UPDATE personal_data_keys SET master_key_id = $2, wrapped_key = $3, rotated_at = now()
                     WHERE subject = $1 AND master_key_id = $4
                    """, [.text(subject), .text(active.id), .bytea(wrapped), .text(oldId)])
                total += 1
            }
        }
    }
}
