import CanonicalJSON
import Catalog
import Commands
import Cryptography
import Definitions
import Foundation
import Postgres

/// What `registerInstitution` needs. For a clave of the `instituciones` catalogue, name, level and
/// entidad default to the catalogue's and must agree with it when given.
public struct InstitutionRegistration: Sendable {
    public var clave: String
    public var name: String?
    public var level: GovernmentLevel?
    public var entidad: String?
    public var municipio: String?

    public init(clave: String, name: String? = nil, level: GovernmentLevel? = nil, entidad: String? = nil, municipio: String? = nil) {
        self.clave = clave
        self.name = name
        self.level = level
        self.entidad = entidad
        self.municipio = municipio
    }
}

/// What `registerUser` needs. Login, name and e-mail are personal: they reach the log encrypted.
public struct UserRegistration: Sendable {
    public var login: String
    public var name: String
    public var email: String?
    public var institution: String
    public var roles: [Role]
    /// Without one, the account cannot log in until `setPassword`.
    public var password: String?

    public init(login: String, name: String, email: String? = nil, institution: String, roles: [Role], password: String? = nil) {
        self.login = login
        self.name = name
        self.email = email
        self.institution = institution
        self.roles = roles
        self.password = password
    }
}

/// Accounts: institutions and users as events (through `CommandHandler`, the one write path),
/// passwords and sessions in the mutable tables of migration 0009. Operations a user asks for are
/// authorised here against `administrar-cuentas` (or `cambiar-contrasena` for one's own password),
/// so the HTTP layer cannot forget to. Sessions are in `AccountService+Sessions.swift`.
public final class AccountService: Sendable {
    public let handler: CommandHandler
    public let directory: AccountDirectory
    public let authorizer: Authorizer
    public let policy: AccountPolicy
    let clock: @Sendable () -> Date
    let loginIndex: LoginIndex
    /// A well-formed hash nobody's password matches, verified when a login does not exist, so an
    /// unknown login costs as much time as a wrong password.
    let decoyHash: String
    /// Passwords verified by `login` and logins refused, since start: what a burst of guesses
    /// costs is what the lockout's tests and the metrics read.
    public let passwordChecks = Locked(0)
    public let failedLogins = Locked(0)

    var pool: ConnectionPool { handler.store.pool }
    /// Whose each record is, read from the same stream histories the commands decide on.
    public var recordScopes: RecordScopes { RecordScopes(histories: handler.histories, directory: directory, definitions: definitions) }
    var definitions: DefinitionSet { handler.definitions }

