import CanonicalJSON
import Foundation
import Postgres
import Testing
import TestDatabase

/// SINTRA Capacitación (issue 16): production and training never mix. A database and a keyring say which
/// environment they belong to; `sintra serve` refuses any that is not its own, `sintra checkpoint` never signs
/// a training log, and `sintra capacitacion reiniciar` only ever empties a training database.
@Suite(.needsDatabase) struct TrainingEnvironmentTests {
    static func keyring(training: Bool) async throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("claves-\(UUID().uuidString).json").path
        let (status, output) = try await runSintra(["keys", "generate", path] + (training ? ["--ambiente", "capacitacion"] : []))
        #expect(status == 0, "\(output)")
        return path
    }

    static func environment(_ database: TestDatabase, keys: String, ambiente: String) -> [String: String] {
        ServeRoleTests.environment(database, keys: keys, projector: database.projectorURL).merging(["SINTRA_AMBIENTE": ambiente]) { _, new in new }
    }

    /// A training database in its initial state, as `ops/run --capacitacion` makes it (a small demo).
    static func trainingDatabase(keys: String, passwords: String? = nil) async throws -> TestDatabase {
        let database = try await TestDatabase.empty()
        let (status, output) = try await runSintra(["capacitacion", "reiniciar", "--personas", "3"] + (passwords.map { ["--contrasenas", $0] } ?? []),
                                             environment: environment(database, keys: keys, ambiente: "capacitacion"))
        #expect(status == 0, "\(output)")
        #expect(output.contains("SINTRA Capacitación reiniciada"), "\(output)")
        return database
    }

    /// A production database with demo data written with the production keyring.
    static func productionDatabase(keys: String) async throws -> TestDatabase {
        let database = try await TestDatabase.empty()
        let env = environment(database, keys: keys, ambiente: "produccion")
        var (status, output) = try await runSintra(["migrate"], environment: env)
        #expect(status == 0, "\(output)")
        (status, output) = try await runSintra(["demo", "--personas", "3"], environment: env)
        #expect(status == 0, "\(output)")
        return database
    }

    static func scalar(_ database: TestDatabase, _ sql: SQL, _ parameters: [PostgresValue] = []) async throws -> Int64 {
        // Closed before returning: `reiniciar` refuses a database with other sessions open.
        let connection = try await database.admin()
        do {
            let value = try await connection.query(sql, parameters)[0].decode(Int64.self, 0)
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }

    static func serve(_ environment: [String: String]) async throws -> (Int32, String) {
        try await runSintra(["serve", "--port", String(Int.random(in: 20_000...40_000))], environment: environment)
    }

    @Test func productionRefusesATrainingDatabaseAndTheReverse() async throws {
        let trainingKeys = try await Self.keyring(training: true), productionKeys = try await Self.keyring(training: false)
        defer { for path in [trainingKeys, productionKeys] { try? FileManager.default.removeItem(atPath: path) } }
        let training = try await Self.trainingDatabase(keys: trainingKeys)
        let production = try await Self.productionDatabase(keys: productionKeys)

        // A production server handed the training database (with the production keyring): refused.
        var (status, output) = try await Self.serve(Self.environment(training, keys: productionKeys, ambiente: "produccion"))
        #expect(status == 1, "\(output)")
        #expect(output.contains("ERROR: esta instancia es de producción") && output.contains("la base de datos es de capacitación"), "\(output)")
        // A training server handed the production database (with the training keyring): refused.
        (status, output) = try await Self.serve(Self.environment(production, keys: trainingKeys, ambiente: "capacitacion"))
        #expect(status == 1, "\(output)")
        #expect(output.contains("esta instancia es de capacitación") && output.contains("la base de datos es de producción"), "\(output)")
        // The right database with the other environment's keyring: refused both ways.
        (status, output) = try await Self.serve(Self.environment(training, keys: productionKeys, ambiente: "capacitacion"))
        #expect(status == 1 && output.contains("el archivo de claves es de producción"), "\(output)")
        (status, output) = try await Self.serve(Self.environment(production, keys: trainingKeys, ambiente: "produccion"))
        #expect(status == 1 && output.contains("el archivo de claves es de capacitación"), "\(output)")
        // A value that is not an environment is a usage error, never a default.
        (status, output) = try await Self.serve(Self.environment(production, keys: productionKeys, ambiente: "pruebas"))
        #expect(status == 64 && output.contains("SINTRA_AMBIENTE"), "\(output)")
    }

    @Test func aTrainingServerStartsAndEveryAnswerSaysCapacitacion() async throws {
        let keys = try await Self.keyring(training: true)
        defer { try? FileManager.default.removeItem(atPath: keys) }
        let training = try await Self.trainingDatabase(keys: keys)
        let port = Int.random(in: 20_000...40_000)
        let server = Process()
        server.executableURL = TestDatabase.sintraExecutable
        server.arguments = ["serve", "--port", String(port)]
        server.environment = ProcessInfo.processInfo.environment.merging(Self.environment(training, keys: keys, ambiente: "capacitacion")) { _, new in new }
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }
        var headers: [String: String] = [:]
        for path in ["/health", "/no-existe", "/v1/expedientes"] {
            var answer = ""
            for _ in 0..<300 {
                answer = try await runProgram(URL(fileURLWithPath: "/usr/bin/curl"), ["-si", "http://127.0.0.1:\(port)\(path)"]).1
                if answer.hasPrefix("HTTP/") { break }
                #expect(server.isRunning, "sintra serve terminó antes de tiempo")
                try await Task.sleep(for: .milliseconds(100))
            }
            headers[path] = answer.split(separator: "\r\n").first { $0.lowercased().hasPrefix("sintra-ambiente:") }.map(String.init)
        }
        for path in ["/health", "/no-existe", "/v1/expedientes"] {
            #expect(headers[path]?.lowercased() == "sintra-ambiente: capacitacion", "\(path): \(headers[path] ?? "sin encabezado")")
        }
        // The web pages carry the banner and the word in their title.
        let page = try await runProgram(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "http://127.0.0.1:\(port)/entrar"]).1
        #expect(page.contains("class=\"aviso-capacitacion\"") && page.contains("<title>CAPACITACIÓN — "), "\(page.prefix(600))")
    }

    @Test func nothingRecordedInTrainingAppearsInProduction() async throws {
        let trainingKeys = try await Self.keyring(training: true), productionKeys = try await Self.keyring(training: false)
        defer { for path in [trainingKeys, productionKeys] { try? FileManager.default.removeItem(atPath: path) } }
        let production = try await Self.productionDatabase(keys: productionKeys)
        let before = try await Self.scalar(production, "SELECT count(*) FROM events")
        let training = try await Self.trainingDatabase(keys: trainingKeys)
        // Trainees record more: another demo seed, then an attempt to sign the training log.
        var (status, output) = try await runSintra(["demo", "--seed", "7", "--personas", "2"],
                                             environment: Self.environment(training, keys: trainingKeys, ambiente: "capacitacion"))
        #expect(status == 0, "\(output)")
        #expect(try await Self.scalar(training, "SELECT count(*) FROM events WHERE metadata->>'idempotencyKey' LIKE 'demo-7-%'") > 0)
        let auditor = FileManager.default.temporaryDirectory.appendingPathComponent("auditor-\(UUID().uuidString)").path
        defer { for suffix in [".key", ".pub"] { try? FileManager.default.removeItem(atPath: auditor + suffix) } }
        _ = try await runSintra(["keygen", auditor])
        (status, output) = try await runSintra(["checkpoint", "--key", auditor + ".key"], environment: ["DATABASE_URL": training.appURL])
        #expect(status == 1 && output.contains("capacitación"), "un registro de capacitación no se firma: \(output)")

        // Console writes with the other environment's keyring are refused before anything is written.
        (status, output) = try await runSintra(["demo", "--seed", "8", "--personas", "1"],
                                         environment: Self.environment(production, keys: trainingKeys, ambiente: "capacitacion"))
        #expect(status == 1 && output.contains("el archivo de claves es de capacitación pero la base de datos es de producción"), "\(output)")
        (status, output) = try await runSintra(["demo", "--seed", "8", "--personas", "1"],
                                         environment: Self.environment(training, keys: productionKeys, ambiente: "produccion"))
        #expect(status == 1 && output.contains("el archivo de claves es de producción pero la base de datos es de capacitación"), "\(output)")

        // Production is exactly as it was: no training event, no demo account, no training stream.
        #expect(try await Self.scalar(production, "SELECT count(*) FROM events") == before)
        #expect(try await Self.scalar(production, "SELECT count(*) FROM events WHERE metadata->>'idempotencyKey' LIKE 'demo-7-%'") == 0)
        #expect(try await Self.scalar(production, "SELECT count(*) FROM events WHERE event_type = 'UsuarioRegistrado'") == 0)
        #expect(try await Self.scalar(training, "SELECT count(*) FROM events WHERE event_type = 'UsuarioRegistrado'") == 6)
        // And the databases say which they are.
        #expect(try await Self.scalar(training, "SELECT count(*) FROM deployment_environment WHERE name = 'capacitacion'") == 1)
        #expect(try await Self.scalar(production, "SELECT count(*) FROM deployment_environment WHERE name = 'produccion'") == 1)
    }

    @Test func reiniciarRestoresTheInitialStateAndNeverTouchesProduction() async throws {
        let trainingKeys = try await Self.keyring(training: true), productionKeys = try await Self.keyring(training: false)
        let passwords = FileManager.default.temporaryDirectory.appendingPathComponent("cuentas-\(UUID().uuidString).txt").path
        defer { for path in [trainingKeys, productionKeys, passwords] { try? FileManager.default.removeItem(atPath: path) } }
        let training = try await Self.trainingDatabase(keys: trainingKeys, passwords: passwords)
        let initial: SQL = "SELECT count(*) FROM events WHERE metadata->>'userId' LIKE 'demo-%'"
        let demoEvents = try await Self.scalar(training, initial)
        let total = try await Self.scalar(training, "SELECT count(*) FROM events")
        #expect(demoEvents > 0)
        let file = try String(contentsOfFile: passwords, encoding: .utf8)
        #expect(file.split(separator: "\n").filter { !$0.hasPrefix("#") }.count == 6, "\(file)")
        let mode = try FileManager.default.attributesOfItem(atPath: passwords)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let env = Self.environment(training, keys: trainingKeys, ambiente: "capacitacion")
        var (status, output) = try await runSintra(["demo", "--seed", "9", "--personas", "2"], environment: env)
        #expect(status == 0, "\(output)")
        #expect(try await Self.scalar(training, "SELECT count(*) FROM events") > total)
        (status, output) = try await runSintra(["capacitacion", "reiniciar", "--personas", "3", "--contrasenas", passwords], environment: env)
        #expect(status == 0, "\(output)")
        #expect(try await Self.scalar(training, "SELECT count(*) FROM events") == total, "the initial state again: \(output)")
        #expect(try await Self.scalar(training, initial) == demoEvents)
        #expect(try await Self.scalar(training, "SELECT count(*) FROM events WHERE metadata->>'idempotencyKey' LIKE 'demo-9-%'") == 0)
        #expect(try await Self.scalar(training, "SELECT count(*) FROM deployment_environment WHERE name = 'capacitacion'") == 1)
        #expect(try String(contentsOfFile: passwords, encoding: .utf8) != file, "new passwords at each reset")

        // Never against production: not with a production database, not with a production keyring.
        let production = try await Self.productionDatabase(keys: productionKeys)
        let productionEvents = try await Self.scalar(production, "SELECT count(*) FROM events")
        (status, output) = try await runSintra(["capacitacion", "reiniciar", "--personas", "3"],
                                         environment: Self.environment(production, keys: trainingKeys, ambiente: "capacitacion"))
        #expect(status == 1 && output.contains("ERROR: la base es de producción"), "\(output)")
        (status, output) = try await runSintra(["capacitacion", "reiniciar", "--personas", "3"],
                                         environment: Self.environment(training, keys: productionKeys, ambiente: "capacitacion"))
        #expect(status == 1 && output.contains("el archivo de claves es de producción"), "\(output)")
        #expect(try await Self.scalar(production, "SELECT count(*) FROM events") == productionEvents)

        // The mark itself: written once, and never on a log that already holds events.
        (status, output) = try await runSintra(["migrate", "--ambiente", "capacitacion"], environment: Self.environment(production, keys: productionKeys, ambiente: "capacitacion"))
        #expect(status == 1 && output.contains("ERROR:"), "\(output)")
        (status, output) = try await runSintra(["migrate"], environment: Self.environment(training, keys: trainingKeys, ambiente: "produccion"))
        #expect(status == 1 && output.contains("la base de datos es de capacitación"), "\(output)")
        await #expect(throws: PostgresError.self) { try await training.asSuperuser("UPDATE deployment_environment SET name = 'produccion'") }
        let unmarked = try await TestDatabase.migrated()
        (status, output) = try await runSintra(["demo", "--personas", "1"], environment: Self.environment(unmarked, keys: productionKeys, ambiente: "produccion"))
        #expect(status == 0, "\(output)")
        await #expect(throws: PostgresError.self) { try await unmarked.asSuperuser("INSERT INTO deployment_environment (name) VALUES ('capacitacion')") }
    }
}

