import CanonicalJSON
import Commands
import Cryptography
import EventLog
import Foundation
import Postgres
@testable import Privacy
import TestDatabase
import Testing

/// Erasure attacked the way an intruder or a careless operator would: from the WAL, from a backup
/// taken before, from the application role, from a linked copy, from an interrupted erasure.
@Suite(.needsDatabase) struct ErasureFinalityTests {
    let erasure: JSONValue = ["fecha": "2023-01-10", "fundamento": "orden-judicial", "documento": "Oficio 123/2023"]

    /// A keyring file in a private folder, and the owner's pool (rotation is the owner's job).
    struct Setup {
        let system: System
        let keyringFile: String
        let owner: ConnectionPool

        static func make() async throws -> Setup {
            let system = try await System.make(keyring: .generate(id: "m1"))
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sintra-claves-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let file = folder.appendingPathComponent("claves.json").path
            try system.keyring.fileText.write(toFile: file, atomically: true, encoding: .utf8)
            return Setup(system: system, keyringFile: file, owner: ConnectionPool(connectionString: system.database.adminURL, maxConnections: 2))
        }

        func rotate() async throws -> KeyGenerations.Outcome {
            try await KeyGenerations(owner: owner).rotate(keyringFile: keyringFile) { keyring in
                try keyring.fileText.write(toFile: keyringFile, atomically: true, encoding: .utf8)
            }
        }

        /// Whether `wrapped` (a row's wrapped key for `subject`) opens with any master of `keyring`.
        func opens(_ wrapped: [UInt8], subject: String, with keyring: Keyring) -> Bool {
            keyring.masterKeys.contains { master in
                (try? AESGCM.open(wrapped, key: master.key, associatedData: DataKeyVault.wrappingContext(subject: subject, masterId: master.id))) != nil
            }
        }
    }

    /// The attack that worked: after an erasure, the deleted row's wrapped key was still in the WAL
    /// (and in a backup taken before), and it unwrapped with the keyring. After the rotation, every
    /// surviving copy is wrapped by a master key that no longer exists anywhere.
    @Test func afterEraseAndRotateNoCopyOfTheKeyOpensFromTheWALABackupOrTheTable() async throws {
        let setup = try await Setup.make()
        let system = setup.system
        let erased = try await system.run("registrar-persona", persona()).streamId
        let wrapped = try #require(try await setup.owner.query("SELECT wrapped_key FROM personal_data_keys WHERE subject = $1", [.text(erased)])
            .first?.decode([UInt8].self, 0))
        // The attack's material: the WAL holds the row as written. Looked for at once, in the segments
        // the insert can be in (the cluster is shared by tests running in parallel, so the WAL moves fast).
        let inWAL = try await setup.owner.query("""
            SELECT count(*) FROM generate_series(0, least(7, floor((pg_current_wal_insert_lsn() - '0/0'::pg_lsn) / 16777216)::int)) k,
                   LATERAL (SELECT pg_walfile_name(pg_current_wal_insert_lsn() - k * 16777216::numeric) AS name) segment
             WHERE position($1::bytea IN pg_read_binary_file('pg_wal/' || segment.name, 0, 16777216, true)) > 0
            """, [.bytea(wrapped)])[0].decode(Int64.self, 0)
        #expect(inWAL > 0, "the WAL holds the key's row")
        let kept = try await system.run("registrar-persona", persona(nombre: "Otra", curp: curp("FIEO970707MCSCJC0"), fechaDeNacimiento: "1997-07-07", edad: 24)).streamId
        let (status, backup) = try system.database.pgDump(["--data-only", "--table=personal_data_keys"])
        #expect(status == 0 && backup.contains(Hex.encode(wrapped)), "the backup taken before the erasure holds the wrapped key")

        try await system.run("borrar-datos-personales", erasure, stream: erased)
        #expect(try await setup.owner.query("SELECT 1 FROM personal_data_keys WHERE subject = $1", [.text(erased)]).isEmpty)
        let before = try Keyring.load(file: setup.keyringFile)
        #expect(setup.opens(wrapped, subject: erased, with: before), "before the rotation the surviving copy still opens")
        #expect(try await KeyGenerations(owner: setup.owner).pendingErasures().count == 1)

        let outcome = try await setup.rotate()
        #expect(outcome.active == "m2" && outcome.retired == ["m1"] && outcome.rewrapped == 1 && outcome.finalizedErasures == 1)
        let after = try Keyring.load(file: setup.keyringFile)
        #expect(after.masterKeys.map(\.id) == ["m2"], "the old generation is destroyed in the keyring file")
        // Every copy an attacker can find: the WAL's, the backup's (the same bytes), the table's (none).
        #expect(!setup.opens(wrapped, subject: erased, with: after), "0 keys recoverable after erase + rotate")
        #expect(try await setup.owner.query("SELECT count(*) FROM personal_data_keys WHERE subject = $1", [.text(erased)])[0].decode(Int64.self, 0) == 0)
        #expect(try await setup.owner.query("SELECT count(*) FROM personal_data_keys WHERE master_key_id <> 'm2'")[0].decode(Int64.self, 0) == 0)
        // The living person's data still opens with the rotated keyring; the log did not move.
        let vault = DataKeyVault(pool: system.store.pool, keyring: after, keyringFile: setup.keyringFile)
        let key = try #require(try await vault.key(subject: kept))
        let stored = try CanonicalJSON.parse(try #require(try await system.store.readStream(kept).first).payload)
        #expect(PersonalDataCipher.decrypt(stored, subject: kept, key: key).payload["nombre"] == "Otra")
        #expect(try await KeyGenerations(owner: setup.owner).pendingErasures().count == 0)
        #expect(try await system.store.verifyChain().count == (try await system.store.head()).count)
    }