    public init(handler: CommandHandler, authorizer: Authorizer, policy: AccountPolicy = .standard,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.handler = handler
        self.directory = AccountDirectory(store: handler.store, vault: handler.vault)
        self.authorizer = authorizer
        self.policy = policy
        self.clock = clock
        self.loginIndex = LoginIndex(keyring: handler.vault.keyring)
        let random = { (count: Int) in BearerToken.base64URL(SecureRandom.bytes(count: count)).replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/") }
        self.decoyHash = "$scrypt$\(policy.passwordHashing.parameters)$\(random(16))$\(random(32))"
    }

    /// The service with the permission table read from the database.
    public static func make(handler: CommandHandler, policy: AccountPolicy = .standard,
                            clock: @escaping @Sendable () -> Date = { Date() }) async throws -> AccountService {
        AccountService(handler: handler, authorizer: try await Authorizer.load(from: handler.store.pool), policy: policy, clock: clock)
    }

    // MARK: - Institutions and users

    public func registerInstitution(_ request: InstitutionRegistration, by requester: Requester) async throws(AccountError) -> InstitutionRecord {
        var problems: [Problem] = []
        var name = request.name, level = request.level, entidad = request.entidad
        if let listed = definitions.catalogs.catalogs["instituciones"]?.value(request.clave) {
            let listedLevel = listed.extra["nivelDeGobierno"]?.stringValue.flatMap(GovernmentLevel.init) ?? .noGubernamental
            let listedEntidad = listed.extra["entidad"]?.stringValue
            if let level, level != listedLevel {
                problems.append(Problem(path: "datos.nivelDeGobierno", code: "distinto-del-catalogo",
                                        message: "según el catálogo de instituciones, «\(request.clave)» es \(listedLevel.rawValue)"))
            }
            if let entidad, entidad != listedEntidad {
                problems.append(Problem(path: "datos.entidad", code: "distinto-del-catalogo",
                                        message: "según el catálogo de instituciones, «\(request.clave)» es de la entidad \(listedEntidad ?? "(ninguna: nacional)")"))
            }
            name = name ?? listed.label
            level = listedLevel
            entidad = listedEntidad
        }
        var data: [(String, JSONValue)] = [("fecha", .string(today().description)), ("clave", .string(request.clave))]
        if let name { data.append(("nombre", .string(name))) }
        if let level { data.append(("nivelDeGobierno", .string(level.rawValue))) }
        if let entidad { data.append(("entidad", .string(entidad))) }
        if let municipio = request.municipio { data.append(("municipio", .string(municipio))) }
        let payload = JSONValue.object(data.map { JSONMember(key: $0.0, value: $0.1) })
        try authorize(requester, .administrarCuentas, RecordScope(recordingUser: nil, recordingInstitution: request.clave, entidad: entidad))
        try check(problems, payload, command: "registrar-institucion")
        try await record("registrar-institucion", payload, stream: "institucion-\(request.clave)", by: requester, institution: request.clave)
        guard let registered = InstitutionRecord(payload) else { throw .unavailable("la institución registrada no se pudo leer") }
        return registered
    }

    public func registerUser(_ request: UserRegistration, by requester: Requester) async throws(AccountError) -> UserAccount {
        try await registerUser(request, by: requester, passwordForm: "asignada-por-administracion")
    }

    func registerUser(_ request: UserRegistration, by requester: Requester, passwordForm: String) async throws(AccountError) -> UserAccount {
        let login = LoginIndex.normalize(request.login)
        var data: [(String, JSONValue)] = [("fecha", .string(today().description)), ("institucion", .string(request.institution)),
                                           ("roles", .array(request.roles.map { .string($0.rawValue) })),
                                           ("nombre", .string(request.name)), ("usuario", .string(login))]
        if let email = request.email { data.append(("correo", .string(email))) }
        let payload = JSONValue.object(data.map { JSONMember(key: $0.0, value: $0.1) })
        let institution = try await database { try await directory.institution(request.institution) }
        try authorize(requester, .administrarCuentas,
                      RecordScope(recordingUser: nil, recordingInstitution: request.institution, entidad: institution?.entidad))
        var problems: [Problem] = []
        if institution == nil {
            problems.append(Problem(path: "datos.institucion", code: "institucion-no-registrada",
                                    message: "la institución «\(request.institution.prefix(60))» no está registrada en SINTRA; regístrela primero"))
        }
        if login.contains(where: { $0.isWhitespace || $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) {
            problems.append(Problem(path: "datos.usuario", code: "usuario-con-espacios", message: "el usuario no puede contener espacios ni caracteres de control"))
        }
        if let password = request.password { problems += Passwords.problems(password, login: login, policy: policy) }
        try check(problems, payload, command: "registrar-usuario")

        let userId = try await reserveLogin(loginIndex.digest(login))
        do {
            try await record("registrar-usuario", payload, stream: userId, by: requester, institution: request.institution)
        } catch {
            // Nothing was written to the log: free the login again.
            _ = try? await pool.query("DELETE FROM account_credentials WHERE user_id = $1 AND password_hash IS NULL", [.text(userId)])
            throw error
        }
        if let password = request.password {
            try await storePassword(password, of: userId, form: passwordForm, by: requester, institution: request.institution)
        }
        return try await target(userId).account
    }

    /// Replaces all of the account's roles. Takes effect on the account's next request.
    @discardableResult
    public func changeRoles(of userId: String, to roles: [Role], reason: String? = nil, by requester: Requester) async throws(AccountError) -> UserAccount {
        let (account, scope) = try await target(userId)
        try authorize(requester, .administrarCuentas, scope)
        let problems = account.roles.contains(.administrador) && !roles.contains(.administrador) ? try await lastAdministrator(userId) : []
        var data: [(String, JSONValue)] = [("fecha", .string(today().description)), ("roles", .array(roles.map { .string($0.rawValue) }))]
        if let reason { data.append(("motivo", .string(reason))) }
        let payload = JSONValue.object(data.map { JSONMember(key: $0.0, value: $0.1) })
        try check(problems, payload, command: "cambiar-roles-de-usuario")
        try await record("cambiar-roles-de-usuario", payload, stream: userId, by: requester, institution: account.institution)
        return try await target(userId).account
    }

    /// Moves the account to another registered institution (a change of adscription).
    @discardableResult
    public func changeInstitution(of userId: String, to institution: String, reason: String? = nil,
                                  by requester: Requester) async throws(AccountError) -> UserAccount {
        let (account, scope) = try await target(userId)
        try authorize(requester, .administrarCuentas, scope)
        let destination = try await database { try await directory.institution(institution) }
        try authorize(requester, .administrarCuentas, RecordScope(recordingUser: userId, recordingInstitution: institution, entidad: destination?.entidad))
        var problems: [Problem] = []
        if destination == nil {
            problems.append(Problem(path: "datos.institucion", code: "institucion-no-registrada",
                                    message: "la institución «\(institution.prefix(60))» no está registrada en SINTRA; regístrela primero"))
        }
        var data: [(String, JSONValue)] = [("fecha", .string(today().description)), ("institucion", .string(institution))]
        if let reason { data.append(("motivo", .string(reason))) }
        let payload = JSONValue.object(data.map { JSONMember(key: $0.0, value: $0.1) })
        if destination != nil { problems += AccountDecider.problems(.institucionDeUsuarioCambiada, payload, account.state) }
        try check(problems, payload, command: "cambiar-institucion-de-usuario")
        try await record("cambiar-institucion-de-usuario", payload, stream: userId, by: requester, institution: institution)
        return try await target(userId).account
    }

    /// Suspends the account and revokes its open sessions at once.
    @discardableResult
    public func suspend(_ userId: String, reason: String, by requester: Requester) async throws(AccountError) -> UserAccount {
        let (account, scope) = try await target(userId)
        try authorize(requester, .administrarCuentas, scope)
        let payload: JSONValue = ["fecha": .string(today().description), "motivo": .string(reason)]
        var problems = AccountDecider.problems(.usuarioSuspendido, payload, account.state)
        if case .user(let identity) = requester, identity.userId == userId {
            problems.append(Problem(path: "flujo", code: "cuenta-propia", message: "no puede suspender su propia cuenta"))
        }
        if account.active && account.roles.contains(.administrador) { problems += try await lastAdministrator(userId) }
        try check(problems, payload, command: "suspender-usuario")
        try await record("suspender-usuario", payload, stream: userId, by: requester, institution: account.institution)
        try await revokeAllSessions(of: userId)
        return try await target(userId).account
    }

    @discardableResult
    public func reactivate(_ userId: String, reason: String? = nil, by requester: Requester) async throws(AccountError) -> UserAccount {
        let (account, scope) = try await target(userId)
        try authorize(requester, .administrarCuentas, scope)
        var data: [(String, JSONValue)] = [("fecha", .string(today().description))]
        if let reason { data.append(("motivo", .string(reason))) }
        let payload = JSONValue.object(data.map { JSONMember(key: $0.0, value: $0.1) })
        let problems = AccountDecider.problems(.usuarioReactivado, payload, account.state)
        try check(problems, payload, command: "reactivar-usuario")
        try await record("reactivar-usuario", payload, stream: userId, by: requester, institution: account.institution)
        return try await target(userId).account
    }

    /// Creates the first institution and administrator on a system without accounts, with a
    /// generated password that is returned once (the console prints it; it is stored only hashed).
    public func bootstrap(institution: InstitutionRegistration, administrator: UserRegistration) async throws(AccountError) -> (account: UserAccount, password: String) {
        if try await database({ try await directory.hasAccounts() }) {
            throw .problem("", "cuentas-ya-iniciadas", "ya existen cuentas: use `sintra accounts add-user` con una cuenta administradora")
        }
        if try await database({ try await directory.institution(institution.clave) }) == nil {
            _ = try await registerInstitution(institution, by: .console)
        }
        var request = administrator
        if !request.roles.contains(.administrador) { request.roles.append(.administrador) }
        request.password = Passwords.generate()
        let account = try await registerUser(request, by: .console, passwordForm: "generada-al-iniciar-el-sistema")
        return (account, request.password!)
    }

    /// A password for a person to receive once (18 bytes from libcrypto's CSPRNG, 24 characters).
    public static func generatedPassword() -> String { Passwords.generate() }

    // MARK: - Helpers shared with the sessions

    /// Today in Mexico City, the calendar institutions date their records in.
    func today() -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Mexico_City") ?? .gmt
        let parts = calendar.dateComponents([.year, .month, .day], from: clock())
        return CalendarDate(String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1))!
    }

