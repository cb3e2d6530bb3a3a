import CanonicalJSON
import Catalog
import Definitions
import Streams

/// The domain rules of one kind of stream, apart from the machinery that loads, encrypts and
/// appends (`CommandHandler`). A decider is pure: it folds the stream's events into a state
/// (`evolve`) and decides what a command records on that state (`decide`), so its rules are unit
/// tests without a database (`Tests/CommandsTests/DeciderTests.swift`).
///
/// Every command records exactly one event (its definition's), so a decision is that event's
/// payload — the command's data plus the fields the rules derive — or the problems that refuse it.
///
/// One decider per kind of stream: the case file (`CaseFileDecider`), the CIES agreement
/// (`CIESAgreementDecider`), the account (`AccountDecider`), and every other module record
/// (`ModuleRecordDecider`). A new rule for one kind of stream is a new case in its decider, never a
/// branch in the handler.
public protocol StreamDecider: Sendable {
    associatedtype State: Sendable
    /// The stream types (`x-evento.flujo.tipo`) this decider rules.
    static var streamTypes: Set<String> { get }
    /// The state of a stream with no events.
    static var initial: State { get }
    /// The state after one more event (payloads arrive upcast to their current version, personal
    /// fields still encrypted).
    static func evolve(_ state: State, _ event: StreamHistory.Entry) -> State
    /// Rules on the command's data alone: they run even when the stream is missing or the schema
    /// found problems, so one answer lists everything to fix.
    static func check(_ command: DecisionInput) -> [Problem]
    /// What the command records on `state`, or why not. `state` is the stream's current state (the
    /// initial one when the command starts the stream).
    static func decide(_ command: DecisionInput, _ state: State) -> Decision
    /// The date whose catalogues the command's codes are checked against, when not the event's own
    /// (a correction names codes as they stood when the corrected facts were recorded).
    static func catalogueDate(_ command: DecisionInput, _ state: State) -> CalendarDate?
    /// Whether `decide` needs the stream's personal fields in plaintext (the handler then opens
    /// them with the stream's key and passes it in `DecisionInput.personalKey`).
    static func needsPersonalData(_ type: EventType?) -> Bool
    /// What a retried command would have recorded, to compare with what was recorded (`stored`).
    static func asRecorded(_ type: EventType?, sent: JSONValue, stored: JSONValue) -> JSONValue
    /// Whether events of this type change the plaintext data the blind indexes are computed from.
    static func changesIndexedData(_ type: EventType?) -> Bool
    /// Whether an event of this type erases the stream's personal data: once it is in, the handler
    /// destroys the stream's key (and those of the streams linked to it as the same person).
    static func erasesPersonalData(_ type: EventType?) -> Bool
    /// The problem code when a command names a stream of this kind that does not exist.
    static var missingStreamCode: String { get }
}

extension StreamDecider {
    public static func fold(_ history: StreamHistory) -> State { history.entries.reduce(initial, evolve) }
    public static func check(_ command: DecisionInput) -> [Problem] { [] }
    public static func catalogueDate(_ command: DecisionInput, _ state: State) -> CalendarDate? { nil }
    public static func needsPersonalData(_ type: EventType?) -> Bool { false }
    public static func asRecorded(_ type: EventType?, sent: JSONValue, stored: JSONValue) -> JSONValue { sent }
    public static func changesIndexedData(_ type: EventType?) -> Bool { false }
    public static func erasesPersonalData(_ type: EventType?) -> Bool { false }
    public static var missingStreamCode: String { "flujo-inexistente" }
}

