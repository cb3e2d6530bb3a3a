import Definitions
import Postgres

/// How far a permission reaches (the permissions table's `alcance`).
public enum AccessScope: String, Sendable, CaseIterable {
    /// Records the caller recorded.
    case own = "propios"
    /// Records of the caller's institution, and cases referred to it with consent to share.
    case institution = "institucion"
    /// Records of the caller's entidad.
    case entidad
    case national = "nacional"
}

/// Who the bearer token belongs to, and how far each action reaches for them. The accounts
/// module answers from its permissions table; the API only asks, so no route decides on its own.
public protocol AccessControl: Sendable {
    /// The caller a bearer token stands for, or nil when it is unknown, expired or revoked.
    func caller(bearer token: String) async throws -> Caller?
    /// The widest scope `caller`'s roles give for `action`; nil when none of them has it.
    func scope(_ caller: Caller, action: String) async throws -> AccessScope?
    /// The action a command needs (`capturar`, `validar`, `registrar-comisiones`…).
    func action(forCommand definition: EventDefinition) -> String
}

/// Whose a stream is: what a scope is checked against.
struct RecordOwner: Sendable {
    let userId: String
    let institutionId: String
    let entidad: String?
    /// Institutions a case was referred to while its consent allows sharing it.
    let sharedWith: [String]

    /// The first event's author, and for a case its entidad of detection and its consented referrals.
    static func of(stream: String, _ pool: ConnectionPool) async throws -> RecordOwner? {
        let rows = try await pool.query("""
            SELECT e.metadata->>'userId', e.metadata->>'institutionId',
                   coalesce(c.entidad_deteccion, e.payload->>'entidad', e.payload->'lugar'->>'entidad'),
                   coalesce((SELECT string_agg(DISTINCT r.institucion_destino, ',') FROM proj_expedientes.canalizaciones r
                              WHERE r.expediente = e.stream_id AND r.estado <> 'rechazada' AND c.compartir), '')
              FROM events e LEFT JOIN proj_expedientes.casos c ON c.expediente = e.stream_id
             WHERE e.stream_id = $1 AND e.version = 1
            """, [.text(stream)])
        guard let row = rows.first else { return nil }
        let shared = try row.decode(String.self, 3)
        return RecordOwner(userId: try row.decode(String?.self, 0) ?? "", institutionId: try row.decode(String?.self, 1) ?? "",
                           entidad: try row.decode(String?.self, 2), sharedWith: shared.isEmpty ? [] : shared.split(separator: ",").map(String.init))
    }

    func within(_ scope: AccessScope, of caller: Caller) -> Bool {
        switch scope {
        case .national: return true
        case .entidad: return caller.entidad != nil && caller.entidad == entidad
        case .institution: return institutionId == caller.institutionId || sharedWith.contains(caller.institutionId)
        case .own: return userId == caller.userId
        }
    }
}

extension APIServices {
    /// The caller's scope for `action`, or 403.
    func requireScope(_ caller: Caller, _ action: String) async throws -> AccessScope {
        guard let scope = try await access.scope(caller, action: action) else {
            throw APIProblem.forbidden("Su rol no permite «\(action)».")
        }
        return scope
    }

    /// 404 when the stream does not exist, 403 when it is outside the caller's scope for `action`.
    func requireRecord(_ stream: String, _ caller: Caller, _ action: String) async throws {
        let scope = try await requireScope(caller, action)
        guard let owner = try await RecordOwner.of(stream: stream, store.pool) else {
            throw APIProblem.notFound("No existe «\(stream.prefix(80))».")
        }
        guard owner.within(scope, of: caller) else {
            throw APIProblem.forbidden("«\(stream.prefix(80))» está fuera de su alcance (\(scope.rawValue)) para «\(action)».")
        }
    }
}
