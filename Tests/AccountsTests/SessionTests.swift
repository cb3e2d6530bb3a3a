@testable import Accounts
import Commands
import Privacy
import TestDatabase
import Cryptography
import Foundation
import Postgres
import Testing

@Suite(.needsDatabase) struct SessionTests {
    @Test func loginGivesTokensWhoseIdentityComesFromTheLog() async throws {
        let world = try await AccountWorld.make()
        let (admin, adminPassword) = try await world.bootstrap()
        #expect(adminPassword.count == 24)
        let account = try await world.user("Ana.Capturista", roles: [.capturista, .supervisorInstitucional], by: admin)
        // The login is compared normalised: case and surrounding spaces do not matter.
        let pair = try await world.service.login(login: "  ana.capturista ", password: "una frase bastante larga")
        #expect(pair.userId == account.userId)
        #expect(pair.accessTokenExpiresAt == world.clock.now.addingTimeInterval(15 * 60))
        #expect(pair.refreshTokenExpiresAt == world.clock.now.addingTimeInterval(8 * 3600))
        let identity = try #require(try await world.service.authenticate(bearer: pair.accessToken))
        #expect(identity == Identity(userId: account.userId, institution: "FGE-07", level: .estatal, entidad: "07",
                                     roles: [.capturista, .supervisorInstitucional]))
        #expect(try await world.service.authenticate(bearer: pair.refreshToken) == nil, "a refresh token is not an access token")
        #expect(try await world.service.authenticate(bearer: "sintra_at_" + String(repeating: "A", count: 43)) == nil)
        let adminLogin = try await world.service.login(login: "admin.nacional", password: adminPassword)
        #expect(try await world.service.authenticate(bearer: adminLogin.accessToken) == admin)
        #expect(admin.level == .federal && admin.entidad == nil && admin.roles == [.administrador])
        // A change of roles counts from the next request, with the same token.
        try await world.service.changeRoles(of: account.userId, to: [.capturista], by: .user(admin))
        #expect(try await world.service.authenticate(bearer: pair.accessToken)?.roles == [.capturista])
    }

    @Test func aWrongPasswordAndAnUnknownLoginGetTheSameAnswer() async throws {
        let world = try await AccountWorld.make()
        let (admin, _) = try await world.bootstrap()
        _ = try await world.user("beto", by: admin)
        await #expect(throws: AccountError.invalidCredentials) { try await world.service.login(login: "beto", password: "otra frase cualquiera") }
        await #expect(throws: AccountError.invalidCredentials) { try await world.service.login(login: "nadie", password: "otra frase cualquiera") }
        #expect(AccountError.invalidCredentials.message.hasPrefix("usuario o contraseña incorrectos"))
        // An unknown login is checked against a decoy hash of the same cost, so it takes as long as a wrong password.
        #expect(PasswordHash.parameters(of: world.service.decoyHash) == .testing)
        let empty = await #expect(throws: AccountError.self) { try await world.service.login(login: " ", password: "") }
        #expect(empty?.problems.map(\.path) == ["usuario", "contrasena"])
    }

    @Test func fiveFailuresLockALoginForFifteenMinutesWhetherOrNotItExists() async throws {
        let world = try await AccountWorld.make()
        let (admin, _) = try await world.bootstrap()
        _ = try await world.user("carla", by: admin)
        for login in ["carla", "no-existe"] {
            for attempt in 1...5 {
                let error = await #expect(throws: AccountError.self) { try await world.service.login(login: login, password: "equivocada \(attempt)") }
                if attempt < 5 { #expect(error == .invalidCredentials) } else { #expect(error == .locked(until: world.clock.now.addingTimeInterval(900))) }
            }
        }
        // Locked: even the right password is refused, and the answer says nothing more than for an unknown login.
        await #expect(throws: AccountError.locked(until: world.clock.now.addingTimeInterval(900))) {
            try await world.service.login(login: "carla", password: "una frase bastante larga")
        }
        world.clock.advance(minutes: 14)
        await #expect(throws: AccountError.self) { try await world.service.login(login: "carla", password: "una frase bastante larga") }
        world.clock.advance(minutes: 1.01)
        _ = try await world.service.login(login: "carla", password: "una frase bastante larga")
        // A success clears the count: four more failures do not lock.
        for _ in 1...4 { await #expect(throws: AccountError.invalidCredentials) { try await world.service.login(login: "carla", password: "mal") } }
        _ = try await world.service.login(login: "carla", password: "una frase bastante larga")
        // Failures spread beyond the window do not add up either.
        for _ in 1...4 {
            await #expect(throws: AccountError.invalidCredentials) { try await world.service.login(login: "carla", password: "mal") }
            world.clock.advance(minutes: 16)
        }
        await #expect(throws: AccountError.invalidCredentials) { try await world.service.login(login: "carla", password: "mal") }
    }

    /// The attack: 40 wrong passwords sent at once used to be checked all 40 (the lock was read
    /// before the slow hash and the failure counted after it), and the right password sent next was
    /// accepted inside the lock. Now each attempt is reserved before its hash.
    @Test func aParallelBurstOfGuessesGetsAtMostFiveChecked() async throws {
        let world = try await AccountWorld.make()
        let (admin, _) = try await world.bootstrap()
        _ = try await world.user("blanca", by: admin)
        _ = try await world.user("otra.persona", by: admin)
        let checksBefore = world.service.passwordChecks.withLock { $0 }
        let answers = await withTaskGroup(of: AccountError?.self) { group in
            for guess in 1...40 {
                group.addTask {
                    do { _ = try await world.service.login(login: "blanca", password: "adivinanza \(guess)"); return nil } catch let error as AccountError { return error } catch { return .unavailable("\(error)") }
                }
            }
            // Another person logs in during the burst and is not held up by it (no lock, no queue of 40 hashes).
            group.addTask {
                do { _ = try await world.service.login(login: "otra.persona", password: "una frase bastante larga"); return nil } catch let error as AccountError { return error } catch { return .unavailable("\(error)") }
            }
            var all: [AccountError?] = []
            for await answer in group { all.append(answer) }
            return all
        }
        let checked = world.service.passwordChecks.withLock { $0 } - checksBefore
        #expect(checked <= 6, "at most 5 guesses and the other person's password are checked, whatever the concurrency: \(checked)")
        #expect(answers.filter { $0 == nil }.count == 1, "only the other person got in")
        #expect(answers.compactMap { $0 }.count == 40)
        let failures = try await world.rows("SELECT max(failures) FROM login_attempts").first?.decode(Int64?.self, 0)
        #expect(failures == 5)
        // The right password, sent right after the burst, finds the lock.
        await #expect(throws: AccountError.locked(until: world.clock.now.addingTimeInterval(900))) {
            try await world.service.login(login: "blanca", password: "una frase bastante larga")
        }
        #expect(world.service.passwordChecks.withLock { $0 } - checksBefore == checked, "a locked login costs no hash")
    }

    /// Successful logins used to leave no trace (failed ones count toward the lock): now each is an event.
    @Test func aSuccessfulLoginIsRecordedAsAnEventAndAFailedOneIsNot() async throws {
        let world = try await AccountWorld.make()
        let (admin, _) = try await world.bootstrap()
        let account = try await world.user("ines", by: admin)
        _ = try? await world.service.login(login: "ines", password: "una frase equivocada")
        _ = try await world.service.login(login: "ines", password: "una frase bastante larga")
        let rows = try await world.rows("""
            SELECT metadata->>'userId', metadata->>'institutionId', payload->>'cuenta', stream_id FROM events WHERE event_type = 'SesionIniciada'
            """)
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(try row.decode(String.self, 0) == account.userId && row.decode(String.self, 1) == "FGE-07" && row.decode(String.self, 2) == account.userId)
        #expect(try row.decode(String.self, 3).hasPrefix("sesion-"), "a stream of its own: the account's stays short")
    }

    /// A suspended account used to answer the right password differently (403) from a wrong one (401).
    @Test func aSuspendedAccountAnswersTheRightPasswordAsAWrongOne() async throws {
        let world = try await AccountWorld.make()
        let (admin, _) = try await world.bootstrap()
        let account = try await world.user("susana", by: admin)
        try await world.service.suspend(account.userId, reason: "Licencia.", by: .user(admin))
        let right = await #expect(throws: AccountError.self) { try await world.service.login(login: "susana", password: "una frase bastante larga") }
        let wrong = await #expect(throws: AccountError.self) { try await world.service.login(login: "susana", password: "otra frase distinta") }
        #expect(right == .invalidCredentials && wrong == right)
        // And it counts toward the lock like any failure.
        for _ in 1...3 { _ = try? await world.service.login(login: "susana", password: "una frase bastante larga") }
        await #expect(throws: AccountError.locked(until: world.clock.now.addingTimeInterval(900))) {
            try await world.service.login(login: "susana", password: "otra frase distinta")
        }
    }

    @Test func accessExpiresRefreshRotatesOnceAndTheSessionEndsAfterEightHours() async throws {
        let world = try await AccountWorld.make()
        let (admin, _) = try await world.bootstrap()
        _ = try await world.user("diana", by: admin)
        let first = try await world.service.login(login: "diana", password: "una frase bastante larga")
        world.clock.advance(minutes: 15)
        #expect(try await world.service.authenticate(bearer: first.accessToken) == nil, "expired after 15 minutes")
        let second = try await world.service.refresh(first.refreshToken)
        #expect(second.refreshTokenExpiresAt == first.refreshTokenExpiresAt, "refreshing never extends the session")
        #expect(try await world.service.authenticate(bearer: second.accessToken) != nil)
        // The first refresh token was used: used again (a stolen copy), it fails and ends the whole session.
        await #expect(throws: AccountError.invalidToken) { try await world.service.refresh(first.refreshToken) }
        #expect(try await world.service.authenticate(bearer: second.accessToken) == nil)
        await #expect(throws: AccountError.invalidToken) { try await world.service.refresh(second.refreshToken) }

        let third = try await world.service.login(login: "diana", password: "una frase bastante larga")
        var pair = third
        for _ in 1...31 {  // 31 × 15 min = 7 h 45 min
            world.clock.advance(minutes: 15)
            pair = try await world.service.refresh(pair.refreshToken)
        }
        #expect(pair.accessTokenExpiresAt == third.refreshTokenExpiresAt, "the last access token ends with the session")
        world.clock.advance(minutes: 15)
        await #expect(throws: AccountError.invalidToken) { try await world.service.refresh(pair.refreshToken) }
        await #expect(throws: AccountError.invalidToken) { try await world.service.refresh("sintra_rt_corto") }
    }

    @Test func logoutSuspensionAndANewPasswordEndSessions() async throws {
        let world = try await AccountWorld.make()
        let (admin, _) = try await world.bootstrap()
        let account = try await world.user("elena", by: admin)
        let pair = try await world.service.login(login: "elena", password: "una frase bastante larga")
        try await world.service.revoke(pair.refreshToken)
        #expect(try await world.service.authenticate(bearer: pair.accessToken) == nil, "revoking either token ends the session")
        try await world.service.revoke(pair.accessToken)  // twice is fine

        let again = try await world.service.login(login: "elena", password: "una frase bastante larga")
        try await world.service.suspend(account.userId, reason: "Licencia.", by: .user(admin))
        #expect(try await world.service.authenticate(bearer: again.accessToken) == nil)
        await #expect(throws: AccountError.invalidCredentials) { try await world.service.login(login: "elena", password: "una frase bastante larga") }
        await #expect(throws: AccountError.invalidToken) { try await world.service.refresh(again.refreshToken) }
        try await world.service.reactivate(account.userId, by: .user(admin))
        let back = try await world.service.login(login: "elena", password: "una frase bastante larga")

        try await world.service.setPassword(of: account.userId, to: "otra frase nueva y larga", by: .user(admin))
        #expect(try await world.service.authenticate(bearer: back.accessToken) == nil)
        await #expect(throws: AccountError.invalidCredentials) { try await world.service.login(login: "elena", password: "una frase bastante larga") }
        let identity = try #require(try await world.service.authenticate(
            bearer: try await world.service.login(login: "elena", password: "otra frase nueva y larga").accessToken))
        // The person changes it herself, proving the current one.
        let wrong = await #expect(throws: AccountError.self) {
            try await world.service.changeOwnPassword(identity, current: "no es", new: "la tercera frase larga")
        }
        #expect(wrong?.problems.map(\.code) == ["contrasena-incorrecta"])
        let weak = await #expect(throws: AccountError.self) {
            try await world.service.changeOwnPassword(identity, current: "otra frase nueva y larga", new: "elena")
        }
        #expect(Set(weak?.problems.map(\.code) ?? []) == ["contrasena-corta", "contrasena-igual-al-usuario"])
        try await world.service.changeOwnPassword(identity, current: "otra frase nueva y larga", new: "la tercera frase larga")
        _ = try await world.service.login(login: "elena", password: "la tercera frase larga")
    }

    /// The server keeps each account as last folded, but only while the log shows no newer event of
    /// it: roles changed by another process (the console) count from the very next request.
    @Test func aChangeMadeByAnotherProcessCountsFromTheNextRequest() async throws {
        let world = try await AccountWorld.make()
        let (admin, _) = try await world.bootstrap()
        let account = try await world.user("elena", by: admin)
        let pair = try await world.service.login(login: "elena", password: "una frase bastante larga")
        #expect(try await world.service.authenticate(bearer: pair.accessToken)?.roles == [.capturista])

        let store = world.database.store()
        let console = try await AccountService.make(handler: CommandHandler(definitions: repositoryDefinitions, store: store,
                                                                            vault: DataKeyVault(pool: store.pool, keyring: world.handler.vault.keyring)))
        _ = try await console.changeRoles(of: account.userId, to: [.capturista, .supervisorInstitucional], by: .console)
        #expect(try await world.service.authenticate(bearer: pair.accessToken)?.roles == [.capturista, .supervisorInstitucional])
        _ = try await console.changeInstitution(of: account.userId, to: "SEGOB", reason: "Cambio de adscripción.", by: .console)
        #expect(try await world.service.authenticate(bearer: pair.accessToken)?.institution == "SEGOB")
    }

    @Test func aPasswordSetByAnAdministratorUnlocksTheLogin() async throws {
        let world = try await AccountWorld.make()
        let (admin, _) = try await world.bootstrap()
        let account = try await world.user("fer", by: admin)
        for _ in 1...5 { _ = try? await world.service.login(login: "fer", password: "mal") }
        await #expect(throws: AccountError.self) { try await world.service.login(login: "fer", password: "una frase bastante larga") }
        try await world.service.setPassword(of: account.userId, to: "frase de desbloqueo larga", by: .user(admin))
        _ = try await world.service.login(login: "fer", password: "frase de desbloqueo larga")
    }

    @Test func tokensAndPasswordsAreStoredOnlyAsHashes() async throws {
        let world = try await AccountWorld.make()
        let (admin, _) = try await world.bootstrap()
        let account = try await world.user("gabriela.hash", by: admin)
        let pair = try await world.service.login(login: "gabriela.hash", password: "una frase bastante larga")
        let tokens = try await world.rows("SELECT token_hash, kind, user_id FROM bearer_tokens WHERE user_id = $1 ORDER BY kind", [.text(account.userId)])
        #expect(tokens.count == 2)
        #expect(try tokens[0].decode([UInt8].self, 0) == SHA256.hash(Array(pair.accessToken.utf8)))
        #expect(try tokens[1].decode([UInt8].self, 0) == SHA256.hash(Array(pair.refreshToken.utf8)))
        let everything = try await world.rows("""
            SELECT coalesce(string_agg(t::text, ' '), '') FROM (SELECT * FROM bearer_tokens) t
            UNION ALL SELECT coalesce(string_agg(c::text, ' '), '') FROM account_credentials c
            """)
        for row in everything {
            let text = try row.decode(String.self, 0)
            for secret in [pair.accessToken, pair.refreshToken, String(pair.accessToken.dropFirst(10)), "gabriela", "una frase bastante larga"] {
                #expect(!text.contains(secret), "«\(secret)» aparece en las tablas de credenciales")
            }
        }
        let hash = try #require(try await world.rows("SELECT password_hash FROM account_credentials WHERE user_id = $1", [.text(account.userId)])
            .first?.decode(String.self, 0))
        #expect(hash.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        #expect(PasswordHash.verify(Array("una frase bastante larga".utf8), against: hash))
    }
}
