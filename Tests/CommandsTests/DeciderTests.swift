import CanonicalJSON
import Catalog
import Commands
import Definitions
import Streams
import TestDatabase
import Testing

/// The deciders are pure: each rule is a fold and a decision over events written by hand, with no
/// database. (`CaseLifecycleTests` drive the same rules through the handler and PostgreSQL.)
@Suite struct DeciderTests {
    /// A history of `(type, payload, institution)` events, numbered from 1.
    static func history(_ events: [(EventType, JSONValue, String)], stream: String = "expediente-1") -> StreamHistory {
        let entries = events.enumerated().map { index, event in
            StreamHistory.Entry(eventType: event.0.rawValue, payload: event.1, institutionId: event.2, userId: "u",
                                version: Int64(index + 1), position: Int64(index + 1))
        }
        return StreamHistory(streamId: stream, streamType: entries.isEmpty ? nil : "Expediente", version: Int64(entries.count), entries: entries)
    }

    static func input(_ type: EventType, _ data: JSONValue, _ history: StreamHistory, institution: String = "FGE-07",
                      date: String? = nil, dateField: String? = "fecha") -> DecisionInput {
        DecisionInput(type: type, data: data, context: CommandContext(userId: "u", institutionId: institution, client: "pruebas", today: CalendarDate("2024-12-31")!),
                      date: date.flatMap(CalendarDate.init), dateField: dateField, catalogs: repositoryDefinitions.catalogs, history: history,
                      definitions: repositoryDefinitions)
    }

    static let registered = (EventType.victimaRegistrada, JSONValue.object([.init(key: "fechaDeDeteccion", value: .string("2024-03-01"))]), "FGE-07")

    @Test func aClosedCaseRefusesAnAttentionUntilReopened() {
        let closed = Self.history([Self.registered, (.casoCerrado, .object([]), "FGE-07")])
        let state = CaseFileDecider.fold(closed)
        #expect(state.isClosed)
        let attention = CaseFileDecider.decide(Self.input(.atencionOtorgada, .object([]), closed, date: "2024-04-01"), state)
        #expect(attention.problems.map(\.code) == ["caso-cerrado"])
        let closeAgain = CaseFileDecider.decide(Self.input(.casoCerrado, .object([]), closed, date: "2024-04-01"), state)
        #expect(closeAgain.problems.map(\.code) == ["caso-ya-cerrado"])

        let reopened = Self.history([Self.registered, (.casoCerrado, .object([]), "FGE-07"), (.casoReabierto, .object([]), "FGE-07")])
        let open = CaseFileDecider.fold(reopened)
        #expect(!open.isClosed)
        #expect(CaseFileDecider.decide(Self.input(.atencionOtorgada, .object([]), reopened, date: "2024-04-01"), open).problems.isEmpty)
        #expect(CaseFileDecider.decide(Self.input(.casoReabierto, .object([]), reopened), open).problems.map(\.code) == ["caso-no-cerrado"])
    }

    @Test func anAttentionBeforeTheDetectionIsRefusedWithItsDateField() {
        let history = Self.history([Self.registered])
        let decision = CaseFileDecider.decide(Self.input(.atencionOtorgada, .object([]), history, date: "2024-02-28"), CaseFileDecider.fold(history))
        #expect(decision.problems.map(\.code) == ["atencion-anterior-al-registro"])
        #expect(decision.problems.first?.path == "datos.fecha")
    }