    /// The command an operator (or the daily timer) runs: it replaces the keyring file in one step
    /// (Foundation's replaceItemAt once deleted the file on Linux), and does nothing without a pending erasure.
    @Test func theRotationCommandReplacesTheKeyringFileAndSkipsWhenNothingIsPending() async throws {
        let setup = try await Setup.make()
        let stream = try await setup.system.run("registrar-persona", persona()).streamId
        let common = ["--admin-url", setup.system.database.adminURL, "--master-key", setup.keyringFile]
        var (status, output) = try await runSintra(["keys", "rotate", "--si-hay-borrados"] + common)
        #expect(status == 0 && output.contains("Ningún borrado pendiente"), "\(output)")
        #expect(try Keyring.load(file: setup.keyringFile).activeId == "m1")
        try await setup.system.run("borrar-datos-personales", erasure, stream: stream)
        (status, output) = try await runSintra(["keys", "rotate", "--si-hay-borrados"] + common)
        #expect(status == 0 && output.contains("«m2» activa") && output.contains("1 borrado(s) ahora definitivo(s)"), "\(output)")
        (status, output) = try await runSintra(["keys", "rotate"] + common)
        #expect(status == 0 && output.contains("«m3» activa") && output.contains("Destruidas del archivo de claves: «m2»"), "\(output)")
        let keyring = try Keyring.load(file: setup.keyringFile)
        #expect(keyring.masterKeys.map(\.id) == ["m3"])
        let mode = try FileManager.default.attributesOfItem(atPath: setup.keyringFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    /// A server still holding the keyring read before a rotation must not wrap a new key under the
    /// destroyed generation: the database refuses it, the vault rereads its file and wraps with the new one.
    @Test func aServerWithTheOldKeyringRereadsItInsteadOfWritingUnderARetiredGeneration() async throws {
        let setup = try await Setup.make()
        let stale = CommandHandler(definitions: definitions, store: setup.system.store,
                                   vault: DataKeyVault(pool: setup.system.store.pool, keyring: setup.system.keyring, keyringFile: setup.keyringFile))
        _ = try await setup.rotate()
        let stream = try await stale.handle(Command(name: "registrar-persona", data: persona(), idempotencyKey: "k-vieja"), context: context()).streamId
        let master = try await setup.owner.query("SELECT master_key_id FROM personal_data_keys WHERE subject = $1", [.text(stream)]).first?.decode(String.self, 0)
        #expect(master == "m2")
        #expect(stale.vault.keyring.activeId == "m2")
        // Wrapping under the retired id directly is refused by the database itself.
        await #expect(throws: PostgresError.self) {
            try await setup.system.store.pool.query("INSERT INTO personal_data_keys (subject, master_key_id, wrapped_key) VALUES ('x', 'm1', $1)",
                                                    [.bytea([UInt8](repeating: 1, count: 60))])
        }
    }

    /// The application role used to `DELETE FROM personal_data_keys` with no event (and `verify`
    /// passed). Now only `erase_data_key()` removes a key, and only after the log records the erasure.
    @Test func theApplicationRoleCannotRemoveOrReplaceADataKeyWithoutTheErasureEvent() async throws {
        let system = try await System.make()
        let stream = try await system.run("registrar-persona", persona()).streamId
        let statements: [SQL] = ["DELETE FROM personal_data_keys WHERE subject = $1",
                                 "UPDATE personal_data_keys SET wrapped_key = wrapped_key WHERE subject = $1",
                                 "DELETE FROM blind_indexes WHERE subject = $1"]
        for statement in statements {
            let error = await #expect(throws: PostgresError.self) { try await system.store.pool.query(statement, [.text(stream)]) }
            #expect(error?.sqlState == "42501", "\(statement)")
        }
        let refused = await #expect(throws: PostgresError.self) { try await system.store.pool.query("SELECT erase_data_key($1)", [.text(stream)]) }
        #expect(refused?.sqlState == "42501")
        #expect(try await system.handler.vault.key(subject: stream) != nil, "the key is still there")
        try await system.run("borrar-datos-personales", erasure, stream: stream)
        #expect(try await system.handler.vault.key(subject: stream) == nil)
    }

    /// An erasure interrupted between its event and its key's deletion used to leave the case
    /// readable. The log decides: the read finds the event, opens nothing, and finishes the deletion.
    @Test func anInterruptedErasureIsHonouredByTheReadPathAndFinished() async throws {
        let system = try await System.make()
        let stream = try await system.run("registrar-persona", persona()).streamId
        // The event reaches the log; the process dies before deleting the key.
        _ = try await system.store.append(AppendRequest(
            streamId: stream, streamType: "Expediente", expectedVersion: .any,
            events: [NewEvent(eventType: "DatosPersonalesBorrados", schemaVersion: 1,
                              payload: String(decoding: CanonicalJSON.serialize(erasure), as: UTF8.self), occurredAt: Timestamp.now())],
            metadata: EventMetadata(userId: "capturista-1", institutionId: "FGE-07", client: "pruebas")))
        let vault = DataKeyVault(pool: system.store.pool, keyring: system.keyring)
        #expect(try await vault.key(subject: stream) == nil, "the case no longer opens")
        let rows = try await system.store.pool.query("SELECT count(*) FROM personal_data_keys WHERE subject = $1", [.text(stream)])
        #expect(try rows[0].decode(Int64.self, 0) == 0, "and the read finished the deletion")
    }

    /// Erasing one case used to leave the same person's linked case file readable and findable by CURP.
    @Test func erasureReachesEveryCaseLinkedAsTheSamePerson() async throws {
        let system = try await System.make()
        let first = try await system.run("registrar-persona", persona()).streamId
        let second = try await system.run("registrar-persona", persona(), as: context("CEAV", user: "capturista-2")).streamId
        let third = try await system.run("registrar-persona", persona(), as: context("DIF-07", user: "capturista-3")).streamId
        let unrelated = try await system.run("registrar-persona", persona(nombre: "Otra", curp: curp("FIEO970707MCSCJC0"), fechaDeNacimiento: "1997-07-07", edad: 24)).streamId
        // first ← second (declared on second), second → third: linked transitively, in both directions.
        try await system.run("vincular-expedientes", ["fecha": "2022-03-01", "expediente": .string(first), "motivo": "Misma persona, cotejo de documentos."],
                             stream: second, as: context("CEAV", user: "capturista-2"))
        try await system.run("vincular-expedientes", ["fecha": "2022-03-02", "expediente": .string(third), "motivo": "Misma persona, confirmación por oficio."],
                             stream: second, as: context("CEAV", user: "capturista-2"))
        let curpDigest = BlindIndex.digest(.curp, of: BlindIndex.normalizeCURP("FIEL980321MCSCJC07"), keyring: system.keyring)
        func found() async throws -> Int64 {
            try await system.store.pool.query("SELECT count(*) FROM blind_indexes WHERE kind = 'curp' AND digest = $1", [.bytea(curpDigest)])[0].decode(Int64.self, 0)
        }
        #expect(try await found() == 3)

        try await system.run("borrar-datos-personales", erasure, stream: first)
        for stream in [first, second, third] {
            #expect(try await system.handler.vault.key(subject: stream) == nil, "\(stream) still opens")
            let events = try await system.store.readStream(stream)
            #expect(events.filter { $0.eventType == "DatosPersonalesBorrados" }.count == 1, "\(stream) records its erasure once")
        }
        #expect(try await found() == 0, "the CURP no longer finds any copy")
        #expect(try await system.handler.vault.key(subject: unrelated) != nil)
        // Repeating the command (a retry) changes nothing.
        let count = try await system.eventCount()
        _ = try? await system.run("borrar-datos-personales", erasure, stream: first, key: "k-repetida")
        #expect(try await system.eventCount() <= count + 1)
    }

    /// The length of a ciphertext used to be the length of the name: «Ana» was alone in its length.
    @Test func ciphertextLengthsDoNotRevealTheLengthOfANameOrACURP() throws {
        let key = SecureRandom.bytes(count: 32)
        func length(_ value: JSONValue) throws -> Int {
            try PersonalDataCipher.encrypt(["x": value], paths: ["x"], subject: "expediente-1", key: key)["x"]!.stringValue!.count
        }
        let names = ["Ana", "Eva", "Guadalupe", "María José", "Maximiliana del Carmen"]
        #expect(Set(try names.map { try length(.string($0)) }).count == 1, "names up to 29 bytes share one length")
        #expect(try length(.string("FIEL980321MCSCJC07")) == (try length(.string("Ana"))))
        // Padding never loses a byte, whatever the length (bucket edges included), and v1 values still open.
        for count in [0, 1, 27, 28, 29, 30, 61, 62, 4_093, 4_094, 5_000] {
            let text = String(repeating: "ñ", count: count / 2) + String(repeating: "a", count: count % 2)
            let sealed = try PersonalDataCipher.encrypt(["x": .string(text)], paths: ["x"], subject: "s", key: key)
            #expect(PersonalDataCipher.decrypt(sealed, subject: "s", key: key).payload["x"]?.stringValue == text)
        }
        let legacy = try AESGCM.seal(CanonicalJSON.serialize(.string("Ana")), key: key, associatedData: Array("s".utf8))
        let v1: JSONValue = ["x": .string(PersonalDataCipher.unpaddedPrefix + Data(legacy).base64EncodedString())]
        #expect(PersonalDataCipher.decrypt(v1, subject: "s", key: key).payload["x"] == "Ana")
    }
}
