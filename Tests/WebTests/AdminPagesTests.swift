import Accounts
import Foundation
import TestDatabase
import Testing
@testable import Web

/// The administrator's pages through their HTTP forms: an account created in the browser logs in;
/// bad input names every problem beside its field and writes nothing; suspend, reactivate and a new
/// password take effect at once, and each change shows in the account's history.
@Suite(.needsDatabase) struct AdminPagesTests {
    @Test func anAdministratorCreatesAnAccountThatThenLogsIn() async throws {
        let world = try await WebWorld.make()
        try await world.account("admin.web", "SEGOB", [.administrador])
        try await world.account("otro.admin", "SEGOB", [.administrador])
        _ = try await world.services.accounts.registerInstitution(InstitutionRegistration(clave: "FGE-07"), by: .console)
        try await world.test { browser in
            _ = try await browser.login("admin.web")
            let form = try await browser.get("/admin/usuarios/nueva")
            #expect(form.status == 200 && form.html.contains("name=\"roles\"") && form.html.contains("type=\"password\""))
            let csrf = try #require(form.hidden("_csrf"))
            let before = try await world.services.accounts.directory.accounts().count

            // Everything wrong at once: no name, no role, a short password. Nothing is written.
            let bad = try await browser.post("/admin/usuarios/nueva", [("_csrf", csrf), ("usuario", "nueva.persona"), ("nombre", ""),
                                                                        ("institucion", "FGE-07"), ("contrasena", "corta")])
            #expect(bad.status == 422)
            #expect(bad.html.contains("href=\"#campo-nombre\"") && bad.html.contains("href=\"#campo-roles\""), "the summary links to each field")
            #expect(bad.html.contains("id=\"campo-nombre-error\"") && bad.html.contains("id=\"campo-roles-error\""))
            #expect(bad.html.contains("value=\"nueva.persona\""), "values are kept")
            #expect(!bad.html.contains("value=\"corta\""), "a password is never echoed")
            #expect(try await world.services.accounts.directory.accounts().count == before)

            // The service's own problems come back beside their field too.
            let short = try await browser.post("/admin/usuarios/nueva", [("_csrf", csrf), ("usuario", "nueva.persona"), ("nombre", "Nueva Persona"),
                                                                          ("institucion", "FGE-07"), ("roles", "capturista"), ("contrasena", "corta")])
            #expect(short.status == 422 && short.html.contains("id=\"campo-contrasena-error\"") && short.html.contains("al menos 12 caracteres"))
            #expect(try await world.services.accounts.directory.accounts().count == before)

            let made = try await browser.post("/admin/usuarios/nueva", [("_csrf", csrf), ("usuario", "nueva.persona"), ("nombre", "Nueva Persona"),
                                                                         ("institucion", "FGE-07"), ("roles", "capturista"), ("roles", "supervisor-institucional"),
                                                                         ("contrasena", "una frase larga de prueba")])
            #expect(made.status == 303, "\(made.html.prefix(1500))")
            let accountURL = try #require(made.location?.split(separator: "?").first.map(String.init))
            let page = try await browser.get(made.location!)
            #expect(page.status == 200 && page.html.contains("Nueva Persona") && page.html.contains("quedó registrada"))
            #expect(page.html.contains("Usuario registrado"), "the history shows the registration")
            #expect(page.html.contains("<td>Leer datos personales</td><td>Su institución</td>"), "the roles' scope, from the permissions table")

            let list = try await browser.get("/admin/usuarios")
            #expect(list.html.contains("href=\"\(accountURL)\""))

            browser.forgetCookies()
            let entered = try await browser.login("nueva.persona", password: "una frase larga de prueba")
            #expect(entered.status == 303 && entered.location == "/", "the new account logs in")
        }
    }