/// «CAPACITACIÓN» in every export and publication (issue 16): the statistics files, the published
/// release, the indicators annex and the as-of comparison say so in the documents themselves, in
/// each format's own way, so a file copied out of its folder still cannot pass for an official one.
@Suite(.needsDatabase) struct TrainingMarkTests {
    @Test func everyExportOfATrainingDatabaseSaysCapacitacion() async throws {
        let keys = try await TrainingEnvironmentTests.keyring(training: true)
        defer { try? FileManager.default.removeItem(atPath: keys) }
        let training = try await TrainingEnvironmentTests.trainingDatabase(keys: keys)
        let environment = TrainingEnvironmentTests.environment(training, keys: keys, ambiente: "capacitacion")
        let mark = "CAPACITACIÓN"

        // The statistics files: every CSV line (the header names the column), every JSON document, the descriptor.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("capacitacion-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var (status, output) = try await runSintra(["stats", "export", "--dir", folder.path], environment: environment)
        #expect(status == 0, "\(output)")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names.contains { $0.hasSuffix(".csv") }, "la capacitación tiene cifras que exportar: \(names)")
        for name in names {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            if name.hasSuffix(".csv") {
                let lines = text.split(separator: "\n")
                #expect(lines.first?.hasPrefix("# \(mark)") == true, "\(name): \(lines.first ?? "")")
                #expect(lines.dropFirst().first?.hasPrefix("ambiente,anio,") == true, "\(name)")
                #expect(lines.dropFirst(2).allSatisfy { $0.hasPrefix("\(mark),") }, "\(name): toda línea dice \(mark)")
            } else {
                let document = try CanonicalJSON.parse(Data(text.utf8))
                let said = name == "datapackage.json" ? document["sintra:ambiente"] : document["ambiente"]
                #expect(said?.stringValue == mark, "\(name)")
                #expect((name == "datapackage.json" ? document["title"] : document["titulo"])?.stringValue?.hasPrefix(mark) == true, "\(name)")
            }
        }
        // Still a valid data package for the reference tool (the column is declared in each schema).
        let (_, report) = try await runProgram(URL(fileURLWithPath: "/usr/bin/env"),
                                         ["python3", "-m", "frictionless", "validate", "--json", folder.appendingPathComponent("datapackage.json").path],
                                         standardErrorToo: false)
        let parsed = try #require(try? JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any], "\(report.prefix(300))")
        #expect(parsed["valid"] as? Bool == true, "\(report.prefix(600))")

        // The printed tables in each format.
        for (format, prefix) in [("texto", "# \(mark)"), ("csv", "# \(mark)"), ("json", "{\"ambiente\":\"\(mark)\"")] {
            (status, output) = try await runProgram(TestDatabase.sintraExecutable, ["stats", "show", "--format", format], environment: environment, standardErrorToo: false)
            #expect(status == 0 && output.hasPrefix(prefix), "stats show --format \(format): \(output.prefix(120))")
        }
        // The indicators annex and the comparison with a past day.
        for format in ["json", "csv", "md"] {
            for asOf in [[], ["--as-of", "2024-01-01"]] {
                (status, output) = try await runProgram(TestDatabase.sintraExecutable, ["indicators", "--format", format] + asOf, environment: environment, standardErrorToo: false)
                #expect(status == 0 && output.contains(mark), "indicators --format \(format) \(asOf): \(output.prefix(160))")
                if format == "csv" {
                    #expect(output.split(separator: "\n").dropFirst().allSatisfy { $0.hasPrefix("\(mark),") }, "\(output.prefix(200))")
                }
            }
        }
    }
}
