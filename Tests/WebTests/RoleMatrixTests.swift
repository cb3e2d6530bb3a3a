import Accounts
import CanonicalJSON
import Foundation
import HTTPTypes
import NIOCore
import TestDatabase
import Testing
@testable import Web

/// The web asks the permissions table as the API does: for an account of every role (and one of
/// another institution), the case list and a case page answer as `GET /v1/expedientes` and
/// `GET /v1/expedientes/{id}` answer that account.
@Suite(.needsDatabase) struct RoleMatrixTests {
    @Test func everyRoleSeesThroughTheWebWhatItSeesThroughTheAPI() async throws {
        let world = try await WebWorld.make()
        let accounts = try await world.accountForEveryRole()
        try await world.test { browser in
            _ = try await browser.login("rol.capturista")
            let form = try await browser.get("/nuevo/registrar-persona")
            let sent = try await browser.post("/nuevo/registrar-persona", [("_csrf", form.hidden("_csrf")!), ("_clave", form.hidden("_clave")!), ("_version", "")]
                                              + DeskFlowTests.person)
            let caseURL = try #require(sent.location?.split(separator: "?").first.map(String.init))
            for login in accounts {
                browser.forgetCookies()
                let token = try await browser.apiLogin(login)
                _ = try await browser.login(login)
                let listAPI = try await browser.api(.get, "/v1/expedientes", token: token)
                let listWeb = try await browser.get("/expedientes")
                #expect((listWeb.status == 200) == (listAPI == 200), "\(login): lista web \(listWeb.status), API \(listAPI)")
                let caseAPI = try await browser.api(.get, "/v1\(caseURL)", token: token)
                let caseWeb = try await browser.get(caseURL)
                #expect(caseWeb.status == caseAPI, "\(login): expediente web \(caseWeb.status), API \(caseAPI)")
            }
        }
    }
}

extension Browser {
    /// An API token for `login` through `POST /v1/sesiones` on the same server.
    func apiLogin(_ login: String) async throws -> String {
        let body = CanonicalJSON.serialize(["usuario": .string(login), "contrasena": .string(WebWorld.password)])
        return try await client.execute(uri: "/v1/sesiones", method: .post, headers: [.contentType: "application/json"],
                                        body: ByteBuffer(bytes: body)) { response in
            (try? CanonicalJSON.parse(String(buffer: response.body)))?["tokenDeAcceso"]?.stringValue ?? ""
        }
    }

    /// The status an API call answers.
    func api(_ method: HTTPRequest.Method, _ uri: String, token: String) async throws -> Int {
        try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer \(token)"], body: nil) { Int($0.status.code) }
    }
}
