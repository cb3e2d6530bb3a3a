/// One case file as the `estadisticas` projection keeps it: catalogue codes and state, nothing personal.
public struct CaseRecord: Sendable, Equatable {
    public var id: String
    public var registeredAt: Int64
    public var year: Int
    public var entidad: String?
    public var calidad: String?
    public var sexo: String?
    /// Age at detection, in years; the tables group it with an age-band catalogue.
    public var age: Int?
    public var civilStatus: String?
    public var nationality: String?
    public var migratoryStatus: String?
    public var origin: String?
    public var documented: Bool
    public var modalities: [String]
    public var recruitment: [String]
    public var transport: [String]
    public var routeOrigin: String?
    public var routeDestination: String?
    public var crossing: Bool?
    public var crossingCountry: String?
    /// The stream version of the last event that set a statistical attribute.
    public var statisticalVersion: Int64
    public var validatedVersion: Int64?
    public var consent: Bool?
    public var consentPosition: Int64?

    /// Validated, and nothing that changes its figures (a correction, a later documentation) since.
    public var isValidated: Bool { validatedVersion.map { $0 >= statisticalVersion } ?? false }
}

/// Two case files declared the same person (or, if `samePerson` is false, different people).
public struct CaseLink: Sendable, Equatable {
    public let a: String
    public let b: String
    public let samePerson: Bool
}

/// A person as the statistics count them: the validated cases that describe them, the first
/// registered one representing them.
public struct Person: Sendable {
    /// Validated cases, in registration order; never empty.
    public let cases: [CaseRecord]
    public var representative: CaseRecord { cases[0] }
    public var year: Int { representative.year }
    public var entidad: String? { representative.entidad }

    /// A single-valued attribute: from the first case that recorded it.
    public func first(_ attribute: (CaseRecord) -> String?) -> String? { cases.lazy.compactMap(attribute).first }

    /// A multi-valued attribute: everything any of the cases documented.
    public func union(_ attribute: (CaseRecord) -> [String]) -> [String] {
        var seen: Set<String> = []
        return cases.flatMap(attribute).filter { seen.insert($0).inserted }
    }

    /// The route and the border crossing come from the first case that documented the victimisation,
    /// so that origin, destination and crossing stay one consistent account.
    public var documentation: CaseRecord? { cases.first { $0.documented } }
}

/// Counting people, not registrations.
public enum People {
    /// The qualities the statistics count: victims and possible victims (not witnesses nor indirect victims).
    public static let countedQualities: Set<String> = ["victima", "posible-victima"]

    /// Groups cases into people through the same-person links (transitively), and keeps those who
    /// may be counted: the latest consent recorded in any of their cases does not say no, and at least
    /// one of their cases of a counted quality is validated. Only such validated cases describe them.
    ///
    /// The rule (README "Who is counted") is the one the fichas read from the view
    /// `expedientes_contables`: public figures are anonymous aggregates, which need no consent (sharing
    /// a case with another institution does), so only an explicit "no" leaves a person out; and a case
    /// counts only while its validation covers its documentation and every correction.
    public static func resolve(cases: [CaseRecord], links: [CaseLink]) -> [Person] {
        var parent: [String: String] = [:]
        func root(_ id: String) -> String {
            var node = id
            while let next = parent[node], next != node { node = next }
            var walk = id
            while let next = parent[walk], next != node { parent[walk] = node; walk = next }
            return node
        }
        for link in links where link.samePerson {
            let (x, y) = (root(link.a), root(link.b))
            if x != y { parent[max(x, y)] = min(x, y) }
        }
        let groups = Dictionary(grouping: cases) { root($0.id) }
        var people: [Person] = []
        for (_, group) in groups {
            let latestConsent = group.filter { $0.consentPosition != nil }.max { $0.consentPosition! < $1.consentPosition! }
            // No consent record counts: only an explicit refusal (contarEnEstadisticas false) leaves the person out.
            guard latestConsent?.consent != false else { continue }
            let counted = group.filter { $0.isValidated && countedQualities.contains($0.calidad ?? "") }
                .sorted { $0.registeredAt < $1.registeredAt }
            if !counted.isEmpty { people.append(Person(cases: counted)) }
        }
        return people.sorted { $0.representative.registeredAt < $1.representative.registeredAt }
    }
}
