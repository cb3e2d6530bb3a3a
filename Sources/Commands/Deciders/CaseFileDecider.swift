import CanonicalJSON
import Catalog
import Definitions
import Streams

/// The rules of an expediente (a person's case file): registration, victimisation, attentions,
/// referrals, closing and reopening, validation, corrections and erasure.
///
/// The rules on a registration's data alone (CURP, age, dates) are in `CaseRegistrationRules.swift`;
/// the fields the path derives (the age from the birth date) in `DerivedFields.swift`.
public enum CaseFileDecider: StreamDecider {
    public static let streamTypes: Set<String> = ["Expediente"]

    /// What the rules need to know about an expediente, folded from its events.
    public struct State: Sendable, Equatable {
        public enum ReferralStatus: Sendable, Equatable { case pending, accepted, rejected }
        public struct Referral: Sendable, Equatable {
            public let destination: String
            public var status: ReferralStatus
        }

        public var exists = false
        public var registeredOn: CalendarDate?
        public var registeringInstitution: String?
        public var isClosed = false
        public var isErased = false
        /// By folio.
        public var referrals: [String: Referral] = [:]
    }

    public static var initial: State { State() }

    public static func evolve(_ state: State, _ event: StreamHistory.Entry) -> State {
        var state = state
        state.exists = true
        let payload = event.payload
        switch event.type {
        case .victimaRegistrada:
            state.registeredOn = payload["fechaDeDeteccion"]?.stringValue.flatMap(CalendarDate.init)
            state.registeringInstitution = event.institutionId
        case .casoCerrado: state.isClosed = true
        case .casoReabierto: state.isClosed = false
        case .datosPersonalesBorrados: state.isErased = true
        case .canalizacionSolicitada:
            if let folio = payload["folio"]?.stringValue, let destination = payload["institucionDestino"]?.stringValue {
                state.referrals[folio] = State.Referral(destination: destination, status: .pending)
            }
        case .canalizacionAceptada:
            if let folio = payload["folio"]?.stringValue { state.referrals[folio]?.status = .accepted }
        case .canalizacionRechazada:
            if let folio = payload["folio"]?.stringValue { state.referrals[folio]?.status = .rejected }
        default: break
        }
        return state
    }

    public static func check(_ command: DecisionInput) -> [Problem] {
        switch command.type {
        case .victimaRegistrada: registrationProblems(command.data)
        case .atencionOtorgada: attentionClassification(command.data, catalogs: command.catalogs)
        default: []
        }
    }

    public static func catalogueDate(_ command: DecisionInput, _ state: State) -> CalendarDate? {
        command.type == .datosGeneralesCorregidos || command.type == .victimizacionCorregida ? state.registeredOn : nil
    }

    public static func needsPersonalData(_ type: EventType?) -> Bool { type == .datosGeneralesCorregidos }
    public static func changesIndexedData(_ type: EventType?) -> Bool { type == .victimaRegistrada || type == .datosGeneralesCorregidos }
    public static func erasesPersonalData(_ type: EventType?) -> Bool { type == .datosPersonalesBorrados }

    public static func asRecorded(_ type: EventType?, sent: JSONValue, stored: JSONValue) -> JSONValue {
        switch type {
        case .victimaRegistrada: withDerivedFields(sent)
        case .datosGeneralesCorregidos: withRecordedAge(sent, stored: stored)
        default: sent
        }
    }

    public static func decide(_ command: DecisionInput, _ state: State) -> Decision {
        var decision = Decision(payload: command.data, problems: state.exists ? stateProblems(command, state) : [])
        switch command.type {
        case .victimaRegistrada:
            decision.payload = withDerivedFields(command.data)
            decision.indexedData = decision.payload
        case .datosGeneralesCorregidos where state.exists:
            // Checked on the general data as it would stand, with the age the new birth date implies.
            let before = GeneralData.current(command.history, subject: command.history.streamId, key: command.personalKey)
            let fixes = { (data: JSONValue) in GeneralData.merging(before, data["correcciones"] ?? .object([])) }
            decision.payload = withDerivedCorrection(command.data, corrected: fixes(command.data))
            let after = fixes(decision.payload)
            decision.indexedData = after
            decision.problems += correctionProblems(decision.payload, after)
        default: break
        }
        return decision
    }

