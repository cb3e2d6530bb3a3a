import Commands
import Cryptography
import Definitions
import Foundation
import Postgres

/// Passwords, login, lockout and bearer tokens. Every time comes from the injected clock and
/// travels to SQL as a parameter, so tests move time instead of sleeping.
extension AccountService {
    // MARK: - Passwords

    /// An administrator assigns a password (a new account, a forgotten password). Revokes the
    /// account's sessions and lifts a lockout.
    public func setPassword(of userId: String, to password: String, by requester: Requester) async throws(AccountError) {
        let (account, scope) = try await target(userId)
        try authorize(requester, .administrarCuentas, scope)
        let login = try await database { try await directory.personalData(of: userId)?.login }
        let problems = Passwords.problems(password, login: login, policy: policy)
        if !problems.isEmpty { throw .invalid(problems) }
        try await storePassword(password, of: userId, form: "asignada-por-administracion", by: requester, institution: account.institution)
    }

    /// The person changes their own password, proving they know the current one. Problems are
    /// reported at `currentField` and `newField`: the names of the fields the caller sent.
    public func changeOwnPassword(_ identity: Identity, current: String, new password: String,
                                  currentField: String = "contrasenaActual", newField: String = "contrasena") async throws(AccountError) {
        let (account, scope) = try await target(identity.userId)
        try authorize(.user(identity), .cambiarContrasena, scope)
        let stored = try await database {
            try await pool.query("SELECT password_hash FROM account_credentials WHERE user_id = $1", [.text(identity.userId)])
                .first.flatMap { try $0.decode(String?.self, 0) }
        }
        let currentBytes = Passwords.bytes(current), encoded = stored ?? decoyHash
        guard await Passwords.offload({ PasswordHash.verify(currentBytes, against: encoded) }), stored != nil else {
            throw .problem(currentField, "contrasena-incorrecta", "la contraseña actual no es correcta")
        }
        let login = try await database { try await directory.personalData(of: identity.userId)?.login }
        var problems = Passwords.problems(password, login: login, policy: policy, path: newField)
        if password == current { problems.append(Problem(path: newField, code: "contrasena-repetida", message: "la contraseña nueva debe ser distinta de la actual")) }
        if !problems.isEmpty { throw .invalid(problems) }
        try await storePassword(password, of: identity.userId, form: "cambiada-por-la-persona", by: .user(identity), institution: account.institution)
    }

    /// Hashes, records `ContrasenaEstablecida` (the fact, never the hash), stores the hash, lifts the
    /// lockout and revokes the sessions. The event goes first: a password never changes unrecorded.
    func storePassword(_ password: String, of userId: String, form: String, by requester: Requester, institution: String) async throws(AccountError) {
        let bytes = Passwords.bytes(password), parameters = policy.passwordHashing.parameters
        guard let hash = await Passwords.offload({ try? PasswordHash.hash(bytes, parameters: parameters) }) else {
            throw .unavailable("no se pudo calcular el hash de la contraseña")
        }
        try await record("establecer-contrasena", ["fecha": .string(today().description), "forma": .string(form)], stream: userId, by: requester,
                         institution: institution)
        try await database {
            let rows = try await pool.query("""
                UPDATE account_credentials SET password_hash = $2, password_set_at = $3 WHERE user_id = $1 RETURNING login_index
                """, [.text(userId), .text(hash), .timestamp(Timestamp(clock()))])
            guard let index = try rows.first?.decode([UInt8].self, 0) else {
                throw AccountError.unavailable("la cuenta «\(userId)» no tiene credenciales")
            }
            _ = try await pool.query("DELETE FROM login_attempts WHERE login_index = $1", [.bytea(index)])
        }
        try await revokeAllSessions(of: userId)
    }

    /// Reserves a login for a new account and returns the account's id. A reservation left by a
    /// registration that never reached the log (a crash between the two) is taken over.
    func reserveLogin(_ index: [UInt8]) async throws(AccountError) -> String {
        let candidate = "usuario-\(UUID().uuidString.lowercased())"
        let existing: String? = try await database {
            let rows = try await pool.query("""
                INSERT INTO account_credentials (user_id, login_index) VALUES ($1, $2) ON CONFLICT (login_index) DO NOTHING RETURNING user_id
                """, [.text(candidate), .bytea(index)])
            if !rows.isEmpty { return nil }
            return try await pool.query("SELECT user_id FROM account_credentials WHERE login_index = $1", [.bytea(index)])
                .first.map { try $0.decode(String.self, 0) }
        }
        guard let existing else { return candidate }
        if try await database({ try await directory.account(existing) }) == nil { return existing }
        throw .problem("datos.usuario", "usuario-ya-existe", "ya existe una cuenta con ese usuario; elija otro")
    }

