import Accounts
import Cryptography
import Foundation
import Hummingbird
import Postgres

/// One person logged in through the browser.
struct WebSession: Sendable {
    let identity: Identity
    /// Every form carries it; a POST without it (another site's form) is refused.
    let csrf: String
}

/// Browser sessions, shared by every `sintra serve` behind the proxy: the table `web_sessions`
/// (migration 0110) rather than one process's memory, so a person's next request may reach any
/// instance and a restart logs nobody out.
///
/// The cookie holds a random 256-bit secret. The row is found by its SHA-256 and holds the
/// account's bearer tokens (from the same login the API gives: lockout, `SesionIniciada`) sealed
/// with AES-256-GCM under a key derived from that secret: a copy of the table (a backup, a
/// replica) neither logs anyone in nor yields a token. A signed or encrypted cookie was the other
/// way; it was not taken because the refresh token is single-use (a reused one ends the session)
/// and two instances refreshing the same cookie at once would log the person out, and because
/// logging out must end the session everywhere, which a self-contained cookie cannot.
///
/// Who the person is (roles, suspension) is asked of the accounts on every request, as the API does.
/// A session unused for `idleTimeout` ends (PostgreSQL's clock, the same for every instance).
struct WebSessions: Sendable {
    static let cookieName = "sintra_sesion"

    let accounts: AccountService
    let idleTimeout: TimeInterval
    private var pool: ConnectionPool { accounts.handler.store.pool }

    init(accounts: AccountService, idleTimeout: TimeInterval) {
        self.accounts = accounts
        self.idleTimeout = idleTimeout
    }

    /// What the row seals: never a name, only the tokens.
    private struct Tokens {
        let access: String
        let accessExpiresAt: Date
        let refresh: String

        init(_ pair: TokenPair) {
            access = pair.accessToken
            accessExpiresAt = pair.accessTokenExpiresAt
            refresh = pair.refreshToken
        }
        init?(_ text: String) {
            let parts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, let seconds = Double(parts[1]) else { return nil }
            access = parts[0]
            accessExpiresAt = Date(timeIntervalSince1970: seconds)
            refresh = parts[2]
        }
        var text: String { "\(access)\n\(accessExpiresAt.timeIntervalSince1970)\n\(refresh)" }
    }

    /// Logs in (the accounts module's errors pass through: wrong password, lockout) and returns the cookie's value.
    func open(login: String, password: String) async -> Result<String, AccountError> {
        let tokens: TokenPair
        do { tokens = try await accounts.login(login: login, password: password) } catch { return .failure(error) }
        let secret = Self.randomToken()
        do {
            // Sessions abandoned without logging out are dropped here, so the table never outgrows the people using it.
            _ = try await pool.query("DELETE FROM web_sessions WHERE last_seen < now() - make_interval(secs => $1)", [.double(idleTimeout)])
            _ = try await pool.query("INSERT INTO web_sessions (session_digest, sealed_tokens) VALUES ($1, $2)",
                                     [.bytea(Self.digestBytes(secret)), .bytea(try Self.seal(Tokens(tokens), secret))])
        } catch {
            try? await accounts.revoke(tokens.refreshToken)
            return .failure(.unavailable("no se pudo guardar la sesión web"))
        }
        return .success(secret)
    }

    /// The request's session, or nil (no cookie, unknown, idle too long, account suspended…).
    func current(_ request: Request) async throws -> WebSession? {
        guard let secret = Self.cookie(request) else { return nil }
        do {
            for attempt in 0..<3 {
                switch try await session(secret) {
                case .found(let session): return session
                case .none: return nil
                case .renewingElsewhere: break
                }
                // Another instance is renewing this session's tokens right now: its result is read again shortly.
                try await Task.sleep(for: .milliseconds(150 * (attempt + 1)))
            }
            return nil
        } catch is WebError {
            throw WebError.unavailable
        } catch is PostgresError {
            throw WebError.unavailable
        }
    }

    private enum Lookup { case found(WebSession), none, renewingElsewhere }

