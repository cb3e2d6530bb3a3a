import Cryptography
import Definitions
import EventLog
import Postgres

/// Per-person data keys, wrapped by the active master key, in the `personal_data_keys` table
/// (migrations 0006 and 0014). Erasing a person's personal data is destroying their row, which
/// only `erase_data_key()` may do, and only once the log records the erasure; it becomes final
/// when the master key generation that wrapped the row is destroyed (`KeyGenerations`).
public final class DataKeyVault: Sendable {
    let pool: ConnectionPool
    /// The keyring as last read. A rotation run elsewhere (`sintra keys finalizar-borrados`) adds
    /// a generation and retires the old one in the file: a key wrapped by a master this copy does
    /// not know, or an insert the database refuses as wrapped by a retired generation, rereads it.
    private let current: Locked<Keyring>
    private let keyringFile: String?
    /// Opened keys, for writing only (`keyForWriting(subject:logShowsErasure:)`): there the caller
    /// has just read the subject's stream, so an erasure is known before a cached key is used, and
    /// a write that raced one fails on its expected version. Reads always go to the table.
    private let writingKeys = BoundedCache<String, [UInt8]>(capacity: 20_000)

    public var keyring: Keyring { current.withLock { $0 } }

    /// `keyringFile` is where `keyring` was read from, reread after a rotation; nil for a keyring
    /// that only lives in memory (tests, the contract generator).
    public init(pool: ConnectionPool, keyring: Keyring, keyringFile: String? = nil) {
        self.pool = pool
        self.current = Locked(keyring)
        self.keyringFile = keyringFile
    }