    // MARK: - Login and tokens

    /// Checks a login and password and opens a session. Wrong login, wrong password and a suspended
    /// account are the same error and take the same time (a different answer to the right password
    /// would tell a guesser it is right); `maximumFailures` attempts in a row lock the login (existing
    /// or not) for `lockoutDuration`, during which even the right password is refused.
    ///
    /// The attempt is reserved (counted) atomically *before* the slow hash and released only by a
    /// success, so however many guesses arrive at once, at most `maximumFailures` per window are ever
    /// checked: the rest find the lock already taken and cost no hash.
    public func login(login: String, password: String) async throws(AccountError) -> TokenPair {
        var problems: [Problem] = []
        if LoginIndex.normalize(login).isEmpty { problems.append(Problem(path: "usuario", code: "requerido", message: "indique su usuario")) }
        if password.isEmpty { problems.append(Problem(path: "contrasena", code: "requerido", message: "indique su contraseña")) }
        if password.count > policy.maximumPasswordLength { problems.append(Problem(path: "contrasena", code: "contrasena-larga", message: "contraseña demasiado larga")) }
        if login.count > 1_000 { problems.append(Problem(path: "usuario", code: "usuario-largo", message: "usuario demasiado largo")) }
        if !problems.isEmpty { throw .invalid(problems) }
        let index = loginIndex.digest(login), now = clock()
        let reservation = try await reserveAttempt(index, at: now)
        let (userId, stored): (String?, String?) = try await database {
            let credentials = try await pool.query("SELECT user_id, password_hash FROM account_credentials WHERE login_index = $1", [.bytea(index)])
            return (try credentials.first.map { try $0.decode(String.self, 0) }, try credentials.first.flatMap { try $0.decode(String?.self, 1) })
        }
        let bytes = Passwords.bytes(password), encoded = stored ?? decoyHash
        passwordChecks.withLock { $0 += 1 }
        let matches = await Passwords.offload { PasswordHash.verify(bytes, against: encoded) } && stored != nil
        guard matches, let userId, let account = try await database({ try await directory.account(userId) }), account.active else {
            // The reservation stays: it was this failure. It answers `locked` when it reached the limit.
            failedLogins.withLock { $0 += 1 }
            throw reservation.lockedUntil.map { .locked(until: $0) } ?? .invalidCredentials
        }
        try await database {
            _ = try await pool.query("DELETE FROM login_attempts WHERE login_index = $1", [.bytea(index)])
            // Costs rise as people log in: an old, cheaper hash is replaced while the password is at hand.
            if let stored, PasswordHash.needsRehash(stored, parameters: policy.passwordHashing.parameters),
               let rehashed = await Passwords.offload({ [parameters = policy.passwordHashing.parameters] in try? PasswordHash.hash(bytes, parameters: parameters) }) {
                _ = try await pool.query("UPDATE account_credentials SET password_hash = $2 WHERE user_id = $1 AND password_hash = $3",
                                         [.text(userId), .text(rehashed), .text(stored)])
            }
            // Tokens of this account that expired more than a day ago are no longer worth keeping.
            _ = try await pool.query("DELETE FROM bearer_tokens WHERE user_id = $1 AND expires_at < $2",
                                     [.text(userId), .timestamp(Timestamp(now.addingTimeInterval(-86_400)))])
        }
        let pair = try await issue(userId: userId, session: UUID().uuidString.lowercased(), sessionEnd: now.addingTimeInterval(policy.sessionLifetime), at: now)
        // Who got in, and when, is a fact an auditor asks for: one event per login, in a stream of its own
        // (the account's stream stays short). Failed attempts count in login_attempts instead.
        let context = CommandContext(userId: userId, institutionId: account.institution, client: "cuentas", today: today())
        let recorded = Command(name: "registrar-inicio-de-sesion", data: ["fecha": .string(today().description), "cuenta": .string(userId)],
                               idempotencyKey: "sesion-\(UUID().uuidString.lowercased())")
        do { _ = try await handler.handle(recorded, context: context) } catch { throw AccountError.from(error) }
        return pair
    }