    private func session(_ secret: String) async throws -> Lookup {
        let key = Self.digestBytes(secret)
        let rows = try await pool.query("""
            UPDATE web_sessions SET last_seen = now() WHERE session_digest = $1 AND last_seen >= now() - make_interval(secs => $2)
            RETURNING sealed_tokens
            """, [.bytea(key), .double(idleTimeout)])
        guard let sealed = try rows.first?.decode([UInt8].self, 0) else {
            // Unknown, or idle too long: an idle one is removed and its tokens revoked.
            if let idle = try await pool.query("DELETE FROM web_sessions WHERE session_digest = $1 RETURNING sealed_tokens", [.bytea(key)]).first,
               let tokens = Self.open(try idle.decode([UInt8].self, 0), secret) {
                try? await accounts.revoke(tokens.refresh)
            }
            return .none
        }
        guard var tokens = Self.open(sealed, secret) else { return try await end(key, nil) }
        if tokens.accessExpiresAt.timeIntervalSinceNow < 60 {
            // One instance renews (the refresh token is single-use); the others go on with the current
            // access token while it lasts, or wait for the renewed one.
            let claimed = try await pool.query("""
                UPDATE web_sessions SET refreshing_until = now() + interval '10 seconds'
                 WHERE session_digest = $1 AND (refreshing_until IS NULL OR refreshing_until < now()) RETURNING 1
                """, [.bytea(key)])
            if claimed.isEmpty {
                if tokens.accessExpiresAt.timeIntervalSinceNow <= 1 { return .renewingElsewhere }
            } else {
                guard let renewed = try? await accounts.refresh(tokens.refresh) else { return try await end(key, tokens) }
                tokens = Tokens(renewed)
                _ = try await pool.query("UPDATE web_sessions SET sealed_tokens = $2, refreshing_until = NULL WHERE session_digest = $1",
                                         [.bytea(key), .bytea(try Self.seal(tokens, secret))])
            }
        }
        let identity: Identity?
        do { identity = try await accounts.authenticate(bearer: tokens.access) } catch { throw WebError.unavailable }
        guard let identity else { return try await end(key, tokens) }
        return .found(WebSession(identity: identity, csrf: Self.csrf(secret)))
    }

    private func end(_ key: [UInt8], _ tokens: Tokens?) async throws -> Lookup {
        _ = try await pool.query("DELETE FROM web_sessions WHERE session_digest = $1", [.bytea(key)])
        if let tokens { try? await accounts.revoke(tokens.refresh) }
        return .none
    }

    /// Ends the session (its tokens too), on every instance.
    func close(_ request: Request) async {
        guard let secret = Self.cookie(request) else { return }
        guard let row = try? await pool.query("DELETE FROM web_sessions WHERE session_digest = $1 RETURNING sealed_tokens",
                                              [.bytea(Self.digestBytes(secret))]).first,
              let sealed = try? row.decode([UInt8].self, 0), let tokens = Self.open(sealed, secret) else { return }
        try? await accounts.revoke(tokens.refresh)
    }

    static func hasCookie(_ request: Request) -> Bool { cookie(request) != nil }

    static func cookie(_ request: Request) -> String? {
        guard let value = Cookies.value(cookieName, in: request), value.utf8.count == 64 else { return nil }
        return value
    }

    static func digest(_ id: String) -> String { Hex.encode(digestBytes(id)) }
    static func digestBytes(_ id: String) -> [UInt8] { SHA256.hash(Array(id.utf8)) }

    /// Every form carries it; derived from the cookie's secret, so no instance needs to store it and
    /// a page's copy of it does not reveal the cookie.
    static func csrf(_ secret: String) -> String {
        Hex.encode(HMACSHA256.authenticationCode(for: Array("sintra/web/csrf/v1".utf8), key: Array(secret.utf8)))
    }

    private static func key(_ secret: String) -> [UInt8] {
        HMACSHA256.authenticationCode(for: Array("sintra/web/sesion/v1".utf8), key: Array(secret.utf8))
    }

    private static func seal(_ tokens: Tokens, _ secret: String) throws -> [UInt8] {
        try AESGCM.seal(Array(tokens.text.utf8), key: key(secret), associatedData: digestBytes(secret))
    }

    private static func open(_ sealed: [UInt8], _ secret: String) -> Tokens? {
        guard let plain = try? AESGCM.open(sealed, key: key(secret), associatedData: digestBytes(secret)) else { return nil }
        return Tokens(String(decoding: plain, as: UTF8.self))
    }

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
