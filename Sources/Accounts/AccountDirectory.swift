import CanonicalJSON
import Commands
import Definitions
import Foundation
import EventLog
import Postgres
import Privacy

/// An account as its events leave it. No personal field: those stay encrypted in the log
/// (`AccountDirectory.personalData(of:)` opens them for an authorised reader).
public struct UserAccount: Sendable, Equatable {
    public let userId: String
    public fileprivate(set) var institution: String
    /// In the order they were given.
    public fileprivate(set) var roles: [Role]
    public fileprivate(set) var active: Bool
    /// `AAAA-MM-DD` of `UsuarioRegistrado`.
    public let registeredOn: String
    public fileprivate(set) var passwordSetOn: String?
    /// The stream's version (its number of events).
    public fileprivate(set) var version: Int64

    init(userId: String, state: AccountDecider.State) {
        self.userId = userId
        institution = state.institution
        roles = state.roles.compactMap(Role.init(rawValue:))
        active = state.active
        registeredOn = state.registeredOn
        passwordSetOn = state.passwordSetOn
        version = state.version
    }

    /// The account as its decider sees it.
    var state: AccountDecider.State {
        AccountDecider.State(registered: true, institution: institution, roles: roles.map(\.rawValue), active: active,
                             registeredOn: registeredOn, passwordSetOn: passwordSetOn, version: version)
    }
}

/// An institution as `InstitucionRegistrada` recorded it.
public struct InstitutionRecord: Sendable, Equatable {
    public let clave: String
    public let name: String
    public let level: GovernmentLevel
    public let entidad: String?
    public let municipio: String?
}

/// The personal fields of an account, opened with its data key.
public struct AccountPersonalData: Sendable, Equatable {
    public let name: String?
    public let login: String?
    public let email: String?
}

/// Reads accounts and institutions straight from the log: a few events per stream, always
/// current, so a suspension or a change of roles counts from the next request (the `usuarios`
/// projection serves lists and SQL readers, and may lag).
public final class AccountDirectory: Sendable {
    let store: EventStore
    let vault: DataKeyVault
    /// Registered institutions, once read: `InstitucionRegistrada` is the only event of its stream
    /// and nothing changes or removes it, so a cached one is never stale. Every request needs its
    /// caller's (identity) and its record's (scope); unregistered claves are not cached.
    private let institutions = BoundedCache<String, InstitutionRecord>(capacity: 10_000)
    /// Accounts as last folded, each with its stream's version: `identity(_:streamVersion:)` uses
    /// one only while the log says the account has no newer event.
    private let folded = BoundedCache<String, UserAccount>(capacity: 10_000)

    public init(store: EventStore, vault: DataKeyVault) {
        self.store = store
        self.vault = vault
    }

    public func account(_ userId: String) async throws -> UserAccount? {
        guard userId.hasPrefix("usuario-") else { return nil }
        let events = try await store.readStream(userId, limit: 10_000)
        return Self.fold(userId, events.map { ($0.eventType, (try? CanonicalJSON.parse($0.payload)) ?? .null, $0.version) })
    }

    public func institution(_ clave: String) async throws -> InstitutionRecord? {
        if let known = institutions[clave] { return known }
        guard let first = try await store.readStream("institucion-\(clave)", limit: 1).first,
              first.eventType == EventType.institucionRegistrada.rawValue else { return nil }
        let record = Self.institution(from: try CanonicalJSON.parse(first.payload))
        if let record { institutions.set(clave, record) }
        return record
    }

    /// Who an active account is now; nil for an unknown or suspended account, or one whose
    /// institution is not registered.
    public func identity(_ userId: String) async throws -> Identity? {
        try await identity(of: try await account(userId))
    }

    /// `identity(_:)` for a caller that has just read the account stream's version (with the token,
    /// in one query): the account is folded again only when an event came after the last fold, so
    /// a suspension or a change of roles still counts from the next request.
    public func identity(_ userId: String, streamVersion: Int64) async throws -> Identity? {
        var account = folded[userId]
        if account?.version != streamVersion {
            account = try await self.account(userId)
            if let account { folded.set(userId, account, keepExisting: { $0.version >= account.version }) }
        }
        return try await identity(of: account)
    }

