import CanonicalJSON
import Definitions
import Streams

/// The records of every module beside the case files, CIES agreements and accounts: trainings,
/// dissemination, operations, agreements, legislative advances, programme facts… Each is a stream
/// that one event starts; the schema and the generic rules (`Rules`) are all it needs today.
///
/// This is where the rules of a record's later life belong — a correction or an annulment of any
/// module's record is a new case here, for every module at once.
public enum ModuleRecordDecider: StreamDecider {
    /// Every stream type no other decider claims (`AnyDecider.forStream`).
    public static let streamTypes: Set<String> = []

    public struct State: Sendable, Equatable {
        public var events = 0
        public var recordingInstitution: String?
    }

    public static var initial: State { State() }

    public static func evolve(_ state: State, _ event: StreamHistory.Entry) -> State {
        var state = state
        if state.events == 0 { state.recordingInstitution = event.institutionId }
        state.events += 1
        return state
    }

    public static func decide(_ command: DecisionInput, _ state: State) -> Decision {
        Decision(payload: command.data)
    }
}
