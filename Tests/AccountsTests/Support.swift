@testable import Accounts
import CanonicalJSON
import Catalog
import Commands
import Definitions
import EventLog
import Foundation
import Postgres
import Privacy
import Projections
import TestDatabase

/// A clock the tests move by hand: lockouts and token lifetimes are checked without sleeping.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_709_294_400)  // 2024-03-01T12:00:00Z

    var now: Date { lock.withLock { current } }
    func advance(minutes: Double) { lock.withLock { current = current.addingTimeInterval(minutes * 60) } }
}

/// A migrated database, the command path as the application role, and the account service on a test clock.
struct AccountWorld {
    let database: TestDatabase
    let store: EventStore
    let handler: CommandHandler
    let service: AccountService
    let clock: TestClock
    let owner: ConnectionPool

    static func make() async throws -> AccountWorld {
        let base = try await ProjectionWorld.make()
        let clock = TestClock()
        var policy = AccountPolicy.standard
        policy.passwordHashing = .testing
        let service = try await AccountService.make(handler: base.handler, policy: policy, clock: { clock.now })
        return AccountWorld(database: base.database, store: base.store, handler: base.handler, service: service, clock: clock, owner: base.owner)
    }

    /// The Chiapas prosecutor's office, SEGOB, and an administrator of SEGOB (console bootstrap).
    func bootstrap() async throws -> (admin: Identity, password: String) {
        let (account, password) = try await service.bootstrap(
            institution: InstitutionRegistration(clave: "SEGOB"),
            administrator: UserRegistration(login: "Admin.Nacional", name: "Administradora Ficticia", institution: "SEGOB", roles: [.administrador]))
        _ = try await service.registerInstitution(InstitutionRegistration(clave: "FGE-07"), by: .console)
        let admin = try requireIdentity(try await service.directory.identity(account.userId))
        return (admin, password)
    }

    func user(_ login: String, institution: String = "FGE-07", roles: [Role] = [.capturista], password: String = "una frase bastante larga",
              by admin: Identity) async throws -> UserAccount {
        try await service.registerUser(UserRegistration(login: login, name: "Persona \(login)", institution: institution, roles: roles,
                                                        password: password), by: .user(admin))
    }

    func rows(_ sql: SQL, _ parameters: [PostgresValue] = []) async throws -> PostgresRows {
        try await owner.query(sql, parameters)
    }
}

struct MissingIdentity: Error {}

/// Unwraps an identity the setup needs (a missing one is a broken fixture, not a finding).
func requireIdentity(_ identity: Identity?) throws -> Identity {
    guard let identity else { throw MissingIdentity() }
    return identity
}
