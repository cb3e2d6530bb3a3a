import Foundation
import Postgres
import Privacy
import TestDatabase
import Testing

/// `sintra submit` through the built executable: a per-line report, all-or-nothing lines, idempotent re-runs.
@Suite(.needsDatabase) struct SubmitTests {
    @Test func aFileOfCommandsIsReportedLineByLineAndARerunChangesNothing() async throws {
        let system = try await System.make()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sintra-submit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keys = directory.appendingPathComponent("claves.json").path
        try system.keyring.fileText.write(toFile: keys, atomically: true, encoding: .utf8)
        let lines = [
            #"{"comando": "registrar-persona", "claveDeIdempotencia": "inst/1", "flujo": "expediente-inst-0001", "datos": {"calidad": "victima", "sexo": "mujer", "nacionalidad": "HND", "condicionMigratoria": "situacion-irregular", "fechaDeDeteccion": "2023-04-02", "institucionQueDetecta": "INM", "formaDeDeteccion": "revision-migratoria", "nombre": "Ficticia"}}"#,
            #"{"comando": "registrar-atencion", "claveDeIdempotencia": "inst/2", "flujo": "expediente-inst-0001", "datos": {"fecha": "2023-04-03", "tipo": "alojamiento", "clasificacion": "ayuda-inmediata", "institucion": "INM", "duracionMinutos": 1440}}"#,
            #"{"comando": "registrar-atencion", "claveDeIdempotencia": "inst/3", "flujo": "expediente-inst-0001", "datos": {"fecha": "2023-04-01", "tipo": "alojamiento", "clasificacion": "asistencia", "institucion": "INM", "colorFavorito": "azul"}}"#,
            #"{"comando": "registrar-atencion", "datos": 5"#,
            "",
            #"{"comando": "cerrar-caso", "claveDeIdempotencia": "inst/4", "flujo": "expediente-inst-0001", "datos": {"fecha": "2023-06-30", "motivo": "retorno-al-pais-de-origen"}}"#,
        ]
        let file = directory.appendingPathComponent("carga.jsonl").path
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let common = ["--database-url", system.database.appURL, "--master-key", keys, "--events", TestDatabase.repositoryRoot.appendingPathComponent("events").path]
        // A load acts as an account: its events carry the account and its institution, never a name typed on the command line.
        let (refused, refusal) = try await runSintra(["submit", file] + common)
        #expect(refused != 0 && refusal.contains("indique con qué cuenta actúa"), "\(refusal)")
        let account = try await consoleAccount(common, institution: "INM", roles: "capturista")
        let arguments = ["submit", file, "--cuenta", account.login] + common
        let environment = ["SINTRA_CONTRASENA": account.password]
        // Each console login is recorded (SesionIniciada): count the load's own events.
        func loaded() async throws -> Int64 {
            try await system.store.pool.query("SELECT count(*) FROM events WHERE event_type <> 'SesionIniciada'")[0].decode(Int64.self, 0)
        }
        let before = try await loaded()

        let (status, output) = try await runSintra(arguments, environment: environment)
        #expect(status == 1, "una línea rechazada da código 1:\n\(output)")
        #expect(output.contains("línea 1: aceptada: VictimaRegistrada → expediente-inst-0001 v1"), "\(output)")
        #expect(output.contains("línea 2: aceptada: AtencionOtorgada → expediente-inst-0001 v2"), "\(output)")
        #expect(output.contains("línea 3: rechazada (3 problemas)"), "\(output)")
        #expect(output.contains("datos.colorFavorito: campo no previsto"), "\(output)")
        #expect(output.contains("[atencion-anterior-al-registro]") && output.contains("[clasificacion-no-corresponde]"), "\(output)")
        #expect(output.contains("línea 4: rechazada") && output.contains("json-invalido"), "\(output)")
        #expect(output.contains("línea 6: aceptada: CasoCerrado"), "\(output)")
        #expect(output.contains("Resumen: 3 aceptadas, 0 ya aplicadas antes (sin cambios), 2 rechazadas"), "\(output)")
        let head = try await loaded()
        #expect(head == before + 3)
        let authors = try await system.store.pool.query("""
            SELECT DISTINCT metadata->>'institutionId', metadata->>'userId' LIKE 'usuario-%' FROM events WHERE stream_id = 'expediente-inst-0001'
            """).map { "\(try $0.decode(String.self, 0)) \(try $0.decode(Bool.self, 1))" }
        #expect(authors == ["INM true"], "\(authors)")

        let (again, rerun) = try await runSintra(arguments, environment: environment)
        #expect(again == 1)
        #expect(rerun.contains("Resumen: 0 aceptadas, 3 ya aplicadas antes (sin cambios), 2 rechazadas"), "\(rerun)")
        #expect(try await loaded() == head, "volver a ejecutar el archivo no cambia nada")

        let (jsonStatus, json) = try await runSintra(arguments + ["--format", "json"], environment: environment)
        #expect(jsonStatus == 1)
        #expect(json.contains(#""codigo":"campo-no-permitido""#) && json.contains(#""estado":"ya-aplicada""#), "\(json)")
    }
}
