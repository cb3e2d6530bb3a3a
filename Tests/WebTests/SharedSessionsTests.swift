import API
import Cryptography
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Postgres
import Testing
@testable import Web

/// Issue 20: a web session works on whichever instance the proxy picks. Two web interfaces on one
/// database (their own `WebSessions`, as two processes would have): a login on one is a session
/// on the other, a logout on one ends it on both, and the table keeps neither the cookie nor a token.
@Suite struct SharedSessionsTests {
    @Test func aSessionOpenedOnOneInstanceWorksOnTheOtherAndEndsOnBoth() async throws {
        let world = try await WebWorld.make()
        let user = try await world.account("cap.compartida", "FGE-07", [.capturista])
        try await world.services.projector!.start()
        let second = try await WebInterface(services: world.services, configuration: WebInterface.Configuration())
        let first = world.server.application(host: "127.0.0.1", port: 0, logger: Logger(label: "pruebas"), extend: world.web.register(on:))
        // The second instance logs as JSON into `lines`: its request lines must name the account.
        let lines = Locked<[String]>([])
        let logger = Logger(label: "pruebas") { label in JSONLogHandler(label: label) { line in lines.withLock { $0.append(line) } } }
        let other = world.server.application(host: "127.0.0.1", port: 0, logger: logger, extend: second.register(on:))
        let cookie: String = try await first.test(.router) { a in
            let form = try await Self.send(a, .get, "/entrar", cookie: nil)
            let loginName = LoginPages.loginCookie
            let login = try #require(Self.cookies(form.headers)[loginName])
            let csrf = try #require(form.html.firstMatch(of: /name="_csrf" value="([0-9a-f]+)"/)?.output.1)
            let body = "_csrf=\(csrf)&usuario=cap.compartida&contrasena=\(WebWorld.password)"
            let answer = try await Self.send(a, .post, "/entrar", cookie: "\(loginName)=\(login)", body: body)
            return try #require(Self.cookies(answer.headers)[WebSessions.cookieName], "\(answer.status) \(answer.html.prefix(300))")
        }
        try await other.test(.router) { (b: any TestClientProtocol) async throws in
            #expect(try await Self.send(b, .get, "/expedientes", cookie: "\(WebSessions.cookieName)=\(cookie)").status == 200)
        }
        let pageLine = lines.withLock { $0 }.first { $0.contains("\"ruta\":\"/expedientes\"") && $0.contains("\"mensaje\":\"solicitud\"") }
        #expect(pageLine?.contains("\"usuario\":\"\(user)\"") == true, "\(pageLine ?? "sin línea")")
        #expect(lines.withLock { $0 }.allSatisfy { !$0.contains(cookie) })
        // Neither the cookie nor anything readable is stored: only its digest and a sealed box.
        let rows = try await world.database.store().pool.query("SELECT session_digest, sealed_tokens FROM web_sessions")
        #expect(rows.count == 1)
        let digest = try rows[0].decode([UInt8].self, 0), sealed = try rows[0].decode([UInt8].self, 1)
        #expect(digest == SHA256.hash(Array(cookie.utf8)))
        #expect(!String(decoding: sealed, as: UTF8.self).contains("sintra") && !sealed.isEmpty)
        // Logging out on the second instance ends the session on the first.
        try await other.test(.router) { b in
            let page = try await Self.send(b, .get, "/expedientes", cookie: "\(WebSessions.cookieName)=\(cookie)")
            let csrf = try #require(page.html.firstMatch(of: /name="_csrf" value="([0-9a-f]+)"/)?.output.1)
            _ = try await Self.send(b, .post, "/salir", cookie: "\(WebSessions.cookieName)=\(cookie)", body: "_csrf=\(csrf)")
        }
        try await first.test(.router) { (a: any TestClientProtocol) async throws in
            #expect(try await Self.send(a, .get, "/expedientes", cookie: "\(WebSessions.cookieName)=\(cookie)").location?.hasPrefix("/entrar") == true)
        }
        #expect(try await world.database.store().pool.query("SELECT 1 FROM web_sessions").isEmpty)
    }

    static func send(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, cookie: String?, body: String? = nil) async throws -> Page {
        var headers: HTTPFields = [:]
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            Page(status: Int(response.status.code), headers: response.headers, html: String(buffer: response.body))
        }
    }

    static func cookies(_ headers: HTTPFields) -> [String: String] {
        var result: [String: String] = [:]
        for cookie in headers[values: .setCookie] {
            let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if pair.count == 2, !pair[1].isEmpty { result[String(pair[0])] = String(pair[1]) }
        }
        return result
    }
}