    /// Rules that depend on the expediente's history.
    static func stateProblems(_ command: DecisionInput, _ state: State) -> [Problem] {
        var problems: [Problem] = []
        func fail(_ path: String, _ code: String, _ message: String) { problems.append(Problem(path: path, code: code, message: message)) }
        let type = command.type, data = command.data, institution = command.context.institutionId
        if let date = command.date, let registered = state.registeredOn, date < registered, type != .datosGeneralesCorregidos {
            fail(command.datePath, type == .atencionOtorgada ? "atencion-anterior-al-registro" : "fecha-anterior-al-registro",
                 "la fecha \(date) es anterior a la detección de la persona (\(registered))")
        }
        let blockedWhenClosed: Set<EventType> = [.atencionOtorgada, .victimizacionDocumentada, .canalizacionSolicitada,
                                                 .canalizacionAceptada, .medidaDeProteccionDictada, .casoCerrado]
        if state.isClosed, let type, blockedWhenClosed.contains(type) {
            fail("flujo", type == .casoCerrado ? "caso-ya-cerrado" : "caso-cerrado",
                 type == .casoCerrado ? "el caso ya está cerrado" : "el caso está cerrado: reábralo (reabrir-caso) antes de registrar")
        }
        switch type {
        case .casoReabierto where !state.isClosed:
            fail("flujo", "caso-no-cerrado", "el caso no está cerrado")
        case .canalizacionSolicitada:
            let folio = data["folio"]?.stringValue ?? ""
            if state.referrals[folio] != nil { fail("datos.folio", "folio-repetido", "ya existe una canalización con el folio «\(folio)» en este caso") }
            if let destination = data["institucionDestino"]?.stringValue, destination == institution {
                fail("datos.institucionDestino", "canalizacion-misma-institucion", "la canalización debe dirigirse a otra institución, no a la que la solicita")
            }
        case .canalizacionAceptada, .canalizacionRechazada:
            let folio = data["folio"]?.stringValue ?? ""
            if let referral = state.referrals[folio] {
                if referral.status != .pending { fail("datos.folio", "canalizacion-ya-resuelta", "la canalización «\(folio)» ya fue aceptada o rechazada") }
                if referral.destination != institution {
                    fail("datos.folio", "institucion-no-destinataria", "solo la institución destinataria (\(referral.destination)) puede responder la canalización «\(folio)»")
                }
            } else {
                fail("datos.folio", "canalizacion-inexistente", "no hay una canalización con el folio «\(folio)» en este caso")
            }
        case .registroValidado:
            if let registering = state.registeringInstitution, registering != institution {
                fail("flujo", "institucion-no-registradora", "solo la institución que registró el caso (\(registering)) puede validarlo")
            }
            let version = command.history.version
            if let reviewed = data["versionValidada"]?.int64Value, reviewed > version {
                fail("datos.versionValidada", "version-inexistente", "el caso va en la versión \(version); no se puede validar la \(reviewed)")
            }
        case .datosPersonalesBorrados where state.isErased:
            fail("flujo", "datos-ya-borrados", "los datos personales de este caso ya fueron borrados")
        default: break
        }
        return problems
    }

    /// The attention's classification must be the one its type belongs to in `tipos-de-atencion`.
    static func attentionClassification(_ data: JSONValue, catalogs: CatalogSet) -> [Problem] {
        guard let type = data["tipo"]?.stringValue, let classification = data["clasificacion"]?.stringValue,
              let expected = catalogs["tipos-de-atencion"]?.value(type)?.extra["clasificacion"]?.stringValue,
              expected != classification else { return [] }
        return [Problem(path: "datos.clasificacion", code: "clasificacion-no-corresponde",
                        message: "el tipo de atención «\(type)» se clasifica como «\(expected)», no como «\(classification)»")]
    }
}
