import CanonicalJSON

/// One code list (catálogo) from `events/catalogs/`: the codes an event field may take.
///
/// A code is valid within `[vigenteDesde, vigenteHasta)`. A retired code keeps the events
/// recorded while it was valid valid: validation asks "was this code valid on the event's
/// date?", never "is it valid today?".
public struct Catalog: Sendable {
    public let id: String
    public let name: String
    public let description: String
    public let source: String
    public let internationalStandard: String?
    /// How the codes were checked against their published source, if they were.
    public let verification: CatalogVerification?
    /// Extra keys the values carry, with what each means.
    public let fields: [String: String]
    public let values: [CatalogValue]
    private let index: [String: Int]

    init(id: String, name: String, description: String, source: String, internationalStandard: String?,
         verification: CatalogVerification? = nil, fields: [String: String], values: [CatalogValue]) {
        self.id = id
        self.name = name
        self.description = description
        self.source = source
        self.internationalStandard = internationalStandard
        self.verification = verification
        self.fields = fields
        self.values = values
        self.index = Dictionary(values.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func value(_ code: String) -> CatalogValue? {
        index[code].map { values[$0] }
    }

    /// The value with this code if it was in force on `date`.
    public func value(_ code: String, on date: CalendarDate) -> CatalogValue? {
        guard let value = value(code), value.isValid(on: date) else { return nil }
        return value
    }
}

/// A catalogue's `verificacion`: the published source its codes were compared with, so a reader
/// can tell a checked list from a transcription from memory, and re-check it against a newer edition.
public struct CatalogVerification: Sendable, Equatable {
    public let source: String
    public let version: String?
    /// When that edition of the source was published.
    public let published: CalendarDate
    /// When the catalogue was compared with it.
    public let checked: CalendarDate
    public let result: String
}

public struct CatalogValue: Sendable {
    public let code: String
    public let label: String
    public let validFrom: CalendarDate
    /// The first day the code may no longer be used; nil while in force.
    public let validUntil: CalendarDate?
    /// The equivalent code in the catalogue's international standard (ISO 3166, CTDC…), if any.
    public let internationalCode: String?
    /// The catalogue's declared extra keys (`clasificacion`, `nivelDeGobierno`, …).
    public let extra: [String: JSONValue]

    public func isValid(on date: CalendarDate) -> Bool {
        validFrom <= date && (validUntil.map { date < $0 } ?? true)
    }
}