    /// Who `account` is now: nil when there is none, it is suspended, or its institution is not registered.
    private func identity(of account: UserAccount?) async throws -> Identity? {
        guard let account, account.active, let institution = try await institution(account.institution) else { return nil }
        return Identity(userId: account.userId, institution: institution.clave, level: institution.level, entidad: institution.entidad,
                        roles: Set(account.roles))
    }

    /// Every account (optionally of one institution), oldest first, folded from the log.
    public func accounts(institution: String? = nil) async throws -> [UserAccount] {
        let rows = try await store.pool.query("""
            SELECT stream_id, event_type, payload, version FROM events WHERE stream_type = 'Usuario' ORDER BY position
            """)
        var streams: [String: [(String, JSONValue, Int64)]] = [:]
        var order: [String] = []
        for row in rows {
            let stream = try row.decode(String.self, 0)
            if streams[stream] == nil { order.append(stream) }
            streams[stream, default: []].append((try row.decode(String.self, 1), try CanonicalJSON.parse(try row.decode(String.self, 2)),
                                                 try row.decode(Int64.self, 3)))
        }
        return order.compactMap { Self.fold($0, streams[$0]!) }.filter { institution == nil || $0.institution == institution }
    }

    public func institutions() async throws -> [InstitutionRecord] {
        let rows = try await store.pool.query("""
            SELECT payload FROM events WHERE stream_type = 'Institucion' AND event_type = $1 ORDER BY position
            """, [.text(EventType.institucionRegistrada.rawValue)])
        // A plain loop: the compactMap form crashes the optimizer of Swift 6.3.1 (coroutine splitting) in release builds.
        var institutions: [InstitutionRecord] = []
        for row in rows {
            let payload = try CanonicalJSON.parse(try row.decode(String.self, 0))
            if let institution = Self.institution(from: payload) { institutions.append(institution) }
        }
        return institutions
    }

    /// Whether any account exists (the console's `bootstrap` runs only on a system without accounts).
    public func hasAccounts() async throws -> Bool {
        !(try await store.pool.query("SELECT 1 FROM events WHERE stream_type = 'Usuario' LIMIT 1")).isEmpty
    }

    /// The account's name, login and e-mail, decrypted. Nil when the account does not exist; fields
    /// are nil when its personal data were erased. The caller authorises (`leer-cuentas`) first.
    public func personalData(of userId: String) async throws -> AccountPersonalData? {
        guard userId.hasPrefix("usuario-"), let first = try await store.readStream(userId, limit: 1).first,
              first.eventType == EventType.usuarioRegistrado.rawValue else { return nil }
        let key = try await vault.key(subject: userId)
        let opened = PersonalDataCipher.decrypt(try CanonicalJSON.parse(first.payload), subject: userId, key: key).payload
        return AccountPersonalData(name: opened["nombre"]?.stringValue, login: opened["usuario"]?.stringValue, email: opened["correo"]?.stringValue)
    }

    /// The account an account stream's events describe (`AccountDecider`'s fold); nil when it does
    /// not start with a registration.
    static func fold(_ userId: String, _ events: [(type: String, payload: JSONValue, version: Int64)]) -> UserAccount? {
        guard EventType(rawValue: events.first?.type ?? "") == .usuarioRegistrado else { return nil }
        let state = events.reduce(AccountDecider.initial) { AccountDecider.apply($0, EventType(rawValue: $1.type), $1.payload, version: $1.version) }
        return UserAccount(userId: userId, state: state)
    }

    static func institution(from payload: JSONValue) -> InstitutionRecord? {
        guard let clave = payload["clave"]?.stringValue, let level = payload["nivelDeGobierno"]?.stringValue.flatMap(GovernmentLevel.init) else {
            return nil
        }
        return InstitutionRecord(clave: clave, name: payload["nombre"]?.stringValue ?? clave, level: level,
                                 entidad: payload["entidad"]?.stringValue, municipio: payload["municipio"]?.stringValue)
    }
}
