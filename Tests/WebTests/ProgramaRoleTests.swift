import Accounts
import Foundation
import TestDatabase
import Testing
@testable import Web

/// The Secretaría Técnica's pages ask the permissions table as the API does: for an account of every
/// role, the annex answers as `GET /v1/indicadores`, «Publicar» and «Hechos del programa» open only
/// with their own rows, the menu shows exactly what opens, and the public portal opens for all.
@Suite(.needsDatabase) struct ProgramaRoleTests {
    @Test func everyRoleOpensThroughTheWebWhatItMayThroughTheAPI() async throws {
        let world = try await WebWorld.program()
        let accounts = Array(zip(try await world.accountForEveryRole(prefix: "prog", outsider: false), Role.allCases))
        let authorizer = world.services.accounts.authorizer
        try await world.test { browser in
            for (login, role) in accounts {
                browser.forgetCookies()
                let token = try await browser.apiLogin(login)
                _ = try await browser.login(login)
                let identity = Identity(userId: "", institution: "SEGOB", level: .federal, entidad: nil, roles: [role])
                let annexAPI = try await browser.api(.get, "/v1/indicadores?anio=2023", token: token)
                let annexWeb = try await browser.get("/indicadores?anio=2023")
                #expect(annexWeb.status == annexAPI, "\(login): anexo web \(annexWeb.status), API \(annexAPI)")
                let mayPublish = authorizer.widestScope(identity, .publicar) != nil
                let publish = try await browser.get("/publicar")
                #expect((publish.status == 200) == mayPublish && (publish.status == 403) == !mayPublish, "\(login): publicar \(publish.status)")
                if !mayPublish {
                    let form = try await browser.get("/expedientes")
                    let refused = try await browser.post("/publicar/indicadores", [("_csrf", form.hidden("_csrf") ?? ""), ("desde", "2023"), ("hasta", "2023")])
                    #expect(refused.status == 403, "\(login): POST publicar \(refused.status)")
                }
                let mayRecord = authorizer.widestScope(identity, .registrarHechosDelPrograma) != nil
                let facts = try await browser.get("/hechos/establecer-valor-programado")
                #expect((facts.status == 200) == mayRecord, "\(login): hechos \(facts.status)")
                let home = try await browser.get("/buscar")
                #expect(home.html.contains("href=\"/publicar\"") == mayPublish, "\(login): the menu offers «Publicar» only to whom may publish")
                #expect(home.html.contains("href=\"/hechos\"") == mayRecord)
                #expect(try await browser.get("/estadisticas").status == 200)
            }
        }
    }
}