    @Test func onlyTheDestinationAnswersAReferralAndOnlyOnce() {
        let referral: JSONValue = .object([.init(key: "folio", value: .string("C-1")), .init(key: "institucionDestino", value: .string("DIF-07"))])
        let requested = Self.history([Self.registered, (.canalizacionSolicitada, referral, "FGE-07")])
        let state = CaseFileDecider.fold(requested)
        #expect(state.referrals["C-1"]?.destination == "DIF-07" && state.referrals["C-1"]?.status == .pending)
        let answer: JSONValue = .object([.init(key: "folio", value: .string("C-1"))])
        let byOrigin = CaseFileDecider.decide(Self.input(.canalizacionAceptada, answer, requested, institution: "FGE-07"), state)
        #expect(byOrigin.problems.map(\.code) == ["institucion-no-destinataria"])
        #expect(CaseFileDecider.decide(Self.input(.canalizacionAceptada, answer, requested, institution: "DIF-07"), state).problems.isEmpty)

        let accepted = Self.history([Self.registered, (.canalizacionSolicitada, referral, "FGE-07"), (.canalizacionAceptada, answer, "DIF-07")])
        let again = CaseFileDecider.decide(Self.input(.canalizacionRechazada, answer, accepted, institution: "DIF-07"), CaseFileDecider.fold(accepted))
        #expect(again.problems.map(\.code) == ["canalizacion-ya-resuelta"])
        let unknown: JSONValue = .object([.init(key: "folio", value: .string("C-9"))])
        #expect(CaseFileDecider.decide(Self.input(.canalizacionAceptada, unknown, accepted, institution: "DIF-07"), CaseFileDecider.fold(accepted))
            .problems.map(\.code) == ["canalizacion-inexistente"])
        let toItself = CaseFileDecider.decide(Self.input(.canalizacionSolicitada, .object([.init(key: "folio", value: .string("C-2")),
            .init(key: "institucionDestino", value: .string("FGE-07"))]), requested), state)
        #expect(toItself.problems.map(\.code) == ["canalizacion-misma-institucion"])
    }

    @Test func onlyTheRecordingInstitutionValidatesAVersionThatExists() {
        let history = Self.history([Self.registered])
        let state = CaseFileDecider.fold(history)
        let validation: JSONValue = .object([.init(key: "versionValidada", value: .number(1))])
        #expect(CaseFileDecider.decide(Self.input(.registroValidado, validation, history), state).problems.isEmpty)
        #expect(CaseFileDecider.decide(Self.input(.registroValidado, validation, history, institution: "DIF-07"), state)
            .problems.map(\.code) == ["institucion-no-registradora"])
        let future: JSONValue = .object([.init(key: "versionValidada", value: .number(5))])
        #expect(CaseFileDecider.decide(Self.input(.registroValidado, future, history), state).problems.map(\.code) == ["version-inexistente"])
    }

    @Test func anErasedCaseIsErasedOnce() {
        let history = Self.history([Self.registered, (.datosPersonalesBorrados, .object([]), "FGE-07")])
        let state = CaseFileDecider.fold(history)
        #expect(state.isErased)
        #expect(CaseFileDecider.decide(Self.input(.datosPersonalesBorrados, .object([]), history), state).problems.map(\.code) == ["datos-ya-borrados"])
        #expect(CaseFileDecider.erasesPersonalData(.datosPersonalesBorrados))
        #expect(!CaseFileDecider.erasesPersonalData(.casoCerrado))
    }

    @Test func aRegistrationDerivesTheAgeFromTheBirthDate() {
        let data: JSONValue = .object([.init(key: "fechaDeDeteccion", value: .string("2024-03-01")),
                                       .init(key: "fechaDeNacimiento", value: .string("2000-03-02"))])
        let decision = CaseFileDecider.decide(Self.input(.victimaRegistrada, data, .empty("expediente-1"), date: "2024-03-01"), CaseFileDecider.initial)
        #expect(decision.payload["edad"]?.int64Value == 23)
        #expect(decision.indexedData == decision.payload)
    }

    @Test func aConcludedCIESAgreementTakesNoMoreFollowUp() {
        let adopted: JSONValue = .object([.init(key: "fecha", value: .string("2023-05-01"))])
        let fulfilled: JSONValue = .object([.init(key: "estatus", value: .string("cumplido"))])
        let inProgress = Self.history([(.acuerdoCIESAdoptado, adopted, "CIES-07"), (.acuerdoCIESSeguido, .object([.init(key: "estatus", value: .string("en-proceso"))]), "CIES-07")],
                                      stream: "acuerdo-1")
        let followUp = Self.input(.acuerdoCIESSeguido, fulfilled, inProgress, date: "2023-06-01")
        #expect(CIESAgreementDecider.decide(followUp, CIESAgreementDecider.fold(inProgress)).problems.isEmpty)
        let early = Self.input(.acuerdoCIESSeguido, fulfilled, inProgress, date: "2023-04-01")
        #expect(CIESAgreementDecider.decide(early, CIESAgreementDecider.fold(inProgress)).problems.map(\.code) == ["seguimiento-anterior-al-acuerdo"])

        let done = Self.history([(.acuerdoCIESAdoptado, adopted, "CIES-07"), (.acuerdoCIESSeguido, fulfilled, "CIES-07")], stream: "acuerdo-1")
        #expect(CIESAgreementDecider.fold(done).isConcluded)
        #expect(CIESAgreementDecider.decide(followUp, CIESAgreementDecider.fold(done)).problems.map(\.code) == ["acuerdo-concluido"])
    }

    @Test func anAccountIsSuspendedAndReactivatedOnlyFromTheOtherState() {
        let registered: JSONValue = .object([.init(key: "institucion", value: .string("FGE-07")),
                                             .init(key: "roles", value: .array([.string("capturista")])), .init(key: "fecha", value: .string("2024-01-01"))])
        let history = Self.history([(.usuarioRegistrado, registered, "FGE-07")], stream: "usuario-1")
        let active = AccountDecider.fold(history)
        #expect(active.registered && active.active && active.roles == ["capturista"])
        #expect(AccountDecider.problems(.usuarioReactivado, .object([]), active).map(\.code) == ["cuenta-activa"])
        let suspended = AccountDecider.evolve(active, StreamHistory.Entry(eventType: EventType.usuarioSuspendido.rawValue, payload: .object([]),
                                                                           institutionId: "FGE-07", userId: "admin", version: 2, position: 9))
        #expect(!suspended.active && suspended.version == 2)
        #expect(AccountDecider.problems(.usuarioSuspendido, .object([]), suspended).map(\.code) == ["cuenta-suspendida"])
        #expect(AccountDecider.problems(.institucionDeUsuarioCambiada, .object([.init(key: "institucion", value: .string("FGE-07"))]), active)
            .map(\.code) == ["misma-institucion"])
    }

    @Test func everyStreamTypeHasOneDeciderAndModuleRecordsTakeTheRest() {
        // The deciders' stream types are disjoint, and every one is a stream type some definition declares.
        let declared = Set(repositoryDefinitions.all.map(\.streamType))
        let claimed = [CaseFileDecider.streamTypes, CIESAgreementDecider.streamTypes, AccountDecider.streamTypes]
        #expect(claimed.reduce(0) { $0 + $1.count } == Set(claimed.joined()).count)
        #expect(Set(claimed.joined()).isSubset(of: declared))
        #expect(ModuleRecordDecider.fold(Self.history([(.capacitacionImpartida, .object([]), "SEP")], stream: "capacitacion-1")).recordingInstitution == "SEP")
    }
}