    /// A reserved login attempt: `lockedUntil` is set when this attempt was the last one allowed.
    private struct Reservation { let lockedUntil: Date? }

    /// Counts an attempt before its password is checked, in one statement (the row lock orders
    /// concurrent attempts): refused with `locked` when the login is locked now; otherwise the
    /// attempt is the n-th of the window, and the n-th that reaches `maximumFailures` sets the lock.
    /// A window ends `lockoutDuration` after the last attempt, or when its lock expires.
    private func reserveAttempt(_ index: [UInt8], at now: Date) async throws(AccountError) -> Reservation {
        let until = now.addingTimeInterval(policy.lockoutDuration)
        let outcome: (reserved: Bool, lockedUntil: Date?) = try await database {
            let rows = try await pool.query("""
                INSERT INTO login_attempts AS a (login_index, failures, last_failure_at, locked_until)
                VALUES ($1, 1, $2, CASE WHEN 1 >= $4::bigint THEN $5 END)
                ON CONFLICT (login_index) DO UPDATE SET
                    failures = CASE WHEN a.last_failure_at < $3 OR a.locked_until <= $2 THEN 1 ELSE a.failures + 1 END,
                    last_failure_at = $2,
                    locked_until = CASE WHEN (CASE WHEN a.last_failure_at < $3 OR a.locked_until <= $2 THEN 1 ELSE a.failures + 1 END) >= $4::bigint
                                        THEN $5 END
                 WHERE a.locked_until IS NULL OR a.locked_until <= $2
                RETURNING locked_until
                """, [.bytea(index), .timestamp(Timestamp(now)), .timestamp(Timestamp(now.addingTimeInterval(-policy.lockoutDuration))),
                      .int64(Int64(policy.maximumFailures)), .timestamp(Timestamp(until))])
            if let row = rows.first {
                _ = try await pool.query("DELETE FROM login_attempts WHERE last_failure_at < $1 AND (locked_until IS NULL OR locked_until < $1)",
                                         [.timestamp(Timestamp(now.addingTimeInterval(-86_400)))])
                return (true, try row.decode(Timestamp?.self, 0)?.date)
            }
            let lock = try await pool.query("SELECT locked_until FROM login_attempts WHERE login_index = $1", [.bytea(index)])
            return (false, try lock.first.flatMap { try $0.decode(Timestamp?.self, 0)?.date } ?? until)
        }
        guard outcome.reserved else {
            failedLogins.withLock { $0 += 1 }
            throw .locked(until: outcome.lockedUntil ?? until)
        }
        return Reservation(lockedUntil: outcome.lockedUntil)
    }

    /// Exchanges a refresh token for a new pair in the same session. A refresh token works once: a
    /// second use (a copy in someone else's hands) revokes the whole session.
    public func refresh(_ refreshToken: String) async throws(AccountError) -> TokenPair {
        guard let digest = BearerToken.digest(refreshToken, kind: .refresh) else { throw .invalidToken }
        let now = clock()
        let used: (userId: String, session: String, end: Date)? = try await database {
            let rows = try await pool.query("""
                UPDATE bearer_tokens SET revoked_at = $2
                 WHERE token_hash = $1 AND kind = 'renovacion' AND revoked_at IS NULL AND expires_at > $2
                RETURNING user_id, session_id, session_expires_at
                """, [.bytea(digest), .timestamp(Timestamp(now))])
            guard let row = rows.first else {
                _ = try await pool.query("""
                    UPDATE bearer_tokens SET revoked_at = $2
                     WHERE session_id = (SELECT session_id FROM bearer_tokens WHERE token_hash = $1) AND revoked_at IS NULL
                    """, [.bytea(digest), .timestamp(Timestamp(now))])
                return nil
            }
            return (try row.decode(String.self, 0), try row.decode(String.self, 1), try row.decode(Timestamp.self, 2).date)
        }
        guard let used else { throw .invalidToken }
        guard try await database({ try await directory.identity(used.userId) }) != nil else {
            try await revokeSession(used.session, at: now)
            throw .invalidToken
        }
        try await database {
            _ = try await pool.query("UPDATE bearer_tokens SET revoked_at = $2 WHERE session_id = $1::uuid AND kind = 'acceso' AND revoked_at IS NULL",
                                     [.text(used.session), .timestamp(Timestamp(now))])
        }
        return try await issue(userId: used.userId, session: used.session, sessionEnd: used.end, at: now)
    }