    /// Rereads the keyring file; false when there is none or it did not change. A file replaced by
    /// another keyring (another fingerprint: not a rotation of this one) is ignored, as at start.
    private func reloadKeyring() -> Bool {
        guard let keyringFile, let fresh = try? Keyring.load(file: keyringFile) else { return false }
        return current.withLock { keyring in
            guard KeyringIdentity.fingerprint(of: fresh) == KeyringIdentity.fingerprint(of: keyring) else { return false }
            let changed = keyring.fileText != fresh.fileText
            keyring = fresh
            return changed
        }
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
    static func wrappingContext(subject: String, masterId: String) -> [UInt8] {
        Array("sintra/clave-de-datos/\(subject)/\(masterId)".utf8)
    }

    /// The subject's data key, creating it if the subject has none. Returns nil when the subject's
    /// key was erased: personal data for an erased person is never accepted again.
    public func keyForWriting(subject: String) async throws -> [UInt8]? {
        // The log decides first: a key that survived an interrupted erasure must never encrypt again.
        if try await wasErased(subject: subject) { return nil }
        return try await existingOrNewKey(subject: subject)
    }

    private func existingOrNewKey(subject: String, rereadKeyring: Bool = true) async throws -> [UInt8]? {
        if let existing = try await key(subject: subject) { return existing }
        let dataKey = SecureRandom.bytes(count: 32)
        let master = keyring.active
        let wrapped = try AESGCM.seal(dataKey, key: master.key, associatedData: Self.wrappingContext(subject: subject, masterId: master.id))
        let rows: PostgresRows
        do {
            // Committed without waiting for the disk (synchronous_commit off, for this statement's
            // transaction only): the key is only used by an append that follows it, and that append's
            // own synchronous commit flushes the WAL up to its commit record — this insert's records
            // included, to the synchronous standby too, since WAL is written and streamed in order. So
            // the key is on disk before any event it encrypts is acknowledged, and a new person's
            // command waits for one disk flush fewer. A key lost in a crash encrypted nothing durable.
            rows = try await pool.query("""
                INSERT INTO personal_data_keys (subject, master_key_id, wrapped_key)
                SELECT $1, $2, $3 FROM (SELECT set_config('synchronous_commit', 'off', true)) AS flushed_by_the_append
                ON CONFLICT (subject) DO NOTHING RETURNING subject
                """, [.text(subject), .text(master.id), .bytea(wrapped)])
        } catch let error as PostgresError where error.sqlState == "55000" && rereadKeyring && reloadKeyring() {
            // A rotation made another generation active since this keyring was read: wrap with it.
            return try await existingOrNewKey(subject: subject, rereadKeyring: false)
        }
        if rows.isEmpty { return try await key(subject: subject) }  // Another writer created it first.
        return dataKey
    }

    /// The subject's data key, or nil when there is none: never created, erased, or recorded as
    /// erased in the log while the row survived (an erasure interrupted between its event and the
    /// deletion, which this read then finishes). The log, not the table, says whether a person was erased.
    public func key(subject: String) async throws -> [UInt8]? {
        let rows = try await pool.query("""
            SELECT k.master_key_id, k.wrapped_key,
                   EXISTS (SELECT 1 FROM events e WHERE e.stream_id = $1 AND e.event_type = $2)
              FROM personal_data_keys k WHERE k.subject = $1
            """, [.text(subject), .text(EventType.datosPersonalesBorrados.rawValue)])
        guard let row = rows.first else { return nil }
        if try row.decode(Bool.self, 2) {
            try await erase(subject: subject)
            return nil
        }
        let masterId = try row.decode(String.self, 0)
        if keyring.master(masterId) == nil { _ = reloadKeyring() }
        guard let master = keyring.master(masterId) else {
            throw CryptoError("la clave de datos de «\(subject)» está cifrada con la clave maestra «\(masterId)», que no está en el archivo de claves")
        }
        return try AESGCM.open(try row.decode([UInt8].self, 1), key: master.key,
                               associatedData: Self.wrappingContext(subject: subject, masterId: masterId))
    }

    /// Whether the log records an erasure for this subject (its key must then never be re-created).
    func wasErased(subject: String) async throws -> Bool {
        let rows = try await pool.query("""
            SELECT 1 FROM events WHERE stream_id = $1 AND event_type = $2 LIMIT 1
            """, [.text(subject), .text(EventType.datosPersonalesBorrados.rawValue)])
        return !rows.isEmpty
    }

    /// Destroys the subject's data key and blind indexes, through `erase_data_key()`, which refuses
    /// unless the log already records the erasure. Irreversible by design; final once the key's
    /// master generation is destroyed (`sintra keys finalizar-borrados`).
    @discardableResult
    public func erase(subject: String) async throws -> Bool {
        writingKeys.remove(subject)
        let rows = try await pool.query("SELECT erase_data_key($1)", [.text(subject)])
        return try rows.first?.decode(Bool.self, 0) ?? false
    }

    /// Records (or replaces) the subject's one-per-person blind indexes (`curp`, `nombre-fecha`);
    /// name tokens, several per person, go through `setNameTokens`.
    public func setBlindIndexes(subject: String, _ digests: [BlindIndex.Kind: [UInt8]]) async throws {
        for (kind, digest) in digests.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where kind != .nameToken {
            _ = try await pool.query("""
                INSERT INTO blind_indexes (subject, kind, digest) VALUES ($1, $2, $3)
                ON CONFLICT (subject, kind) WHERE kind <> 'nombre-token' DO UPDATE SET digest = EXCLUDED.digest
                """, [.text(subject), .text(kind.rawValue), .bytea(digest)])
        }
    }

    /// Replaces the subject's name-token digests with these (`BlindIndex.nameTokenDigests`), through
    /// `replace_name_tokens()` (migration 0060): the application role may not delete index rows
    /// itself. An empty list removes them all; a subject whose erasure the log records gets none.
    public func setNameTokens(subject: String, _ digests: [[UInt8]]) async throws {
        _ = try await pool.query("SELECT replace_name_tokens($1, $2)", [.text(subject), .array(.bytea(digests))])
    }
}
