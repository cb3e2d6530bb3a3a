import Accounts
import CanonicalJSON
import Foundation
import HTTPTypes
import NIOCore
import TestDatabase
import Testing
@testable import Web

/// The administration and audit pages ask the permissions table as the API does: for an account of
/// every role (and one of another institution), each page answers as its `/v1/admin` or
/// `/v1/auditoria` route answers that account, and creating an account is allowed to exactly the
/// accounts the API allows. A capturista sees none of these pages, nor links to them.
@Suite(.needsDatabase) struct AdminRoleMatrixTests {
    @Test func everyRoleSeesTheAdministrationAndAuditPagesAsTheAPIAnswersIt() async throws {
        let world = try await WebWorld.make()
        let accounts = try await world.accountForEveryRole()
        let target = try await world.account("cuenta.objetivo", "FGE-07", [.capturista])
        try await world.test { browser in
            let caseId = try await AuditoriaPagesTests.caseOpenedBySupervisor(browser, caseworker: "rol.capturista", supervisor: "rol.supervisor-institucional")
            let position = try #require(try await world.services.handler.store.readStream(caseId).first?.position)
            let pairs: [(web: String, api: String)] = [
                ("/admin/usuarios", "/v1/admin/usuarios"),
                ("/admin/instituciones", "/v1/admin/instituciones"),
                ("/auditoria/verificacion", "/v1/auditoria/verificacion"),
                ("/auditoria/consultas?expediente=\(caseId)", "/v1/auditoria/consultas/\(caseId)"),
                ("/auditoria/flujos/\(caseId)", "/v1/auditoria/flujos/\(caseId)"),
                ("/auditoria/eventos/\(position)", "/v1/auditoria/eventos/\(position)"),
            ]
            for (index, login) in accounts.enumerated() {
                browser.forgetCookies()
                let token = try await browser.apiLogin(login)
                _ = try await browser.login(login)
                for pair in pairs {
                    let api = try await browser.api(.get, pair.api, token: token)
                    let web = try await browser.get(pair.web)
                    // A verification that finds the log altered answers 409 in the API; the page shows it with 200.
                    #expect(web.status == (api == 409 ? 200 : api), "\(login): \(pair.web) web \(web.status), API \(api)")
                }
                // One account's page opens exactly for those whose API list of accounts includes it.
                let account = try await browser.get("/admin/usuarios/\(target)")
                let listed = try await browser.apiBody("/v1/admin/usuarios", token: token).contains("\"\(target)\"")
                #expect((account.status == 200) == listed, "\(login): cuenta \(account.status)")

                // Creating an account: the same yes or no as the API, and nothing written on a no.
                let apiCreate = try await browser.apiPost("/v1/admin/usuarios", ["usuario": .string("api.\(index)"), "nombre": .string("Por API"),
                                                                                 "institucion": .string("FGE-07"), "roles": ["capturista"]], token: token)
                let csrf = try await browser.csrf()
                let webCreate = try await browser.post("/admin/usuarios/nueva", [("_csrf", csrf), ("usuario", "web.\(index)"), ("nombre", "Por web"),
                                                                                  ("institucion", "FGE-07"), ("roles", "capturista")])
                #expect((webCreate.status == 303) == (apiCreate == 201), "\(login): alta web \(webCreate.status), API \(apiCreate)")
                if webCreate.status != 303 { #expect(webCreate.status == 403, "\(login): \(webCreate.status)") }

                let nav = try await browser.get("/contrasena")
                if login == "rol.capturista" || login == "rol.otra-institucion" {
                    #expect(!nav.html.contains("href=\"/admin/usuarios\"") && !nav.html.contains("href=\"/auditoria\""), "\(login) sees no links to them")
                    for pair in pairs { #expect(try await browser.get(pair.web).status == 403, "\(login): \(pair.web)") }
                }
            }
        }
    }
}

extension Browser {
    /// The CSRF token of the session (every page's logout form carries it).
    func csrf() async throws -> String {
        try #require(try await get("/contrasena").hidden("_csrf"))
    }

    /// The body an API read answers.
    func apiBody(_ uri: String, token: String) async throws -> String {
        try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"], body: nil) { String(buffer: $0.body) }
    }

    /// The status of a JSON write through the API.
    func apiPost(_ uri: String, _ body: JSONValue, token: String) async throws -> Int {
        try await client.execute(uri: uri, method: .post,
                                 headers: [.authorization: "Bearer \(token)", .contentType: "application/json",
                                           HTTPField.Name("Idempotency-Key")!: UUID().uuidString],
                                 body: ByteBuffer(bytes: CanonicalJSON.serialize(body))) { Int($0.status.code) }
    }
}

/// The module records and the CIES through the web for every role: reading answers as
/// `GET /v1/registros` does; opening the correction or annulment form is allowed exactly to the
/// accounts whose `POST /v1/flujos/{registro}/corregir-registro` (or `anular-registro`) the API
/// does not refuse with 403 (sent incomplete, so the API writes nothing either).
@Suite(.needsDatabase) struct RegistrosRoleMatrixTests {
    @Test func everyRoleReadsCorrectsAndAnnulsThroughTheWebAsThroughTheAPI() async throws {
        let world = try await WebWorld.make()
        let accounts = try await world.accountForEveryRole()
        try await world.test { browser in
            _ = try await browser.login("rol.capturista")
            let sent = try await browser.post("/registros/nuevo/registrar-operativo",
                                              try await RegistrosPagesTests.form(browser, "/registros/nuevo/registrar-operativo")
                                              + RegistrosPagesTests.typed(world, "registrar-operativo"))
            let recordURL = try #require(sent.location?.split(separator: "?").first.map(String.init), "\(sent.html.prefix(1500))")
            let stream = String(recordURL.dropFirst("/registros/".count))
            let before = try await world.services.handler.store.readStream(stream).count
            for login in accounts {
                browser.forgetCookies()
                let token = try await browser.apiLogin(login)
                _ = try await browser.login(login)
                let listAPI = try await browser.api(.get, "/v1/registros", token: token)
                #expect(try await browser.get("/registros").status == listAPI, "\(login): lista")
                let recordAPI = try await browser.api(.get, "/v1/registros/\(stream)", token: token)
                #expect(try await browser.get(recordURL).status == recordAPI, "\(login): registro")
                #expect(try await browser.get("/cies").status == listAPI, "\(login): CIES, readable as the records are")
                for (page, command, incomplete) in [("corregir", "corregir-registro", ["fecha": "2024-02-10", "motivo": "x", "correcciones": [:]] as JSONValue),
                                                    ("anular", "anular-registro", ["fecha": "2024-03-01"] as JSONValue)] {
                    let api = try await browser.apiPost("/v1/flujos/\(stream)/\(command)", incomplete, token: token)
                    let web = try await browser.get("\(recordURL)/\(page)")
                    #expect((web.status == 200) == (api != 403), "\(login): \(page) web \(web.status), API \(api)")
                    #expect(web.status == 200 || web.status == 403, "\(login): \(page) \(web.status)")
                }
            }
            #expect(try await world.services.handler.store.readStream(stream).count == before, "nothing was written")
        }
    }
}
