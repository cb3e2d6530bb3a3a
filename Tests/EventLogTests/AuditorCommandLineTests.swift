import EventLog
import Foundation
import Testing
import TestDatabase

/// The auditor's workflow through the `sintra` executable only.
@Suite(.needsDatabase) struct AuditorCommandLineTests {
    @Test func keygenCheckpointExportAndVerifyOffline() async throws {
        let database = try await TestDatabase.migrated()
        try await seed(database.store(), count: 6)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("auditor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let prefix = folder.appendingPathComponent("auditor").path

        var (status, output) = try await runSintra(["keygen", prefix])
        #expect(status == 0, "\(output)")
        (status, output) = try await runSintra(["keygen", prefix])
        #expect(status != 0, "a key must never be overwritten")

        let checkpoint = folder.appendingPathComponent("cp.json").path
        (status, output) = try await runSintra(["checkpoint", "--database-url", database.appURL, "--key", prefix + ".key", "--out", checkpoint])
        #expect(status == 0, "\(output)")
        #expect(output.contains("posición 6"))

        try await seed(database.store(), count: 2)
        (status, output) = try await runSintra(["verify", "--database-url", database.appURL, "--checkpoint", checkpoint, "--public-key", prefix + ".pub"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("8 eventos verificados"))

        let export = folder.appendingPathComponent("rango.jsonl").path
        (status, output) = try await runSintra(["export", "--database-url", database.appURL, "--from", "3", "--to", "7", "--out", export])
        #expect(status == 0, "\(output)")
        (status, output) = try await runSintra(["verify", "--file", export, "--checkpoint", checkpoint, "--public-key", prefix + ".pub"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("posiciones 3–7"))

        var text = try String(contentsOfFile: export, encoding: .utf8)
        text = text.replacingOccurrences(of: #""n":5"#, with: #""n":6"#)
        try text.write(toFile: export, atomically: true, encoding: .utf8)
        (status, output) = try await runSintra(["verify", "--file", export])
        #expect(status == 1)
        #expect(output.contains("posición 5"), "\(output)")
    }
}
