import Accounts
import Cryptography
import Foundation
import Hummingbird

/// One person logged in through the browser.
struct WebSession: Sendable {
    let identity: Identity
    /// Every form carries it; a POST without it (another site's form) is refused.
    let csrf: String
}

/// Browser sessions. The cookie holds only a random identifier; the server keeps, in memory, the
/// account's bearer tokens from the same login the API gives (`AccountService.login`: lockout,
/// `SesionIniciada`), refreshes them as they expire, and ends the session after `idleTimeout`
/// without use. Who the person is (roles, suspension) is asked of the accounts on every request,
/// as the API does. A restart logs everyone out, which is the safe side.
actor WebSessions {
    static let cookieName = "sintra_sesion"

    private struct Entry {
        var tokens: TokenPair
        let csrf: String
        var lastSeen: Date
    }

    let accounts: AccountService
    let idleTimeout: TimeInterval
    private var entries: [String: Entry] = [:]

    init(accounts: AccountService, idleTimeout: TimeInterval) {
        self.accounts = accounts
        self.idleTimeout = idleTimeout
    }

    /// Logs in (the accounts module's errors pass through: wrong password, lockout) and returns the cookie's value.
    func open(login: String, password: String) async -> Result<String, AccountError> {
        let tokens: TokenPair
        do { tokens = try await accounts.login(login: login, password: password) } catch { return .failure(error) }
        let id = Self.randomToken(), now = Date()
        // Sessions abandoned without logging out are dropped here, so the table never outgrows the people using it.
        entries = entries.filter { now.timeIntervalSince($0.value.lastSeen) <= idleTimeout }
        entries[Self.digest(id)] = Entry(tokens: tokens, csrf: Self.randomToken(), lastSeen: now)
        return .success(id)
    }

    /// The request's session, or nil (no cookie, unknown, idle too long, account suspended…).
    nonisolated func current(_ request: Request) async throws -> WebSession? {
        guard let id = Self.cookie(request) else { return nil }
        return try await session(Self.digest(id))
    }

    private func session(_ key: String) async throws -> WebSession? {
        guard var entry = entries[key] else { return nil }
        let now = Date()
        if now.timeIntervalSince(entry.lastSeen) > idleTimeout {
            entries[key] = nil
            try? await accounts.revoke(entry.tokens.refreshToken)
            return nil
        }
        if entry.tokens.accessTokenExpiresAt.timeIntervalSince(now) < 60 {
            guard let renewed = try? await accounts.refresh(entry.tokens.refreshToken) else {
                entries[key] = nil
                return nil
            }
            entry.tokens = renewed
        }
        let identity: Identity?
        do { identity = try await accounts.authenticate(bearer: entry.tokens.accessToken) } catch {
            throw WebError.unavailable
        }
        guard let identity else {
            entries[key] = nil
            return nil
        }
        entry.lastSeen = now
        entries[key] = entry
        return WebSession(identity: identity, csrf: entry.csrf)
    }

    /// Ends the session (its tokens too).
    nonisolated func close(_ request: Request) async {
        guard let id = Self.cookie(request) else { return }
        await remove(Self.digest(id))
    }

    private func remove(_ key: String) async {
        guard let entry = entries.removeValue(forKey: key) else { return }
        try? await accounts.revoke(entry.tokens.refreshToken)
    }

    static func hasCookie(_ request: Request) -> Bool { cookie(request) != nil }

    static func cookie(_ request: Request) -> String? {
        Cookies.value(cookieName, in: request)
    }

    static func digest(_ id: String) -> String { Hex.encode(SHA256.hash(Array(id.utf8))) }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}

/// Reading and writing cookies. The session cookie is `HttpOnly; SameSite=Strict` (no script and
/// no other site's request carries it) and `Secure` when the site is behind TLS.
enum Cookies {
    static func value(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name { return String(parts[1]) }
            }
        }
        return nil
    }

    static func set(_ name: String, _ value: String, secure: Bool) -> String {
        "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
    }

    static func clear(_ name: String, secure: Bool) -> String {
        "\(name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
    }
}

extension String {
    /// Comparing secrets without telling by the time taken how much of them matched.
    func constantTimeEquals(_ other: String) -> Bool {
        let a = Array(utf8), b = Array(other.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
