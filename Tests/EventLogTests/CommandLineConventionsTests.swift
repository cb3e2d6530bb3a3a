import CanonicalJSON
import Foundation
import TestDatabase
import Testing

/// The conventions every `sintra` command keeps (README "The `sintra` command"): a version, one
/// name per option, one JSON document with `--format json`, settings that do not parse refused.
@Suite(.needsDatabase) struct CommandLineConventionsTests {
    @Test func versionFormatsAndSettingsThatDoNotParse() async throws {
        var (status, output) = try await runSintra(["--version"])
        #expect(status == 0 && output.range(of: "^[0-9]+\\.[0-9]+\\.[0-9]+\\n?$", options: .regularExpression) != nil, "\(output)")
        // $SINTRA_UMBRAL=abc used to become 10 silently; 0 is refused everywhere.
        (status, output) = try await runSintra(["serve"], environment: ["SINTRA_UMBRAL": "abc"])
        #expect(status != 0 && output.contains("SINTRA_UMBRAL: «abc» no es un número entero"), "\(output)")
        (status, output) = try await runSintra(["serve", "--umbral", "0"])
        #expect(status != 0 && output.contains("al menos 1"), "\(output)")
        (status, output) = try await runSintra(["serve"], environment: ["SINTRA_PORT": "ochenta"])
        #expect(status != 0 && output.contains("SINTRA_PORT: «ochenta»"), "\(output)")
        // One word for one format everywhere: texto, not text.
        (status, output) = try await runSintra(["cases", "list", "--format", "text"])
        #expect(status == 64 && output.contains("texto"), "\(output)")
        // --format json gives one parseable document.
        let database = try await TestDatabase.migrated()
        (status, output) = try await runSintra(["log", "stats", "--format", "json", "--database-url", database.appURL])
        #expect(status == 0)
        let stats = try CanonicalJSON.parse(output)
        #expect(stats["eventos"] == 0 && stats["posicion"] == 0, "\(output)")
        (status, output) = try await runSintra(["accounts", "permissions", "--format", "json", "--database-url", database.appURL])
        let permissions = try CanonicalJSON.parse(output)
        #expect(status == 0 && permissions["permisos"]?.arrayValue?.isEmpty == false, "\(output.prefix(300))")
        (status, output) = try await runSintra(["verify", "--format", "json", "--database-url", database.appURL])
        let verified = try CanonicalJSON.parse(output)
        #expect(status == 0 && verified["integro"] == true && verified["eventos"] == 0, "\(output)")
        (status, output) = try await runSintra(["definitions", "commands", "--format", "json",
                                          "--events", TestDatabase.repositoryRoot.appendingPathComponent("events").path])
        let commands = try CanonicalJSON.parse(output)
        #expect(status == 0 && commands["comandos"]?.arrayValue?.contains { $0["comando"] == "registrar-persona" } == true, "\(output.prefix(300))")
    }
}
