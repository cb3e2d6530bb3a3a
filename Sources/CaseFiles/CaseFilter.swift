import Privacy
import Catalog

/// What a caseworker filters the list of case files by. Every field is optional; together they
/// narrow the list (AND). Values travel as query parameters, never as SQL text.
public struct CaseFilter: Sendable, Equatable {
    /// Cases this institution took part in: registered, recorded any event on, or received by referral.
    public var institution: String?
    /// Entidad / municipio where the person was detected (INEGI codes).
    public var entidad: String?
    public var municipio: String?
    /// `abierto` or `cerrado`.
    public var status: String?
    /// A modality of exploitation the victimisation documents (catalogue `modalidades`).
    public var modality: String?
    /// Detection date range, both ends included.
    public var detectedFrom: CalendarDate?
    public var detectedTo: CalendarDate?
    /// Only validated (or only pending) records.
    public var validated: Bool?

    // The caller's scope, set by the API from their permissions (never by the caller's own query):
    /// Cases registered by this institution, or referred to it (and not rejected) while their consent allows sharing.
    public var visibleToInstitution: String?
    /// Cases this user registered.
    public var registeredBy: String?
    /// Cases detected in this entidad.
    public var withinEntidad: String?

    /// Set by the searches (`find(name:within:)`, `find(curp:within:)`), never by a caller: only
    /// cases holding every one of these digests of this kind.
    var indexMatch: IndexMatch?

    public init(institution: String? = nil, entidad: String? = nil, municipio: String? = nil, status: String? = nil, modality: String? = nil,
                detectedFrom: CalendarDate? = nil, detectedTo: CalendarDate? = nil, validated: Bool? = nil) {
        self.institution = institution
        self.entidad = entidad
        self.municipio = municipio
        self.status = status
        self.modality = modality
        self.detectedFrom = detectedFrom
        self.detectedTo = detectedTo
        self.validated = validated
    }
}

/// Cases whose blind indexes of `kind` include all of `digests` (distinct): a search, as a filter,
/// so it is narrowed by the caller's scope and paged exactly as the list is.
struct IndexMatch: Sendable, Equatable {
    let kind: BlindIndex.Kind
    let digests: [[UInt8]]
}

/// One page of the list, newest registration first. `next` is the cursor for the following page
/// (nil on the last one): keyset pagination, so a page never repeats or skips a case while others
/// are being registered.
public struct CasePage: Sendable {
    public let cases: [CaseSummary]
    public let next: Int64?
}

/// A row of the list: no personal field, ever.
public struct CaseSummary: Sendable, Equatable {
    public let caseId: String
    public let registeringInstitution: String
    public let quality: String?
    public let sex: String?
    public let age: Int?
    public let nationality: String?
    public let entidad: String?
    public let municipio: String?
    public let detectedOn: CalendarDate
    public let status: String
    public let closingReason: String?
    public let modalities: [String]
    public let validated: Bool
    public let shareable: Bool?
    public let countsInStatistics: Bool?
    public let personalDataErased: Bool
    public let version: Int64
    /// Where the list is ordered and paged: the position of the registration.
    public let registeredAt: Int64
}