    /// Ends the session a token (access or refresh) belongs to. Unknown tokens are ignored: logging
    /// out twice is not an error.
    public func revoke(_ token: String) async throws(AccountError) {
        guard let digest = BearerToken.digest(token, kind: .access) ?? BearerToken.digest(token, kind: .refresh) else { return }
        let now = clock()
        try await database {
            _ = try await pool.query("""
                UPDATE bearer_tokens SET revoked_at = $2
                 WHERE session_id = (SELECT session_id FROM bearer_tokens WHERE token_hash = $1) AND revoked_at IS NULL
                """, [.bytea(digest), .timestamp(Timestamp(now))])
        }
    }

    /// Ends every session of the account (suspension, new password, "log out everywhere").
    public func revokeAllSessions(of userId: String) async throws(AccountError) {
        let now = clock()
        try await database {
            _ = try await pool.query("UPDATE bearer_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
                                     [.text(userId), .timestamp(Timestamp(now))])
        }
    }

    /// Who an access token belongs to, or nil when it is unknown, expired or revoked, or its account
    /// is suspended. Roles, institution and entidad are read from the log now, not from the token.
    public func authenticate(bearer token: String) async throws(AccountError) -> Identity? {
        guard let lookup = tokenLookup(bearer: token) else { return nil }
        let rows = try await database { try await pool.query(lookup.sql, lookup.parameters) }
        return try await identity(foundBy: rows)
    }

    /// The one query `authenticate` runs, for a caller that sends it in the same round trip as
    /// another (the API sends it with the address's rate-limit bucket); nil for a string that cannot
    /// be an access token. The account stream's version comes with the token: the directory refolds
    /// the account only if it changed, so the usual request costs this query alone.
    public func tokenLookup(bearer token: String) -> PipelinedStatement? {
        guard let digest = BearerToken.digest(token, kind: .access) else { return nil }
        return PipelinedStatement("""
            SELECT t.user_id, (SELECT max(e.version) FROM events e WHERE e.stream_id = t.user_id)
              FROM bearer_tokens t WHERE t.token_hash = $1 AND t.kind = 'acceso' AND t.revoked_at IS NULL AND t.expires_at > $2
            """, [.bytea(digest), .timestamp(Timestamp(clock()))])
    }

    /// The identity in the rows of `tokenLookup`: nil when they name no live token or the account is suspended.
    public func identity(foundBy rows: PostgresRows) async throws(AccountError) -> Identity? {
        try await database {
            guard let row = rows.first, let version = try row.decode(Int64?.self, 1) else { return nil }
            return try await directory.identity(try row.decode(String.self, 0), streamVersion: version)
        }
    }

    private func revokeSession(_ session: String, at now: Date) async throws(AccountError) {
        try await database {
            _ = try await pool.query("UPDATE bearer_tokens SET revoked_at = $2 WHERE session_id = $1::uuid AND revoked_at IS NULL",
                                     [.text(session), .timestamp(Timestamp(now))])
        }
    }

    private func issue(userId: String, session: String, sessionEnd: Date, at now: Date) async throws(AccountError) -> TokenPair {
        let access = BearerToken.generate(.access), refresh = BearerToken.generate(.refresh)
        let accessEnd = min(now.addingTimeInterval(policy.accessTokenLifetime), sessionEnd)
        try await database {
            _ = try await pool.query("""
                INSERT INTO bearer_tokens (token_hash, user_id, session_id, kind, issued_at, expires_at, session_expires_at)
                VALUES ($1, $3, $4::uuid, 'acceso', $5, $6, $7), ($2, $3, $4::uuid, 'renovacion', $5, $7, $7)
                """, [.bytea(BearerToken.digest(access, kind: .access)!), .bytea(BearerToken.digest(refresh, kind: .refresh)!),
                      .text(userId), .text(session), .timestamp(Timestamp(now)), .timestamp(Timestamp(accessEnd)), .timestamp(Timestamp(sessionEnd))])
        }
        return TokenPair(userId: userId, accessToken: access, accessTokenExpiresAt: accessEnd, refreshToken: refresh, refreshTokenExpiresAt: sessionEnd)
    }
}