    func authorize(_ requester: Requester, _ action: Action, _ record: RecordScope?) throws(AccountError) {
        guard case .user(let identity) = requester else { return }
        if case .denied(let reason) = authorizer.decide(identity, action, on: record) { throw .forbidden(reason) }
    }

    /// The account and its scope as a record (its own user, its institution and entidad).
    func target(_ userId: String) async throws(AccountError) -> (account: UserAccount, scope: RecordScope) {
        guard let account = try await database({ try await directory.account(userId) }) else { throw .notFound("la cuenta «\(userId.prefix(80))»") }
        let institution = try await database { try await directory.institution(account.institution) }
        return (account, RecordScope(recordingUser: userId, recordingInstitution: account.institution, entidad: institution?.entidad))
    }

    /// Our own problems plus the schema's, all at once, before anything is written.
    func check(_ problems: [Problem], _ payload: JSONValue, command: String) throws(AccountError) {
        guard let definition = definitions.definition(forCommand: command) else { throw .unavailable("falta la definición de «\(command)»") }
        // Where we already explain a field, the schema's generic word on it would only repeat it.
        let explained = Set(problems.map(\.path))
        let all = problems + definitions.validate(payload, definition: definition).problems.map { $0.prefixed("datos") }
            .filter { !explained.contains($0.path) }
        if !all.isEmpty { throw .invalid(all) }
    }

