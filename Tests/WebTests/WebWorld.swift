import Accounts
import API
import CaseFiles
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import TestDatabase
import Testing
@testable import Web

/// A migrated database, the API's real services, the web interface on the same router, and
/// accounts in two institutions: as `sintra serve` runs them.
struct WebWorld {
    let database: TestDatabase
    let services: APIServices
    let server: APIServer
    let web: WebInterface

    static let password = "contrasena-de-prueba-larga"

    static func make(idleTimeout: TimeInterval = 30 * 60) async throws -> WebWorld {
        let base = try await ProjectionWorld.make()
        var policy = AccountPolicy()
        policy.passwordHashing = .testing
        let accounts = try await AccountService.make(handler: base.handler, policy: policy)
        let services = APIServices(definitions: repositoryDefinitions, handler: base.handler, accounts: accounts, projector: base.projector(),
                                   cases: CaseFileReader(store: base.store, vault: base.handler.vault, definitions: repositoryDefinitions),
                                   indicators: [], statisticsThreshold: 10)
        var configuration = WebInterface.Configuration()
        configuration.idleTimeout = idleTimeout
        var limits = APIServer.Configuration()
        limits.perAddress = (10_000, 10_000)
        limits.perAccount = (10_000, 10_000)
        return WebWorld(database: base.database, services: services, server: APIServer(services: services, configuration: limits),
                        web: try await WebInterface(services: services, configuration: configuration))
    }

    @discardableResult
    func account(_ login: String, _ institution: String, _ roles: [Role]) async throws -> String {
        if try await services.accounts.directory.institution(institution) == nil {
            _ = try await services.accounts.registerInstitution(InstitutionRegistration(clave: institution), by: .console)
        }
        return try await services.accounts.registerUser(
            UserRegistration(login: login, name: "Persona \(login)", institution: institution, roles: roles, password: Self.password), by: .console).userId
    }

    /// One account per role, named `<prefix>.<rol>` (national roles at SEGOB, the others at FGE-07), and
    /// with `outsider` a capturista of another institution, `<prefix>.otra-institucion`: the cast of
    /// every role-matrix test. Returns the logins in that order.
    func accountForEveryRole(prefix: String = "rol", outsider: Bool = true) async throws -> [String] {
        var logins: [String] = []
        for role in Role.allCases {
            let login = "\(prefix).\(role.rawValue)"
            try await account(login, [.secretariaTecnica, .auditor, .administrador].contains(role) ? "SEGOB" : "FGE-07", [role])
            logins.append(login)
        }
        if outsider {
            try await account("\(prefix).otra-institucion", "DIF-07", [.capturista])
            logins.append("\(prefix).otra-institucion")
        }
        return logins
    }

    func test<T: Sendable>(_ body: @Sendable (Browser) async throws -> T) async throws -> T {
        try await services.projector!.start()
        let following = Task { try await services.projector!.follow(pollInterval: .milliseconds(20)) }
        defer { following.cancel() }
        let app = server.application(host: "127.0.0.1", port: 0, logger: Logger(label: "pruebas"), extend: web.register(on:))
        return try await app.test(.router) { client in try await body(Browser(client: client)) }
    }
}

/// A page as a browser got it.
struct Page: Sendable {
    let status: Int
    let headers: HTTPFields
    let html: String
    var location: String? { headers[.location] }

    /// The value of a hidden input.
    func hidden(_ name: String) -> String? {
        html.firstMatch(of: try! Regex("name=\"\(name)\" value=\"([^\"]*)\""))?.output[1].substring.map(String.init)
    }
}

/// A tiny browser: keeps cookies, sends forms.
final class Browser: @unchecked Sendable {
    let client: any TestClientProtocol
    private var cookies: [String: String] = [:]

    init(client: any TestClientProtocol) { self.client = client }

    func get(_ uri: String) async throws -> Page { try await send(.get, uri, body: nil) }

    func post(_ uri: String, _ form: [(String, String)]) async throws -> Page {
        let body = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.post, uri, body: body)
    }

    func forgetCookies() { cookies = [:] }

    private func send(_ method: HTTPRequest.Method, _ uri: String, body: String?) async throws -> Page {
        var headers: HTTPFields = [:]
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        let page = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            Page(status: Int(response.status.code), headers: response.headers, html: String(buffer: response.body))
        }
        for cookie in page.headers[values: .setCookie] {
            let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if pair.count == 2 { cookies[String(pair[0])] = pair[1].isEmpty ? nil : String(pair[1]) }
        }
        return page
    }

    /// Logs in through the login form.
    func login(_ user: String, password: String = WebWorld.password) async throws -> Page {
        let form = try await get("/entrar")
        return try await post("/entrar", [("_csrf", form.hidden("_csrf") ?? ""), ("usuario", user), ("contrasena", password)])
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
