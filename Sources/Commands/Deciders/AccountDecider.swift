import CanonicalJSON
import Definitions
import Streams

/// The rules of a user account's stream: its roles, institution, suspension and password, folded
/// from its events. `AccountDirectory` reads accounts through the same fold; `AccountService`
/// checks the same rules before it sends a command, so a request learns every problem at once
/// (its own — the last administrator, one's own account — and these).
public enum AccountDecider: StreamDecider {
    public static let streamTypes: Set<String> = ["Usuario"]

    public struct State: Sendable, Equatable {
        public var registered = false
        public var institution = ""
        /// Role codes, in the order they were given.
        public var roles: [String] = []
        public var active = true
        /// `AAAA-MM-DD` of the registration.
        public var registeredOn = ""
        public var passwordSetOn: String?
        public var version: Int64 = 0

        public init(registered: Bool = false, institution: String = "", roles: [String] = [], active: Bool = true,
                    registeredOn: String = "", passwordSetOn: String? = nil, version: Int64 = 0) {
            self.registered = registered
            self.institution = institution
            self.roles = roles
            self.active = active
            self.registeredOn = registeredOn
            self.passwordSetOn = passwordSetOn
            self.version = version
        }
    }

    public static var initial: State { State() }

    public static func evolve(_ state: State, _ event: StreamHistory.Entry) -> State {
        apply(state, event.type, event.payload, version: event.version)
    }

    /// `evolve` on an event's parts (the directory reads accounts without a `StreamHistory`).
    public static func apply(_ state: State, _ type: EventType?, _ payload: JSONValue, version: Int64) -> State {
        var state = state
        let roles = { (payload["roles"]?.arrayValue ?? []).compactMap(\.stringValue) }
        switch type {
        case .usuarioRegistrado:
            state = State(registered: true, institution: payload["institucion"]?.stringValue ?? "", roles: roles(),
                          registeredOn: payload["fecha"]?.stringValue ?? "")
        case .rolesDeUsuarioCambiados: state.roles = roles()
        case .institucionDeUsuarioCambiada: state.institution = payload["institucion"]?.stringValue ?? state.institution
        case .usuarioSuspendido: state.active = false
        case .usuarioReactivado: state.active = true
        case .contrasenaEstablecida: state.passwordSetOn = payload["fecha"]?.stringValue
        default: break
        }
        state.version = version
        return state
    }

    public static func decide(_ command: DecisionInput, _ state: State) -> Decision {
        Decision(payload: command.data, problems: problems(command.type, command.data, state))
    }

    /// The rules on the account as it stands.
    public static func problems(_ type: EventType?, _ data: JSONValue, _ state: State) -> [Problem] {
        guard state.registered else { return [] }
        switch type {
        case .usuarioSuspendido where !state.active:
            return [Problem(path: "flujo", code: "cuenta-suspendida", message: "la cuenta ya está suspendida")]
        case .usuarioReactivado where state.active:
            return [Problem(path: "flujo", code: "cuenta-activa", message: "la cuenta no está suspendida")]
        case .institucionDeUsuarioCambiada:
            guard let institution = data["institucion"]?.stringValue, institution == state.institution else { return [] }
            return [Problem(path: "datos.institucion", code: "misma-institucion", message: "la cuenta ya pertenece a «\(institution)»")]
        default:
            return []
        }
    }
}
