import CanonicalJSON
import Catalog
import Definitions
import Privacy
import Streams

/// The records of every module beside the case files, CIES agreements and accounts: trainings,
/// dissemination, operations, instruments, agreements, legislative advances, programme facts… Each
/// is a stream that one event opens; the schema and the generic rules (`Rules`) rule the opening.
///
/// Their later life is one mechanism for every module: `corregir-registro` (`RegistroCorregido`)
/// replaces fields, checked against the record's **own** definition and the catalogues in force on
/// its date; `anular-registro` (`RegistroAnulado`) takes the record out of every projection from then
/// on. Only the recording institution does either, never on an annulled record.
public enum ModuleRecordDecider: StreamDecider {
    /// Every stream type no other decider claims (`AnyDecider.forStream`).
    public static let streamTypes: Set<String> = []

    public struct State: Sendable, Equatable {
        public var events = 0
        public var recordingInstitution: String?
        /// The event that opened the record (`OperativoRealizado`, `CapacitacionImpartida`…).
        public var openingType: String?
        /// The record as it stands: the opening payload with every correction applied (personal
        /// fields still encrypted).
        public var data: JSONValue = .object([])
        /// The annulment's date, once annulled.
        public var annulledOn: String?
        public var isAnnulled: Bool { annulledOn != nil }
    }

    public static var initial: State { State() }

    public static func evolve(_ state: State, _ event: StreamHistory.Entry) -> State {
        var state = state
        if state.events == 0 {
            state.recordingInstitution = event.institutionId
            state.openingType = event.eventType
            state.data = event.payload
        }
        switch event.type {
        case .registroCorregido: state.data = applying(event.payload["correcciones"] ?? .object([]), to: state.data)
        case .registroAnulado: state.annulledOn = event.payload["fecha"]?.stringValue ?? "?"
        default: break
        }
        state.events += 1
        return state
    }

    /// `fixes` over `data`: each property replaces the one recorded; null removes it.
    public static func applying(_ fixes: JSONValue, to data: JSONValue) -> JSONValue {
        guard case .object(var members) = data, case .object(let changes) = fixes else { return data }
        for change in changes {
            members.removeAll { $0.key == change.key }
            if !change.value.isNull { members.append(change) }
        }
        return .object(members)
    }

    /// The event types that open a record this decider rules (and `corregir-registro` /
    /// `anular-registro` act on): opened by a module's definition, not a system one, in a stream
    /// no other decider claims. Sorted.
    public static func openingTypes(_ definitions: DefinitionSet) -> [String] {
        definitions.current.filter { $0.startsStream && $0.module != "sistema" && AnyDecider.forStream($0.streamType).isModuleRecord }
            .map(\.eventType).sorted()
    }

    /// The payload with `registro` — what the decider derives about the record — set to `summary`
    /// (whatever a caller sent there is replaced).
    static func withRecordSummary(_ payload: JSONValue, _ summary: JSONValue) -> JSONValue {
        guard case .object(var members) = payload else { return payload }
        members.removeAll { $0.key == "registro" }
        members.append(.init(key: "registro", value: summary))
        return .object(members)
    }

    public static func needsPersonalData(_ type: EventType?) -> Bool { type == .registroCorregido }

    /// A retry is compared with what was recorded including the part the decider derives.
    public static func asRecorded(_ type: EventType?, sent: JSONValue, stored: JSONValue) -> JSONValue {
        guard type == .registroCorregido || type == .registroAnulado, let derived = stored["registro"] else { return sent }
        return withRecordSummary(sent, derived)
    }

    public static func decide(_ command: DecisionInput, _ state: State) -> Decision {
        guard command.type == .registroCorregido || command.type == .registroAnulado, let openingType = state.openingType else {
            return Decision(payload: command.data)
        }
        var problems: [Problem] = []
        if let annulled = state.annulledOn {
            problems.append(Problem(path: "flujo", code: "registro-anulado", message: "el registro fue anulado el \(annulled): ya no admite correcciones ni otra anulación"))
        }
        if let recording = state.recordingInstitution, recording != command.context.institutionId {
            problems.append(Problem(path: "flujo", code: "institucion-no-registradora",
                                    message: "solo la institución que hizo el registro (\(recording)) puede corregirlo o anularlo"))
        }
        guard command.type == .registroCorregido else {
            let payload = withRecordSummary(command.data, .object([.init(key: "tipo", value: .string(openingType))]))
            return Decision(payload: payload, problems: problems)
        }
        return correction(command, state, openingType: openingType, problems: problems)
    }

    /// The corrected record must be a valid record of its own kind, dated as it was or as corrected.
    static func correction(_ command: DecisionInput, _ state: State, openingType: String, problems: [Problem]) -> Decision {
        var problems = problems
        guard let definition = command.definitions.latest(openingType), case .object(let fixes)? = command.data["correcciones"] else {
            return Decision(payload: command.data, problems: problems)
        }
        let subject = command.history.streamId
        let before = command.personalKey.map { PersonalDataCipher.decrypt(state.data, subject: subject, key: $0).payload } ?? state.data
        let after = applying(.object(fixes), to: before)
        if after == before {
            problems.append(Problem(path: "datos.correcciones", code: "correccion-sin-cambios", message: "las correcciones dejan el registro como estaba"))
        }
        let corrected = Set(fixes.map(\.key))
        let validation = command.definitions.validate(after, definition: definition, earliestCatalogueDate: Rules.lawDate)
        for problem in validation.problems {
            // A problem in a corrected field is reported at it; one elsewhere (a required field
            // removed with null) at the corrections as a whole.
            let field = String(problem.path.prefix { $0 != "." && $0 != "[" })
            let path = corrected.contains(field) ? "datos.correcciones.\(problem.path)" : "datos.correcciones"
            problems.append(Problem(path: path, code: problem.code,
                                    message: corrected.contains(field) ? problem.message : "\(problem.path.isEmpty ? "el registro" : problem.path): \(problem.message)"))
        }
        let date = command.definitions.eventDate(of: after, definition: definition)
        if let date, date > command.context.today {
            problems.append(Problem(path: "datos.correcciones.\(definition.dateField ?? "fecha")", code: "fecha-futura",
                                    message: "la fecha \(date) es posterior a hoy (\(command.context.today))"))
        }
        var derived: [JSONMember] = [.init(key: "tipo", value: .string(openingType))]
        if let date { derived.append(.init(key: "fecha", value: .string(date.description))) }
        var decision = Decision(payload: withRecordSummary(command.data, .object(derived)), problems: problems)
        // Personal fields of the record stay encrypted when they are corrected.
        decision.personalPaths = validation.annotations.personalPaths.filter { corrected.contains(String($0.prefix { $0 != "." && $0 != "[" })) }
            .map { "correcciones.\($0)" }
        return decision
    }
}
