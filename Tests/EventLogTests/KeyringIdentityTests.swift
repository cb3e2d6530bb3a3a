import Foundation
import Postgres
import Testing
import TestDatabase

/// The keyring's identity (issue 20): a database keeps its keyring's keyed fingerprint, and `sintra serve`,
/// every console write and `sintra keys rotate` refuse another keyring (a regenerated one reuses the id `m1`)
/// before anything is written; a legitimate rotation keeps the fingerprint; the keyring's backup is sealed
/// with a passphrase and restores only onto its own database.
@Suite(.needsDatabase) struct KeyringIdentityTests {
    static func counts(_ database: TestDatabase) async throws -> [Int64] {
        try await [TrainingEnvironmentTests.scalar(database, "SELECT count(*) FROM events"),
                   TrainingEnvironmentTests.scalar(database, "SELECT count(*) FROM personal_data_keys"),
                   TrainingEnvironmentTests.scalar(database, "SELECT count(*) FROM master_key_generations")]
    }

    @Test func aRegeneratedKeyringIsRefusedAndTheRightOneSurvivesRotation() async throws {
        let original = try await ServeRoleTests.keyring(), regenerated = try await ServeRoleTests.keyring()
        defer { for path in [original, regenerated] { try? FileManager.default.removeItem(atPath: path) } }
        let database = try await TrainingEnvironmentTests.productionDatabase(keys: original)
        let right = TrainingEnvironmentTests.environment(database, keys: original, ambiente: "produccion")
        let wrong = TrainingEnvironmentTests.environment(database, keys: regenerated, ambiente: "produccion")
        #expect(try await TrainingEnvironmentTests.scalar(database, "SELECT count(*) FROM keyring_identity") == 1, "the first use wrote the fingerprint")
        let before = try await Self.counts(database)

        // A writing command, the server and the rotation: all refused, nothing written.
        var (status, output) = try await runSintra(["demo", "--seed", "2", "--personas", "1"], environment: wrong)
        #expect(status == 1 && output.contains("no es el de esta base de datos") && output.contains("sintra keys restaurar"), "\(output)")
        (status, output) = try await TrainingEnvironmentTests.serve(wrong)
        #expect(status == 1 && output.contains("no es el de esta base de datos"), "\(output)")
        (status, output) = try await runSintra(["keys", "rotate"], environment: wrong)
        #expect(status == 1 && output.contains("no es el de esta base de datos"), "\(output)")
        #expect(try await Self.counts(database) == before)
        #expect(try String(contentsOfFile: regenerated, encoding: .utf8).contains("\"activa\": \"m1\""), "the refused rotation left its file alone")

        // The right keyring writes, rotates, and still writes; the regenerated one is still refused.
        (status, output) = try await runSintra(["demo", "--seed", "3", "--personas", "1"], environment: right)
        #expect(status == 0, "\(output)")
        (status, output) = try await runSintra(["keys", "rotate"], environment: right)
        #expect(status == 0 && output.contains("«m2» activa"), "\(output)")
        (status, output) = try await runSintra(["demo", "--seed", "4", "--personas", "1"], environment: right)
        #expect(status == 0, "\(output)")
        (status, output) = try await runSintra(["demo", "--seed", "5", "--personas", "1"], environment: wrong)
        #expect(status == 1 && output.contains("no es el de esta base de datos"), "\(output)")
        // The fingerprint is written once: nobody, the owner included, replaces it.
        await #expect(throws: PostgresError.self) { try await database.asSuperuser("DELETE FROM keyring_identity") }
    }