    @discardableResult
    func record(_ command: String, _ payload: JSONValue, stream: String, by requester: Requester,
                institution: String) async throws(AccountError) -> CommandResult {
        let context: CommandContext
        switch requester {
        case .user(let identity): context = CommandContext(userId: identity.userId, institutionId: identity.institution, client: "cuentas", today: today())
        case .console: context = CommandContext(userId: "consola", institutionId: institution, client: "consola-cuentas", today: today())
        }
        let command = Command(name: command, data: payload, streamId: stream, idempotencyKey: "cuentas-\(UUID().uuidString.lowercased())")
        do { return try await handler.handle(command, context: context) } catch { throw AccountError.from(error) }
    }

    func database<T>(_ body: () async throws -> T) async throws(AccountError) -> T {
        do { return try await body() } catch { throw AccountError.database(error) }
    }

    /// A problem when `userId` is the only active administrator: removing it would leave nobody able
    /// to manage accounts (except from the console).
    private func lastAdministrator(_ userId: String) async throws(AccountError) -> [Problem] {
        let others = try await database { try await directory.accounts() }
            .filter { $0.userId != userId && $0.active && $0.roles.contains(.administrador) }
        guard others.isEmpty else { return [] }
        return [Problem(path: "datos.roles", code: "ultima-cuenta-administradora",
                        message: "es la única cuenta administradora activa: antes dé el rol de administrador a otra cuenta")]
    }
}

extension InstitutionRecord {
    init?(_ payload: JSONValue) {
        guard let record = AccountDirectory.institution(from: payload) else { return nil }
        self = record
    }
}
