import Definitions
import Postgres

/// One row of the `permisos` table (migration 0010).
public struct Permission: Sendable, Equatable {
    public let role: Role
    public let action: Action
    public let scope: Scope
    /// The action is allowed only when the request states why.
    public let requiresReason: Bool
    public let explanation: String

    public init(role: Role, action: Action, scope: Scope, requiresReason: Bool = false, explanation: String = "") {
        self.role = role
        self.action = action
        self.scope = scope
        self.requiresReason = requiresReason
        self.explanation = explanation
    }
}

/// The answer to "may this identity do this to this record?".
public enum Decision: Sendable, Equatable {
    /// Allowed by this row of the table (the API may record which role and scope allowed it).
    case allowed(Permission)
    /// Denied, with the reason in Spanish for the person who asked.
    case denied(String)

    public var isAllowed: Bool { if case .allowed = self { true } else { false } }
}

/// Decides requests from the `permisos` table alone: the policy is data an auditor can read, not
/// code. Load it once (`load(from:)`) and share the value; the table changes only by migration, so
/// a new process is the only moment it can change.
public struct Authorizer: Sendable {
    public let permissions: [Permission]
    private let byRoleAndAction: [String: Permission]

    public init(permissions: [Permission]) {
        self.permissions = permissions
        self.byRoleAndAction = Dictionary(permissions.map { ("\($0.role.rawValue)/\($0.action.rawValue)", $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Reads the whole table. A row this build does not understand is an error rather than
    /// silently ignored (it would mean a migration newer than the code).
    public static func load(from pool: ConnectionPool) async throws -> Authorizer {
        let rows = try await pool.query("SELECT rol, accion, alcance, requiere_motivo, explicacion FROM permisos ORDER BY rol, accion")
        return Authorizer(permissions: try rows.map { row in
            let role = try row.decode(String.self, 0), action = try row.decode(String.self, 1), scope = try row.decode(String.self, 2)
            guard let parsedRole = Role(rawValue: role), let parsedAction = Action(rawValue: action), let parsedScope = Scope(rawValue: scope) else {
                throw AccountError.unavailable("la tabla de permisos tiene una fila que esta versión no reconoce: \(role) / \(action) / \(scope)")
            }
            return Permission(role: parsedRole, action: parsedAction, scope: parsedScope,
                              requiresReason: try row.decode(Bool.self, 3), explanation: try row.decode(String.self, 4))
        })
    }

    /// Whether `identity` may perform `action` on `record`. With `record` nil (a list, an indicator,
    /// anything not one record) any grant of the action allows it, and the caller narrows the list to
    /// `widestScope`. A row that requires a reason allows only with a non-blank `reason`.
    ///
    /// With several roles, any row that allows is enough: a capturista who is also auditor reads
    /// their own institution's personal data without a reason, and anyone else's only with one.
    public func decide(_ identity: Identity, _ action: Action, on record: RecordScope?, reason: String? = nil) -> Decision {
        let grants = identity.roles.sorted().compactMap { byRoleAndAction["\($0.rawValue)/\(action.rawValue)"] }
        guard !grants.isEmpty else {
            let roles = identity.roles.isEmpty ? "ninguno" : identity.roles.sorted().map(\.rawValue).joined(separator: ", ")
            return .denied("su cuenta no tiene permiso para «\(action.rawValue)» (roles: \(roles))")
        }
        let hasReason = !(reason ?? "").allSatisfy(\.isWhitespace)
        let inScope = grants.filter { grant in record.map { Self.covers(grant.scope, identity, $0) } ?? true }
        // Prefer a row that needs no reason, then the narrowest one that allows.
        if let grant = inScope.sorted(by: { ($0.requiresReason ? 1 : 0, $0.scope) < ($1.requiresReason ? 1 : 0, $1.scope) })
            .first(where: { !$0.requiresReason || hasReason }) {
            return .allowed(grant)
        }
        if let needsReason = inScope.first {
            return .denied("indique el motivo: el rol «\(needsReason.role.rawValue)» solo puede «\(action.rawValue)» declarando para qué lo hace")
        }
        let widest = grants.map(\.scope).max()!
        // The record's institution is not named: it is not for someone outside it to learn.
        return .denied("el registro está fuera de su alcance para «\(action.rawValue)»: \(Self.describe(widest))")
    }

    /// The widest scope any of the identity's roles has for `action` (nil: none), to narrow a list.
    public func widestScope(_ identity: Identity, _ action: Action) -> Scope? {
        identity.roles.compactMap { byRoleAndAction["\($0.rawValue)/\(action.rawValue)"]?.scope }.max()
    }

    /// Whether `record` lies inside `scope` for `identity`. Each scope includes the narrower ones.
    public static func covers(_ scope: Scope, _ identity: Identity, _ record: RecordScope) -> Bool {
        let own = record.recordingUser == identity.userId
        let institution = own || record.recordingInstitution == identity.institution || record.sharedWith.contains(identity.institution)
        switch scope {
        case .propios: return own
        case .institucion: return institution
        case .entidad: return institution || (identity.entidad != nil && record.entidad == identity.entidad)
        case .nacional: return true
        }
    }

    static func describe(_ scope: Scope) -> String {
        switch scope {
        case .propios: "solo sus propios registros"
        case .institucion: "su institución y lo canalizado a ella con consentimiento"
        case .entidad: "su entidad federativa"
        case .nacional: "todo el país"
        }
    }

    /// The action a command needs, as its definition declares it (`x-evento.accion`). Nil for a
    /// command that does not exist or names no known action (fail closed). Account commands need
    /// `administrar-cuentas` and are internal: only `AccountService` sends them, keeping
    /// credentials in step.
    public static func action(forCommand name: String, definitions: DefinitionSet) -> Action? {
        definitions.definition(forCommand: name).flatMap { Action(rawValue: $0.action) }
    }
}
