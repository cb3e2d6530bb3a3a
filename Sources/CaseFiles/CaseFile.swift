import CanonicalJSON
import Definitions
import Privacy

/// One person's case file as a caseworker reads it.
public struct CaseFile: Sendable {
    public struct TimelineEntry: Sendable {
        public let position: Int64
        public let version: Int64
        public let eventType: String
        /// The event's type as the compiler knows it (nil for a type no `EventType` case names).
        public var type: EventType? { EventType(rawValue: eventType) }
        /// The date the event itself carries (of the attention, of the closing…), when it has one.
        public let date: String?
        public let institution: String
        /// The account that recorded it (the web's timeline says who and when).
        public let userId: String?
        /// The event's data: personal fields opened, or null when not asked for (or erased).
        public let details: JSONValue
    }

    public struct Referral: Sendable, Equatable {
        public let folio: String
        public let date: String
        public let from: String
        public let to: String
        /// `pendiente`, `aceptada` or `rechazada`.
        public let status: String
        public let answeredOn: String?

        public init(folio: String, date: String, from: String, to: String, status: String, answeredOn: String?) {
            self.folio = folio
            self.date = date
            self.from = from
            self.to = to
            self.status = status
            self.answeredOn = answeredOn
        }
    }

    public let summary: CaseSummary
    /// The last documentation of the victimisation (corrections are in the timeline).
    public let victimisation: JSONValue?
    /// The registration with every correction applied.
    public let generalData: JSONValue
    /// True when personal fields were asked for and the case's key still exists (not erased).
    public let personalDataOpened: Bool
    public let timeline: [TimelineEntry]
    public let referrals: [Referral]
    /// Every institution that recorded something on the case.
    public let institutions: [String]
    public let possibleDuplicates: [String]
    /// Where the case holds personal fields (`lineaDeTiempo[0].nombre`): what an opened read showed.
    public let personalFields: [String]

    /// Attentions, corrections, consents… are all in the timeline; these name the usual views.
    public var attentions: [TimelineEntry] { timeline.filter { $0.type == .atencionOtorgada } }
    public var corrections: [TimelineEntry] { timeline.filter { $0.type == .datosGeneralesCorregidos || $0.type == .victimizacionCorregida } }
    public var consents: [TimelineEntry] { timeline.filter { $0.type == .consentimientoRegistrado } }
    public var protectionMeasures: [TimelineEntry] { timeline.filter { $0.type == .medidaDeProteccionDictada } }

    /// Personal fields (still encrypted) replaced by null: a reader without the right sees that the
    /// field exists, never its value, not even its ciphertext.
    static func withoutPersonalFields(_ payload: JSONValue) -> JSONValue {
        PersonalDataCipher.encryptedPaths(in: payload).reduce(payload) { FieldPath.replacing($1, in: $0, with: .null) }
    }

    /// The case file as JSON, with Spanish keys (what the CLI prints and the API will serve).
    public var json: JSONValue {
        let s = summary
        func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            .init(key: "expediente", value: .string(s.caseId)),
            .init(key: "institucionQueRegistro", value: .string(s.registeringInstitution)),
            .init(key: "estado", value: .string(s.status)),
            .init(key: "motivoDeCierre", value: optional(s.closingReason)),
            .init(key: "validado", value: .bool(s.validated)),
            .init(key: "compartirConOtrasInstituciones", value: s.shareable.map(JSONValue.bool) ?? .null),
            .init(key: "contarEnEstadisticas", value: s.countsInStatistics.map(JSONValue.bool) ?? .null),
            .init(key: "datosPersonalesBorrados", value: .bool(s.personalDataErased)),
            .init(key: "datosPersonalesAbiertos", value: .bool(personalDataOpened)),
            .init(key: "version", value: .number(Double(s.version))),
            .init(key: "datosGenerales", value: generalData),
            .init(key: "victimizacion", value: victimisation ?? .null),
            .init(key: "canalizaciones", value: .array(referrals.map { referral in
                ["folio": .string(referral.folio), "fecha": .string(referral.date), "origen": .string(referral.from), "destino": .string(referral.to),
                 "estado": .string(referral.status), "fechaDeRespuesta": optional(referral.answeredOn)]
            })),
            .init(key: "instituciones", value: .array(institutions.map(JSONValue.string))),
            .init(key: "posiblesDuplicados", value: .array(possibleDuplicates.map(JSONValue.string))),
            .init(key: "lineaDeTiempo", value: .array(timeline.map { entry in
                ["posicion": .number(Double(entry.position)), "version": .number(Double(entry.version)), "evento": .string(entry.eventType),
                 "fecha": optional(entry.date), "institucion": .string(entry.institution), "datos": entry.details]
            })),
        ])
    }
}
