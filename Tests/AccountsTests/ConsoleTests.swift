@testable import Accounts
import Commands
import Foundation
import Privacy
import TestDatabase
import Testing

@Suite(.needsDatabase) struct ConsoleTests {
    @Test func theConsoleBootstrapsOnceAndManagesAccounts() async throws {
        let database = try await TestDatabase.migrated()
        let keyring = Keyring.generate()
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("claves-\(UUID().uuidString).json").path
        try keyring.fileText.write(toFile: keys, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: keys) }
        let common = ["--database-url", database.appURL, "--master-key", keys, "--events", TestDatabase.repositoryRoot.appendingPathComponent("events").path]

        let (status, output) = try await runSintra(["accounts", "bootstrap", "--institucion", "SEGOB", "--usuario", "primera.admin",
                                              "--nombre", "Primera Administradora"] + common)
        #expect(status == 0, "\(output)")
        let password = try #require(output.split(separator: "\n").first { $0.hasPrefix("Contraseña") }?.split(separator: " ").last.map(String.init))
        let (again, refused) = try await runSintra(["accounts", "bootstrap", "--institucion", "SEGOB", "--usuario", "otra", "--nombre", "Otra"] + common)
        #expect(again == 1 && refused.contains("ya existen cuentas"), "\(refused)")

        // Every change after the bootstrap acts as an account (here the first administrator), recorded in its name.
        let unattributed = try await runSintra(["accounts", "add-institution", "--clave", "FGE-07"] + common)
        #expect(unattributed.0 != 0 && unattributed.1.contains("indique con qué cuenta actúa"), "\(unattributed.1)")
        let admin = ["--cuenta", "primera.admin"], signedIn = ["SINTRA_CONTRASENA": password]
        #expect(try await runSintra(["accounts", "add-institution", "--clave", "FGE-07"] + admin + common, environment: signedIn).0 == 0)
        let (added, addOutput) = try await runSintra(["accounts", "add-user", "--usuario", "nuevo.capturista", "--nombre", "Nuevo Capturista",
                                                "--institucion", "FGE-07", "--roles", "capturista,supervisor-institucional"] + admin + common,
                                               environment: signedIn)
        #expect(added == 0, "\(addOutput)")
        let bad = try await runSintra(["accounts", "add-user", "--usuario", "x y", "--nombre", "", "--institucion", "NADA", "--roles", "capturista"] + admin + common,
                                environment: signedIn)
        #expect(bad.0 == 1 && bad.1.contains("datos.institucion") && bad.1.contains("datos.nombre"), "\(bad.1)")
        // Names are personal: shown only to an account allowed to read accounts, with a purpose, and each read recorded.
        let (refusedStatus, refusedList) = try await runSintra(["accounts", "list", "--datos-personales", "--motivo", "Revisión anual de cuentas"] + common)
        #expect(refusedStatus != 0 && refusedList.contains("indique con qué cuenta actúa") && !refusedList.contains("nuevo.capturista"), "\(refusedList)")
        let (listed, list) = try await runSintra(["accounts", "list", "--datos-personales", "--motivo", "Revisión anual de cuentas", "--cuenta", "primera.admin"] + common,
                                           environment: ["SINTRA_CONTRASENA": password])
        #expect(listed == 0 && list.contains("nuevo.capturista") && list.contains("2 cuenta(s)."), "\(list)")
        let reads = try await database.store().pool.query("""
            SELECT count(*) FROM events WHERE event_type = 'DatosPersonalesConsultados' AND metadata->>'client' = 'consola'
            """)[0].decode(Int64.self, 0)
        #expect(reads == 2, "one recorded read per account shown")
        #expect(!(try await runSintra(["accounts", "list"] + common).1.contains("nuevo.capturista")), "without the flag, no personal data")
        let (_, permissions) = try await runSintra(["accounts", "permissions", "--database-url", database.appURL])
        #expect(permissions.contains("auditor") && permissions.contains("con motivo"), "\(permissions)")

        // The printed password works.
        let store = database.store()
        let service = try await AccountService.make(handler: CommandHandler(definitions: repositoryDefinitions, store: store,
                                                                            vault: DataKeyVault(pool: store.pool, keyring: keyring)))
        let pair = try await service.login(login: "primera.admin", password: password)
        #expect(try await service.authenticate(bearer: pair.accessToken)?.roles == [.administrador])
    }
}
