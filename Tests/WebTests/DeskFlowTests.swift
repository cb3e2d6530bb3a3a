import Foundation
import TestDatabase
import Testing
@testable import Web

/// The caseworker's desk through its HTTP forms, in process: login, a registration with a
/// mistake, a double submit, the case page, a stale form, the role matrix's edges, the headers.
@Suite(.needsDatabase) struct DeskFlowTests {
    static let person: [(String, String)] = [
        ("calidad", "victima"), ("sexo", "mujer"), ("edad", "23"), ("nacionalidad", "MEX"), ("condicionMigratoria", "no-aplica-nacional"),
        ("fechaDeDeteccion", "2024-03-01"), ("institucionQueDetecta", "FGE-07"), ("formaDeDeteccion", "operativo-de-rescate"),
        ("lugarDeDeteccion.pais", "MEX"), ("lugarDeDeteccion.entidad", "07"), ("lugarDeDeteccion.municipio", "07101"),
        ("nombre", "Zenaida"), ("primerApellido", "Ficticia"),
    ]

    @Test func aCaseworkerRegistersFixesAMistakeAndNeverRecordsTwice() async throws {
        let world = try await WebWorld.make()
        try await world.account("cap.web", "FGE-07", [.capturista])
        try await world.account("ajeno.web", "DIF-07", [.capturista])
        try await world.test { browser in
            // Without a session every page leads to the login.
            #expect(try await browser.get("/expedientes").location == "/entrar")
            let wrong = try await browser.login("cap.web", password: "no es esta")
            #expect(wrong.status == 401 && wrong.html.contains("resumen-errores"), "\(wrong.status)")
            let entered = try await browser.login("cap.web")
            #expect(entered.status == 303 && entered.location == "/")
            #expect(try await browser.get("/").location == "/expedientes")
            let setCookie = entered.headers[values: .setCookie].joined(separator: " | ")
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), "\(setCookie)")

            let list = try await browser.get("/expedientes")
            #expect(list.status == 200)
            #expect(list.headers[.contentSecurityPolicy]?.contains("unsafe-inline") == false)
            #expect(list.headers[.xContentTypeOptions] == "nosniff" && list.headers[.cacheControl] == "no-store")

            let form = try await browser.get("/nuevo/registrar-persona")
            #expect(form.status == 200 && form.html.contains("name=\"lugarDeDeteccion.entidad\""))
            #expect(!form.html.contains("con-error") && !form.html.contains("resumen-errores") && !form.html.contains("class=\"aviso"),
                    "a fresh form shows no error and no empty notice")
            let csrf = try #require(form.hidden("_csrf")), key = try #require(form.hidden("_clave"))
            let base = [("_csrf", csrf), ("_clave", key), ("_version", "")]

            // A mistake: the CURP is malformed. Nothing is written, the problem is beside its field, the values stay.
            let mistaken = try await browser.post("/nuevo/registrar-persona", base + Self.person + [("curp", "NO-ES-CURP")])
            #expect(mistaken.status == 422)
            #expect(mistaken.html.contains("href=\"#campo-curp\""), "the summary links to the field")
            #expect(mistaken.html.contains("id=\"campo-curp-error\""))
            #expect(mistaken.html.contains("value=\"Zenaida\""), "values are kept")
            #expect(try await world.database.store().head().position >= 0)

            // Fixed and sent; sent again with the same key (double click, back button): one case.
            let sent = try await browser.post("/nuevo/registrar-persona", base + Self.person)
            #expect(sent.status == 303, "\(sent.html.prefix(2000))")
            let again = try await browser.post("/nuevo/registrar-persona", base + Self.person)
            #expect(again.location == sent.location)
            let caseURL = try #require(sent.location?.split(separator: "?").first.map(String.init))
            let caseId = String(caseURL.dropFirst("/expedientes/".count))
            let list2 = try await browser.get("/expedientes")
            #expect(list2.html.components(separatedBy: "href=\"/expedientes/expediente-").count == 2, "one case listed")

            // The case page: no personal data until a purpose is stated; then it is shown and recorded.
            let page = try await browser.get(caseURL)
            #expect(page.status == 200 && !page.html.contains("Zenaida") && page.html.contains("Víctima registrada"))
            #expect(!page.html.contains("<title>Expediente \(caseId)"))
            let short = try await browser.post("\(caseURL)/datos-personales", [("_csrf", csrf), ("finalidad", "ver")])
            #expect(short.status == 200 && short.html.contains("finalidad-error") && !short.html.contains("Zenaida"))
            let opened = try await browser.post("\(caseURL)/datos-personales", [("_csrf", csrf), ("finalidad", "Seguimiento de la atención psicológica")])
            #expect(opened.html.contains("Zenaida") && opened.headers[.cacheControl] == "no-store")

            // An attention; then a stale form (opened before someone else wrote) is refused with the values kept.
            let care = try await browser.get("\(caseURL)/acciones/registrar-atencion")
            let stale = try await browser.get("\(caseURL)/acciones/registrar-atencion")
            let attention = [("fecha", "2024-03-05"), ("tipo", "atencion-psicologica"), ("clasificacion", "asistencia"), ("institucion", "FGE-07")]
            let first = try await browser.post("\(caseURL)/acciones/registrar-atencion",
                                               [("_csrf", csrf), ("_clave", care.hidden("_clave")!), ("_version", care.hidden("_version")!)] + attention)
            #expect(first.status == 303, "\(first.html.prefix(3000))")
            let late = try await browser.post("\(caseURL)/acciones/registrar-atencion",
                                              [("_csrf", csrf), ("_clave", stale.hidden("_clave")!), ("_version", stale.hidden("_version")!)] + attention)
            #expect(late.status == 409 && late.html.contains("Alguien más registró"))

            // A form without the session's CSRF token is refused.
            let forged = try await browser.post("\(caseURL)/acciones/registrar-atencion", [("_csrf", "otro"), ("_clave", "x")] + attention)
            #expect(forged.status == 403)

            // A missing case: a Spanish 404 page.
            let missing = try await browser.get("/expedientes/expediente-no-existe")
            #expect(missing.status == 404 && missing.html.contains("No encontrado"))

            // Logging out ends the session.
            let out = try await browser.post("/salir", [("_csrf", csrf)])
            #expect(out.location == "/entrar")
            #expect(try await browser.get(caseURL).status == 303)

            // Another institution's caseworker cannot see the case (no referral, no consent).
            browser.forgetCookies()
            _ = try await browser.login("ajeno.web")
            let outsider = try await browser.get(caseURL)
            #expect(outsider.status == 403 && outsider.html.contains("Sin permiso"))
            let outsiderForm = try await browser.get("\(caseURL)/acciones/registrar-atencion")
            #expect(outsiderForm.status == 403)
        }
    }

    @Test func anIdleSessionEnds() async throws {
        let world = try await WebWorld.make(idleTimeout: 1)
        try await world.account("cap.inactiva", "FGE-07", [.capturista])
        try await world.test { browser in
            _ = try await browser.login("cap.inactiva")
            #expect(try await browser.get("/expedientes").status == 200)
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await browser.get("/expedientes").location == "/entrar?motivo=expirada")
        }
    }
}
