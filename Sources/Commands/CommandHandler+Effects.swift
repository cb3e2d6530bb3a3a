import CanonicalJSON
import Cryptography
import Definitions
import EventLog
import Postgres
import Privacy
import Streams

/// What follows an append outside the log: the blind indexes of the plaintext a decider reported
/// (`Decision.indexedData`), and the destruction of keys after an erasure. Both are safe to repeat
/// (a replayed command runs them again, finishing what a crash interrupted).
extension CommandHandler {
    func afterAppend(_ decider: AnyDecider, _ type: EventType?, subject: String, indexedData: JSONValue?,
                     _ definition: EventDefinition, _ command: Command, _ context: CommandContext) async throws {
        if decider.erasesPersonalData(type) {
            try await eraseLinkedStreams(of: subject, definition, command, context)
            try await vault.erase(subject: subject)
            return
        }
        guard decider.changesIndexedData(type), let personal = indexedData else { return }
        var digests: [BlindIndex.Kind: [UInt8]] = [:]
        if let curp = personal["curp"]?.stringValue {
            digests[.curp] = BlindIndex.digest(.curp, of: BlindIndex.normalizeCURP(curp), keyring: vault.keyring)
        }
        if let name = personal["nombre"]?.stringValue, let surname = personal["primerApellido"]?.stringValue,
           let birth = personal["fechaDeNacimiento"]?.stringValue,
           let normalized = BlindIndex.normalizeName([name, surname, personal["segundoApellido"]?.stringValue ?? ""], birthDate: birth) {
            digests[.nameAndBirthDate] = BlindIndex.digest(.nameAndBirthDate, of: normalized, keyring: vault.keyring)
        }
        try await vault.setBlindIndexes(subject: subject, digests)
        // The whole set each time: a corrected name's old words must stop finding the person.
        try await vault.setNameTokens(subject: subject, BlindIndex.nameTokenDigests(GeneralData.nameParts(personal), keyring: vault.keyring))
    }

    /// An erasure erases the person wherever they are: every case file linked to this one as the
    /// same person (`ExpedientesVinculados`, in either direction, transitively) gets its own
    /// erasure event, with the same grounds and the same author, and loses its key. Otherwise the
    /// linked copy would still show the name and be found by its CURP. Each linked append has an
    /// idempotency key derived from the command's, so a retry finishes, never repeats.
    private func eraseLinkedStreams(of subject: String, _ definition: EventDefinition, _ command: Command, _ context: CommandContext) async throws {
        let linked = try await store.pool.query("""
            WITH RECURSIVE linked(id) AS (
                SELECT $1::text
                UNION
                SELECT CASE WHEN e.stream_id = l.id THEN e.payload->>'expediente' ELSE e.stream_id END
                  FROM linked l JOIN events e
                    ON e.event_type = $3 AND (e.stream_id = l.id OR e.payload->>'expediente' = l.id)
            )
            SELECT id FROM linked
             WHERE id <> $1
               AND NOT EXISTS (SELECT 1 FROM events d WHERE d.stream_id = linked.id AND d.event_type = $2)
             ORDER BY id
            """, [.text(subject), .text(definition.eventType), .text(EventType.expedientesVinculados.rawValue)]).map { try $0.decode(String.self, 0) }
        for other in linked {
            let request = AppendRequest(
                streamId: other, streamType: definition.streamType, expectedVersion: .any,
                events: [NewEvent(eventType: definition.eventType, schemaVersion: definition.version,
                                  payload: String(decoding: CanonicalJSON.serialize(command.data), as: UTF8.self), occurredAt: Timestamp.now())],
                metadata: EventMetadata(userId: context.userId, institutionId: context.institutionId,
                                        correlationId: context.correlationId ?? command.idempotencyKey, client: context.client),
                idempotencyKey: "borrado-vinculado-" + Hex.encode(SHA256.hash(Array("\(command.idempotencyKey)/\(other)".utf8)).prefix(16)))
            _ = try await store.append(request)
            try await vault.erase(subject: other)
        }
    }

    /// Other streams whose CURP or name-and-birth-date index matches this one's (possible duplicates
    /// to review). Name tokens never count: a shared first name is not the same person.
    func duplicates(of subject: String, _ decider: AnyDecider, _ type: EventType?) async throws -> [String] {
        guard decider.changesIndexedData(type) else { return [] }
        let rows = try await store.pool.query("""
            SELECT DISTINCT other.subject FROM blind_indexes mine
              JOIN blind_indexes other ON other.kind = mine.kind AND other.digest = mine.digest AND other.subject <> mine.subject
             WHERE mine.subject = $1 AND mine.kind = ANY ($2) ORDER BY 1
            """, [.text(subject), .array(.text(BlindIndex.Kind.duplicateEvidence.map(\.rawValue)))])
        return try rows.map { try $0.decode(String.self, 0) }
    }
}