    @Test func aDatabaseWithoutFingerprintAdoptsOnlyTheKeyringThatOpensItsKeys() async throws {
        let original = try await ServeRoleTests.keyring(), regenerated = try await ServeRoleTests.keyring()
        defer { for path in [original, regenerated] { try? FileManager.default.removeItem(atPath: path) } }
        let database = try await TrainingEnvironmentTests.productionDatabase(keys: original)
        // As a database migrated before 0070 would be: data keys, no fingerprint.
        try await database.asSuperuser("""
            ALTER TABLE keyring_identity DISABLE TRIGGER USER; DELETE FROM keyring_identity; ALTER TABLE keyring_identity ENABLE TRIGGER USER;
            """)
        let before = try await Self.counts(database)
        var (status, output) = try await runSintra(["demo", "--seed", "2", "--personas", "1"],
                                             environment: TrainingEnvironmentTests.environment(database, keys: regenerated, ambiente: "produccion"))
        #expect(status == 1 && output.contains("no abre las claves de datos"), "\(output)")
        #expect(try await Self.counts(database) == before)
        #expect(try await TrainingEnvironmentTests.scalar(database, "SELECT count(*) FROM keyring_identity") == 0)
        (status, output) = try await runSintra(["demo", "--seed", "2", "--personas", "1"],
                                         environment: TrainingEnvironmentTests.environment(database, keys: original, ambiente: "produccion"))
        #expect(status == 0, "\(output)")
        #expect(try await TrainingEnvironmentTests.scalar(database, "SELECT count(*) FROM keyring_identity") == 1)
    }

    @Test func theKeyringBackupIsSealedAndRestoresOnlyOntoItsDatabase() async throws {
        let original = try await ServeRoleTests.keyring(), regenerated = try await ServeRoleTests.keyring()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("respaldo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { for path in [original, regenerated, folder.path] { try? FileManager.default.removeItem(atPath: path) } }
        let database = try await TrainingEnvironmentTests.productionDatabase(keys: original)
        let passphrase = ["SINTRA_FRASE_DE_RESPALDO": "una frase de paso larga"]
        let (good, foreign) = (folder.appendingPathComponent("bueno.json").path, folder.appendingPathComponent("ajeno.json").path)
        var (status, output) = try await runSintra(["keys", "respaldar", "--master-key", original, "--salida", good], environment: passphrase)
        #expect(status == 0, "\(output)")
        (status, output) = try await runSintra(["keys", "respaldar", "--master-key", regenerated, "--salida", foreign], environment: passphrase)
        #expect(status == 0, "\(output)")
        let sealed = try String(contentsOfFile: good, encoding: .utf8)
        let secret = try String(contentsOfFile: original, encoding: .utf8).split(separator: "\"").first { $0.count == 64 }.map(String.init)
        #expect(secret != nil && !sealed.contains(secret!), "no key in clear in the backup")
        #expect(try FileManager.default.attributesOfItem(atPath: good)[.posixPermissions] as? Int == 0o600)

        let restored = folder.appendingPathComponent("claves.json").path
        let env = passphrase.merging(["DATABASE_URL": database.appURL]) { _, new in new }
        (status, output) = try await runSintra(["keys", "restaurar", foreign, "--master-key", restored], environment: env)
        #expect(status == 1 && output.contains("no es el archivo de claves de esta base"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: restored))
        (status, output) = try await runSintra(["keys", "restaurar", good, "--master-key", restored],
                                         environment: env.merging(["SINTRA_FRASE_DE_RESPALDO": "otra frase equivocada"]) { _, new in new })
        #expect(status == 1 && output.contains("frase de paso equivocada"), "\(output)")
        (status, output) = try await runSintra(["keys", "restaurar", good, "--master-key", restored], environment: env)
        #expect(status == 0, "\(output)")
        #expect(try String(contentsOfFile: restored, encoding: .utf8) == String(contentsOfFile: original, encoding: .utf8))
        // The restored file serves the database.
        (status, output) = try await runSintra(["demo", "--seed", "6", "--personas", "1"],
                                         environment: TrainingEnvironmentTests.environment(database, keys: restored, ambiente: "produccion"))
        #expect(status == 0, "\(output)")
    }
}
