import Foundation
import Testing
import TestDatabase

/// One configuration reader for every setting: flags over the environment over an optional file
/// over defaults, every value that does not parse an error naming it, and one documented table.
@Suite(.needsDatabase) struct ConfigurationTests {
    @Test func theReadmeTableIsTheOneTheProgramPrints() async throws {
        let (status, table) = try await runSintra(["configuracion", "--format", "md"])
        #expect(status == 0)
        let readme = try String(contentsOf: TestDatabase.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains(table.trimmingCharacters(in: .whitespacesAndNewlines)),
                "README.md \"Configuration\" must hold the output of `sintra configuracion --format md`:\n\(table)")
        // Every variable any source file reads is in the table.
        for variable in ["DATABASE_URL", "SINTRA_PROJECTOR_DATABASE_URL", "SINTRA_ADMIN_DATABASE_URL", "SINTRA_MASTER_KEY_FILE", "SINTRA_EVENTS_DIR",
                         "SINTRA_PROJECTIONS_DIR", "SINTRA_HOST", "SINTRA_PORT", "SINTRA_UMBRAL", "SINTRA_REGISTRO", "SINTRA_TOKEN", "SINTRA_CONTRASENA"] {
            #expect(table.contains("`\(variable)`"), "\(variable)")
        }
    }

    @Test func aFileIsReadUnderTheEnvironmentAndItsMistakesAreNamed() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sintra-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("sintra.env")
        try "# producción\nSINTRA_UMBRAL=5\nSINTRA_HOST=\"0.0.0.0\"\nDATABASE_URL=host=/tmp dbname=secreta\n".write(to: file, atomically: true, encoding: .utf8)

        var (status, output) = try await runSintra(["configuracion", "--format", "json"], environment: ["SINTRA_CONFIG_FILE": file.path, "SINTRA_HOST": "10.0.0.1"])
        #expect(status == 0, "\(output)")
        #expect(output.contains(#""origen":"archivo","porOmision":"10","secreto":false,"valor":"5","variable":"SINTRA_UMBRAL""#), "\(output)")
        // The environment wins over the file; a secret is never printed.
        #expect(output.contains(#""valor":"10.0.0.1","variable":"SINTRA_HOST""#), "\(output)")
        #expect(!output.contains("secreta"), "\(output)")

        try "SINTRA_UMBRAL=5\nSINTRA_UMBRALL=3\nsin igual\n".write(to: file, atomically: true, encoding: .utf8)
        (status, output) = try await runSintra(["configuracion"], environment: ["SINTRA_CONFIG_FILE": file.path])
        #expect(status == 64, "\(output)")
        #expect(output.contains("línea 2: «SINTRA_UMBRALL» no es una variable de SINTRA"), "\(output)")
        #expect(output.contains("línea 3: se esperaba VARIABLE=valor"), "\(output)")

        // A value in the file that does not parse is an error, as in the environment.
        try "SINTRA_PORT=ochenta\nSINTRA_REGISTRO=todo\n".write(to: file, atomically: true, encoding: .utf8)
        (status, output) = try await runSintra(["serve"], environment: ["SINTRA_CONFIG_FILE": file.path])
        #expect(status == 64 && output.contains("SINTRA_PORT: «ochenta» no es un número entero"), "\(output)")
        #expect(output.contains("SINTRA_REGISTRO: «todo» no es válido"), "\(output)")
    }
}