/// What a decider is told about a command: its data and everything around it that the rules read.
public struct DecisionInput: Sendable {
    /// The event the command records; nil for a type no `EventType` case names (a scratch
    /// definition), which only the generic rules see.
    public let type: EventType?
    public let data: JSONValue
    public let context: CommandContext
    /// The event's date (its definition's date field), and that field's name for problem paths.
    public let date: CalendarDate?
    public let dateField: String?
    public let catalogs: CatalogSet
    /// The stream as read for this command (its version, and its events for rules that need more
    /// than the folded state).
    public let history: StreamHistory
    /// The stream's personal-data key, when the decider asked for it and it still exists.
    public let personalKey: [UInt8]?
    /// Every definition: a correction is checked against the corrected record's own.
    public let definitions: DefinitionSet

    public init(type: EventType?, data: JSONValue, context: CommandContext, date: CalendarDate?, dateField: String?,
                catalogs: CatalogSet, history: StreamHistory, personalKey: [UInt8]? = nil, definitions: DefinitionSet) {
        self.type = type
        self.data = data
        self.context = context
        self.date = date
        self.dateField = dateField
        self.catalogs = catalogs
        self.history = history
        self.personalKey = personalKey
        self.definitions = definitions
    }

    /// The path problems about the event's date are reported at.
    var datePath: String { "datos.\(dateField ?? "fecha")" }
}

/// A decider's answer: the payload the event records, or the problems that refuse the command.
public struct Decision: Sendable {
    /// The command's data with the fields the rules derive (`CaseFileDecider.withDerivedFields`).
    public var payload: JSONValue
    public var problems: [Problem]
    /// The plaintext data the stream's blind indexes are computed from once the event is in
    /// (registrations and corrections of a case's general data); nil when the event changes none.
    public var indexedData: JSONValue?
    /// Personal fields of the payload beyond those its own definition marks (a correction of a
    /// module record carries the record's personal fields under `correcciones`).
    public var personalPaths: [String] = []

    public init(payload: JSONValue, problems: [Problem] = [], indexedData: JSONValue? = nil) {
        self.payload = payload
        self.problems = problems
        self.indexedData = indexedData
    }
}

/// A decider with its state hidden, so the handler can pick one by stream type at run time.
struct AnyDecider: Sendable {
    let check: @Sendable (DecisionInput) -> [Problem]
    let catalogueDate: @Sendable (DecisionInput) -> CalendarDate?
    let decide: @Sendable (DecisionInput) -> Decision
    let needsPersonalData: @Sendable (EventType?) -> Bool
    let asRecorded: @Sendable (EventType?, JSONValue, JSONValue) -> JSONValue
    let changesIndexedData: @Sendable (EventType?) -> Bool
    let erasesPersonalData: @Sendable (EventType?) -> Bool
    let missingStreamCode: String
    let isModuleRecord: Bool

    init<D: StreamDecider>(_ decider: D.Type) {
        check = { D.check($0) }
        catalogueDate = { D.catalogueDate($0, D.fold($0.history)) }
        decide = { D.decide($0, D.fold($0.history)) }
        needsPersonalData = { D.needsPersonalData($0) }
        asRecorded = { D.asRecorded($0, sent: $1, stored: $2) }
        changesIndexedData = { D.changesIndexedData($0) }
        erasesPersonalData = { D.erasesPersonalData($0) }
        missingStreamCode = D.missingStreamCode
        isModuleRecord = D.self == ModuleRecordDecider.self
    }

    /// Every decider, by the stream types it rules; any other stream type is a module record.
    private static let byStreamType: [String: AnyDecider] = {
        var table: [String: AnyDecider] = [:]
        for (types, decider) in [(CaseFileDecider.streamTypes, AnyDecider(CaseFileDecider.self)),
                                 (CIESAgreementDecider.streamTypes, AnyDecider(CIESAgreementDecider.self)),
                                 (AccountDecider.streamTypes, AnyDecider(AccountDecider.self))] {
            for type in types { table[type] = decider }
        }
        return table
    }()
    private static let moduleRecord = AnyDecider(ModuleRecordDecider.self)

    static func forStream(_ streamType: String) -> AnyDecider { byStreamType[streamType] ?? moduleRecord }
}