    @Test func suspendReactivateAndANewPasswordShowInTheHistory() async throws {
        let world = try await WebWorld.make()
        try await world.account("admin.web", "SEGOB", [.administrador])
        let userId = try await world.account("cap.web", "FGE-07", [.capturista])
        try await world.test { browser in
            _ = try await browser.login("admin.web")
            let page = try await browser.get("/admin/usuarios/\(userId)")
            let csrf = try #require(page.hidden("_csrf"))

            // A suspension needs its reason: said beside the field, nothing written.
            let noReason = try await browser.post("/admin/usuarios/\(userId)/suspender", [("_csrf", csrf), ("motivo", "")])
            #expect(noReason.status == 422 && noReason.html.contains("id=\"campo-suspender-motivo-error\"") && noReason.html.contains("href=\"#campo-suspender-motivo\""))
            #expect(try await world.services.accounts.directory.account(userId)?.active == true)

            let suspended = try await browser.post("/admin/usuarios/\(userId)/suspender", [("_csrf", csrf), ("motivo", "Baja temporal por licencia")])
            #expect(suspended.status == 303)
            #expect(try await world.services.accounts.directory.account(userId)?.active == false)
            let other = Browser(client: browser.client)
            #expect(try await other.login("cap.web").status == 401, "a suspended account cannot log in")

            _ = try await browser.post("/admin/usuarios/\(userId)/reactivar", [("_csrf", csrf), ("motivo", "Regresó")])
            #expect(try await world.services.accounts.directory.account(userId)?.active == true)

            let weak = try await browser.post("/admin/usuarios/\(userId)/contrasena", [("_csrf", csrf), ("contrasena", "corta")])
            #expect(weak.status == 422 && weak.html.contains("id=\"campo-contrasena-error\""))
            _ = try await browser.post("/admin/usuarios/\(userId)/contrasena", [("_csrf", csrf), ("contrasena", "otra frase larga nueva")])
            #expect(try await other.login("cap.web").status == 401, "the old password no longer works")
            #expect(try await other.login("cap.web", password: "otra frase larga nueva").status == 303)

            _ = try await browser.post("/admin/usuarios/\(userId)/roles", [("_csrf", csrf), ("roles", "supervisor-institucional"), ("motivo", "Ascenso")])
            #expect(try await world.services.accounts.directory.account(userId)?.roles == [.supervisorInstitucional])

            let history = try await browser.get("/admin/usuarios/\(userId)")
            for event in ["Usuario suspendido", "Usuario reactivado", "Roles de usuario cambiados", "Contraseña establecida", "Persona admin.web"] {
                #expect(history.html.contains(event), "the history shows «\(event)»")
            }
            // The reason is free text, kept encrypted like any personal field: the history says it is hidden.
            #expect(!history.html.contains("Baja temporal por licencia") && history.html.contains("[dato personal oculto]"))
            // A stale form (another site's) changes nothing.
            let forged = try await browser.post("/admin/usuarios/\(userId)/suspender", [("_csrf", "otro"), ("motivo", "ataque")])
            #expect(forged.status == 403)
            #expect(try await world.services.accounts.directory.account(userId)?.active == true)
        }
    }

    @Test func anInstitutionIsRegisteredFromTheCatalogueOrWithItsData() async throws {
        let world = try await WebWorld.make()
        try await world.account("admin.web", "SEGOB", [.administrador])
        try await world.test { browser in
            _ = try await browser.login("admin.web")
            let page = try await browser.get("/admin/instituciones")
            let csrf = try #require(page.hidden("_csrf"))
            #expect(try await browser.post("/admin/instituciones", [("_csrf", csrf), ("clave", "FGE-20")]).status == 303)
            #expect(try await world.services.accounts.directory.institution("FGE-20")?.entidad == "20")
            let wrong = try await browser.post("/admin/instituciones", [("_csrf", csrf), ("clave", "FGE-07"), ("entidad", "09")])
            #expect(wrong.status == 422 && wrong.html.contains("id=\"campo-entidad-error\""), "\(wrong.html.prefix(300))")
            #expect(try await world.services.accounts.directory.institution("FGE-07") == nil)
            let list = try await browser.get("/admin/instituciones")
            #expect(list.html.contains("FGE-20") && list.html.contains("Estatal"))
        }
    }
}
