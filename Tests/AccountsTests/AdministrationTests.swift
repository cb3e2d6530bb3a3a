@testable import Accounts
import CanonicalJSON
import Foundation
import Postgres
import Privacy
import Testing

@Suite(.needsDatabase) struct AdministrationTests {
    @Test func everyAccountChangeIsAnEventWithItsPersonalFieldsEncrypted() async throws {
        let world = try await AccountWorld.make()
        let (admin, _) = try await world.bootstrap()
        let account = try await world.user("Hilda.Ruiz@Ejemplo.gob.mx", by: admin)
        try await world.service.changeRoles(of: account.userId, to: [.supervisorInstitucional], reason: "Oficio 9/2024.", by: .user(admin))
        _ = try await world.service.registerInstitution(InstitutionRegistration(clave: "CEAV"), by: .user(admin))
        try await world.service.changeInstitution(of: account.userId, to: "CEAV", by: .user(admin))
        try await world.service.suspend(account.userId, reason: "Licencia médica.", by: .user(admin))
        try await world.service.reactivate(account.userId, by: .user(admin))
        let events = try await world.store.readStream(account.userId)
        #expect(events.map(\.eventType) == ["UsuarioRegistrado", "ContrasenaEstablecida", "RolesDeUsuarioCambiados",
                                            "InstitucionDeUsuarioCambiada", "UsuarioSuspendido", "UsuarioReactivado"])
        let registration = try CanonicalJSON.parse(events[0].payload)
        for field in ["nombre", "usuario"] {
            #expect(registration[field]?.stringValue?.hasPrefix(PersonalDataCipher.prefix) == true, "\(field) no está cifrado")
        }
        #expect(registration["institucion"] == "FGE-07" && registration["roles"] == ["capturista"])
        #expect(try CanonicalJSON.parse(events[4].payload)["motivo"]?.stringValue?.hasPrefix(PersonalDataCipher.prefix) == true)
        #expect(try CanonicalJSON.parse(events[1].payload) == ["fecha": "2024-03-01", "forma": "asignada-por-administracion"])
        // Who did it is in the metadata: the administrator, not the account.
        #expect(try CanonicalJSON.parse(events[2].metadata)["userId"]?.stringValue == admin.userId)
        let opened = try #require(try await world.service.directory.personalData(of: account.userId))
        #expect(opened == AccountPersonalData(name: "Persona Hilda.Ruiz@Ejemplo.gob.mx", login: "hilda.ruiz@ejemplo.gob.mx", email: nil))
        let now = try #require(try await world.service.directory.account(account.userId))
        #expect(now.institution == "CEAV" && now.roles == [.supervisorInstitucional] && now.active && now.passwordSetOn == "2024-03-01")
        // The console's own acts are recorded as the console's.
        let bootstrapEvents = try await world.store.readStream(admin.userId)
        #expect(try CanonicalJSON.parse(bootstrapEvents[0].metadata)["userId"]?.stringValue == "consola")
        #expect(try CanonicalJSON.parse(bootstrapEvents[1].payload)["forma"]?.stringValue == "generada-al-iniciar-el-sistema")
    }

    @Test func badInputListsEveryProblemAndWritesNothing() async throws {
        let world = try await AccountWorld.make()
        let (admin, _) = try await world.bootstrap()
        let head = try await world.store.head()
        let error = await #expect(throws: AccountError.self) {
            try await world.service.registerUser(UserRegistration(login: "ab cd", name: "", email: "no-es-correo", institution: "NO-EXISTE",
                                                                  roles: [], password: "corta"), by: .user(admin))
        }
        let paths = Set(error?.problems.map(\.path) ?? [])
        #expect(paths == ["datos.institucion", "datos.usuario", "datos.nombre", "datos.correo", "datos.roles", "contrasena"], "\(error?.problems ?? [])")
        #expect(error?.problems.allSatisfy { !$0.message.isEmpty } == true)
        #expect(try await world.store.head() == head)
        #expect(try await world.rows("SELECT count(*) FROM account_credentials").first?.decode(Int64.self, 0) == 1)

        _ = try await world.user("ivan", by: admin)
        let duplicate = await #expect(throws: AccountError.self) { try await world.user(" IVAN ", by: admin) }
        #expect(duplicate?.problems.map(\.code) == ["usuario-ya-existe"])

        let institution = await #expect(throws: AccountError.self) {
            try await world.service.registerInstitution(InstitutionRegistration(clave: "FGE-08", level: .federal, entidad: "07"), by: .user(admin))
        }
        #expect(Set(institution?.problems.map(\.path) ?? []) == ["datos.nivelDeGobierno", "datos.entidad"])
        let unlisted = await #expect(throws: AccountError.self) {
            try await world.service.registerInstitution(InstitutionRegistration(clave: "MUN-07101-DIF"), by: .user(admin))
        }
        #expect(Set(unlisted?.problems.map(\.path) ?? []) == ["datos.nombre", "datos.nivelDeGobierno"])
        let municipal = try await world.service.registerInstitution(
            InstitutionRegistration(clave: "MUN-07101-DIF", name: "DIF municipal de Tuxtla Gutiérrez", level: .municipal, entidad: "07", municipio: "07101"),
            by: .user(admin))
        #expect(municipal.entidad == "07" && municipal.level == .municipal)
        let twice = await #expect(throws: AccountError.self) {
            try await world.service.registerInstitution(InstitutionRegistration(clave: "FGE-07"), by: .user(admin))
        }
        #expect(twice?.problems.map(\.code) == ["flujo-ya-existe"])
        await #expect(throws: AccountError.notFound("la cuenta «usuario-x»")) { try await world.service.suspend("usuario-x", reason: "x", by: .console) }
    }

    @Test func onlyAdministratorsManageAccountsAndTheLastOneCannotBeRemoved() async throws {
        let world = try await AccountWorld.make()
        let (admin, _) = try await world.bootstrap()
        let clerk = try await world.user("juana", by: admin)
        let clerkIdentity = try requireIdentity(try await world.service.directory.identity(clerk.userId))
        let refused = await #expect(throws: AccountError.self) {
            try await world.service.changeRoles(of: clerk.userId, to: [.administrador], by: .user(clerkIdentity))
        }
        guard case .forbidden(let reason) = refused else { Issue.record("se esperaba forbidden: \(String(describing: refused))"); return }
        #expect(reason.contains("administrar-cuentas"))
        await #expect(throws: AccountError.self) { try await world.service.setPassword(of: admin.userId, to: "toma de control larga", by: .user(clerkIdentity)) }

        let last = await #expect(throws: AccountError.self) { try await world.service.changeRoles(of: admin.userId, to: [.auditor], by: .user(admin)) }
        #expect(last?.problems.map(\.code) == ["ultima-cuenta-administradora"])
        let own = await #expect(throws: AccountError.self) { try await world.service.suspend(admin.userId, reason: "x", by: .user(admin)) }
        #expect(own?.problems.map(\.code).contains("cuenta-propia") == true)
        try await world.service.changeRoles(of: clerk.userId, to: [.administrador], by: .user(admin))
        try await world.service.changeRoles(of: admin.userId, to: [.auditor], by: .console)

        let again = await #expect(throws: AccountError.self) {
            try await world.service.bootstrap(institution: InstitutionRegistration(clave: "SEGOB"),
                                              administrator: UserRegistration(login: "otra", name: "Otra", institution: "SEGOB", roles: []))
        }
        #expect(again?.problems.map(\.code) == ["cuentas-ya-iniciadas"])
    }

    @Test func anInterruptedRegistrationDoesNotKeepTheLoginTaken() async throws {
        let world = try await AccountWorld.make()
        let (admin, _) = try await world.bootstrap()
        // A reservation whose registration never reached the log (a crash in between).
        let index = world.service.loginIndex.digest("karla")
        _ = try await world.rows("INSERT INTO account_credentials (user_id, login_index) VALUES ('usuario-huerfano', $1)", [.bytea(index)])
        let account = try await world.user("karla", by: admin)
        #expect(account.userId == "usuario-huerfano")
        _ = try await world.service.login(login: "karla", password: "una frase bastante larga")
    }
}
