import Cryptography
import Definitions
import Foundation
import Postgres

/// Master key generations, and the rotation that makes erasures final.
///
/// Deleting a data key's row does not remove its bytes: PostgreSQL's WAL and every earlier backup
/// still hold the row, wrapped by a master key the keyring still has. Erasure is final only when no
/// surviving copy can be unwrapped, that is, when the master key that wrapped it is gone. So the
/// rotation:
///   1. adds a new master key to the keyring file and makes it active;
///   2. records it as the active generation (from then on the database refuses keys wrapped by any
///      other, so a server holding the old keyring rereads its file instead of writing under it);
///   3. finishes any erasure interrupted between its event and the deletion of its key;
///   4. re-wraps every live data key under the new master;
///   5. marks the old generations retired and removes their master keys from the file.
/// After step 5 the wrapped keys in old WAL segments and backups open with nothing that exists.
///
/// The window between an erasure and its finality is the time until the next rotation: run it
/// after each erasure or on a schedule (`sintra keys rotate --si-hay-borrados`, README). Copies of
/// the keyring file itself (backups) keep the old master alive: replace them after each rotation.
/// Runs as the database owner: the application role may neither re-wrap nor delete a key.
public struct KeyGenerations: Sendable {
    let owner: ConnectionPool

    public init(owner: ConnectionPool) { self.owner = owner }

    public struct Outcome: Sendable {
        public let active: String
        public let retired: [String]
        public let rewrapped: Int
        /// Erasures whose event was in the log but whose key had survived (an interrupted erasure).
        public let completedErasures: Int
        /// Erasures made final by this rotation (recorded since the previous generation began).
        public let finalizedErasures: Int
    }

    /// Erasures recorded since the active generation began: not final until the next rotation.
    public func pendingErasures() async throws -> (count: Int, oldest: Timestamp?) {
        let rows = try await owner.query("""
            SELECT count(*), min(e.recorded_at) FROM events e
             WHERE e.event_type = $1
               AND e.recorded_at > coalesce((SELECT max(activated_at) FROM master_key_generations WHERE retired_at IS NULL), '-infinity')
            """, [.text(EventType.datosPersonalesBorrados.rawValue)])
        return (Int(try rows[0].decode(Int64.self, 0)), try rows[0].decode(Timestamp?.self, 1))
    }

    /// Rotates the keyring in `keyringFile` (see the type's comment). Safe to run again after an
    /// interruption: a file left with several masters is rotated to a newer one still.
    public func rotate(keyringFile: String, write: (Keyring) throws -> Void, batchSize: Int = 500) async throws -> Outcome {
        let keyring = try Keyring.load(file: keyringFile)
        let pending = try await pendingErasures().count
        let known = try await owner.query("SELECT id FROM master_key_generations").map { try $0.decode(String.self, 0) }
        let newId = Self.nextId(after: known + keyring.masterKeys.map(\.id))
        let rotating = try keyring.addingMasterKey(id: newId)
        try write(rotating)
        _ = try await owner.query("INSERT INTO master_key_generations (id) VALUES ($1)", [.text(newId)])
        let completed = try await owner.query("""
            DELETE FROM personal_data_keys k
             WHERE EXISTS (SELECT 1 FROM events e WHERE e.stream_id = k.subject AND e.event_type = $1)
            RETURNING subject
            """, [.text(EventType.datosPersonalesBorrados.rawValue)]).count
        let rewrapped = try await rewrap(under: rotating, batchSize: batchSize)
        let retired = try await owner.query("""
            UPDATE master_key_generations SET retired_at = clock_timestamp() WHERE id <> $1 AND retired_at IS NULL RETURNING id
            """, [.text(newId)]).map { try $0.decode(String.self, 0) }
        var final = rotating
        for old in keyring.masterKeys { final = try final.removingMasterKey(id: old.id) }
        try write(final)
        return Outcome(active: newId, retired: Array(Set(retired + keyring.masterKeys.map(\.id))).sorted(), rewrapped: rewrapped,
                       completedErasures: completed, finalizedErasures: pending)
    }

    /// Re-wraps, in batches, every data key not yet under the keyring's active master.
    private func rewrap(under keyring: Keyring, batchSize: Int) async throws -> Int {
        let active = keyring.active
        var total = 0
        while true {
            let rows = try await owner.query("""
                SELECT subject, master_key_id, wrapped_key FROM personal_data_keys
                 WHERE master_key_id <> $1 ORDER BY subject LIMIT $2
                """, [.text(active.id), .int64(Int64(batchSize))])
            if rows.isEmpty { return total }
            for row in rows {
                let subject = try row.decode(String.self, 0), oldId = try row.decode(String.self, 1)
                guard let old = keyring.master(oldId) else {
                    throw CryptoError("la clave maestra «\(oldId)» no está en el archivo de claves: no se puede volver a envolver «\(subject)»")
                }
                let dataKey = try AESGCM.open(try row.decode([UInt8].self, 2), key: old.key,
                                              associatedData: DataKeyVault.wrappingContext(subject: subject, masterId: oldId))
                let wrapped = try AESGCM.seal(dataKey, key: active.key,
                                              associatedData: DataKeyVault.wrappingContext(subject: subject, masterId: active.id))
                _ = try await owner.query("""
                    UPDATE personal_data_keys SET master_key_id = $2, wrapped_key = $3, rotated_at = now()
                     WHERE subject = $1 AND master_key_id = $4
                    """, [.text(subject), .text(active.id), .bytea(wrapped), .text(oldId)])
                total += 1
            }
        }
    }

    /// `m<n+1>` for the largest `m<n>` ever used (retired ids are never reused).
    static func nextId(after ids: [String]) -> String {
        let numbers = ids.compactMap { id in id.hasPrefix("m") ? Int(id.dropFirst()) : nil }
        return "m\((numbers.max() ?? 0) + 1)"
    }
}
