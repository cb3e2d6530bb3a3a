import CanonicalJSON
import Catalog
import Definitions
import Streams

/// The rules of an agreement of a state commission (CIES): its follow-up starts no earlier than the
/// agreement and ends once the agreement is fulfilled or cancelled.
public enum CIESAgreementDecider: StreamDecider {
    public static let streamTypes: Set<String> = ["AcuerdoCIES"]

    public struct State: Sendable, Equatable {
        public var adoptedOn: CalendarDate?
        /// The `estatus` of the latest follow-up.
        public var status: String?
        /// Statuses after which the agreement admits no more follow-up.
        public var isConcluded: Bool { status == "cumplido" || status == "cancelado" }
    }

    public static var initial: State { State() }
    public static var missingStreamCode: String { "acuerdo-inexistente" }

    public static func evolve(_ state: State, _ event: StreamHistory.Entry) -> State {
        var state = state
        switch event.type {
        case .acuerdoCIESAdoptado: state.adoptedOn = event.payload["fecha"]?.stringValue.flatMap(CalendarDate.init)
        case .acuerdoCIESSeguido: state.status = event.payload["estatus"]?.stringValue
        default: break
        }
        return state
    }

    public static func decide(_ command: DecisionInput, _ state: State) -> Decision {
        var problems: [Problem] = []
        if let status = state.status, state.isConcluded {
            problems.append(Problem(path: "flujo", code: "acuerdo-concluido", message: "el acuerdo ya está «\(status)»: no admite más seguimiento"))
        }
        if let adopted = state.adoptedOn, let date = command.date, date < adopted {
            problems.append(Problem(path: command.datePath, code: "seguimiento-anterior-al-acuerdo", message: "el seguimiento (\(date)) es anterior al acuerdo (\(adopted))"))
        }
        return Decision(payload: command.data, problems: problems)
    }
}
