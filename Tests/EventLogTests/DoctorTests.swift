import Foundation
import Testing
import TestDatabase

/// `sintra doctor` (issue 20): a healthy deployment passes; each fault is named, with what to do, in Spanish.
@Suite(.needsDatabase) struct DoctorTests {
    @Test func aHealthyDeploymentPassesAndEachFaultIsNamedWithItsFix() async throws {
        let keys = try await ServeRoleTests.keyring(), other = try await ServeRoleTests.keyring()
        defer { for path in [keys, other] { try? FileManager.default.removeItem(atPath: path) } }
        let database = try await TrainingEnvironmentTests.productionDatabase(keys: keys)
        let env = TrainingEnvironmentTests.environment(database, keys: keys, ambiente: "produccion")

        // Demo data written, projections never built: a failure, with its remedy.
        var (status, output) = try await runSintra(["doctor"], environment: env)
        #expect(status == 1 && output.contains("FALLA  proyecciones") && output.contains("Qué hacer:"), "\(output)")
        (status, output) = try await runSintra(["projections", "rebuild", "--all"], environment: env)
        #expect(status == 0, "\(output)")
        (status, output) = try await runSintra(["doctor"], environment: env)
        #expect(status == 0 && output.contains("ok     migraciones: al día") && output.contains("archivo de claves: es el de esta base")
                && output.contains("Sin fallas"), "\(output)")

        // Another keyring.
        (status, output) = try await runSintra(["doctor"], environment: TrainingEnvironmentTests.environment(database, keys: other, ambiente: "produccion"))
        #expect(status == 1 && output.contains("no es el de esta base") && output.contains("sintra keys restaurar"), "\(output)")
        // The right keyring, readable by others.
        #expect(chmod(keys, 0o644) == 0)
        (status, output) = try await runSintra(["doctor"], environment: env)
        #expect(status == 1 && output.contains("FALLA  permisos del archivo de claves") && output.contains("chmod 600"), "\(output)")
        #expect(chmod(keys, 0o600) == 0)
        // A database that does not answer.
        (status, output) = try await runSintra(["doctor"], environment: env.merging(["DATABASE_URL": "host=/ruta/que/no/existe dbname=nada"]) { _, new in new })
        #expect(status == 1 && output.contains("FALLA  base de datos") && output.contains("systemctl status postgresql"), "\(output)")
        // A database nobody migrated.
        let empty = try await TestDatabase.empty()
        (status, output) = try await runSintra(["doctor"], environment: TrainingEnvironmentTests.environment(empty, keys: keys, ambiente: "produccion"))
        #expect(status == 1 && output.contains("FALLA  migraciones") && output.contains("sintra migrate"), "\(output)")
        // For a program: JSON with every check.
        (status, output) = try await runSintra(["doctor", "--format", "json"], environment: env)
        #expect(status == 0 && output.contains("\"revision\":\"reloj\""), "\(output)")
    }
}
