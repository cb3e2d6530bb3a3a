import CanonicalJSON
import Catalog
import Postgres

/// A `PublicacionRealizada` as read back from the log: what was published, computed at which
/// position, with which definitions, and (for the indicators annex) every figure as printed.
public struct Publication: Sendable {
    public enum Kind: String, Sendable {
        case indicatorsAnnex = "anexo-de-indicadores"
        case statistics = "estadisticas-publicas"
    }

    public struct Figure: Sendable, Equatable {
        public let indicator: String
        public let year: Int
        /// `33.33`; nil when the flag is NA or ND.
        public let result: String?
        public let flag: String?
        public let substitution: String

        /// As the annex prints it: `33.33`, `66.67 p/`, `NA`, `ND`.
        public var display: String {
            switch (result, flag) {
            case let (value?, flag?): "\(value) \(flag)"
            case let (value?, nil): value
            case let (nil, flag?): flag
            case (nil, nil): "ND"
            }
        }
    }

    /// The publication's stream (`publicacion-…`) and the position of its event.
    public let streamId: String
    public let position: Int64
    public let date: CalendarDate
    public let institution: String
    public let kind: Kind
    public let years: [Int]
    /// The last log position the published figures take into account.
    public let logPosition: Int64
    public let definitions: [(key: String, version: Int)]
    public let threshold: Int?
    public let figures: [Figure]
    /// SHA-256 (hex) of the published JSON document.
    public let fingerprint: String

    /// Every publication in the log, oldest first.
    public static func all(_ pool: ConnectionPool) async throws -> [Publication] {
        try await pool.query("""
            SELECT stream_id, position, payload::text FROM publicaciones ORDER BY position
            """).map { row in
            try decode(streamId: try row.decode(String.self, 0), position: try row.decode(Int64.self, 1),
                       payload: try CanonicalJSON.parse(try row.decode(String.self, 2)))
        }
    }

    /// The latest publication of `kind`, through the partial index of migration 0015 (no scan of the log).
    public static func latest(_ kind: Kind, _ pool: ConnectionPool) async throws -> Publication? {
        let rows = try await pool.query("""
            SELECT stream_id, position, payload::text FROM publicaciones
             WHERE payload->>'tipo' = $1 ORDER BY position DESC LIMIT 1
            """, [.text(kind.rawValue)])
        return try rows.first.map { row in
            try decode(streamId: try row.decode(String.self, 0), position: try row.decode(Int64.self, 1),
                       payload: try CanonicalJSON.parse(try row.decode(String.self, 2)))
        }
    }

    /// The latest publication of `kind` that covers `year`.
    public static func latest(_ kind: Kind, covering year: Int, _ pool: ConnectionPool) async throws -> Publication? {
        try await all(pool).last { $0.kind == kind && $0.years.contains(year) }
    }

    /// The payload of `registrar-publicacion`: the inverse of `decode`.
    var payload: JSONValue {
        var members: [JSONMember] = [
            .init(key: "fecha", value: .string(date.description)), .init(key: "institucion", value: .string(institution)),
            .init(key: "tipo", value: .string(kind.rawValue)), .init(key: "anios", value: .array(years.map { .number(Double($0)) })),
            .init(key: "posicionDelRegistro", value: .number(Double(logPosition))),
            .init(key: "definiciones", value: .array(definitions.map { ["clave": .string($0.key), "version": .number(Double($0.version))] })),
            .init(key: "huella", value: .string(fingerprint)),
        ]
        if let threshold { members.append(.init(key: "umbral", value: .number(Double(threshold)))) }
        if kind == .indicatorsAnnex {
            members.append(.init(key: "cifras", value: .array(figures.map { figure in
                var item: [JSONMember] = [.init(key: "indicador", value: .string(figure.indicator)),
                                          .init(key: "anio", value: .number(Double(figure.year))),
                                          .init(key: "sustitucion", value: .string(figure.substitution))]
                if let result = figure.result { item.append(.init(key: "resultado", value: .string(result))) }
                if let flag = figure.flag { item.append(.init(key: "bandera", value: .string(flag))) }
                return .object(item)
            })))
        }
        return .object(members)
    }

    static func decode(streamId: String, position: Int64, payload: JSONValue) throws -> Publication {
        guard let date = payload["fecha"]?.stringValue.flatMap(CalendarDate.init), let kind = payload["tipo"]?.stringValue.flatMap(Kind.init),
              let logPosition = payload["posicionDelRegistro"]?.int64Value, let fingerprint = payload["huella"]?.stringValue else {
            throw PublicationError.unreadable(streamId)
        }
        return Publication(
            streamId: streamId, position: position, date: date, institution: payload["institucion"]?.stringValue ?? "", kind: kind,
            years: (payload["anios"]?.arrayValue ?? []).compactMap { $0.int64Value.map(Int.init) }, logPosition: logPosition,
            definitions: (payload["definiciones"]?.arrayValue ?? []).compactMap { item in
                guard let key = item["clave"]?.stringValue, let version = item["version"]?.int64Value else { return nil }
                return (key, Int(version))
            },
            threshold: payload["umbral"]?.int64Value.map(Int.init),
            figures: (payload["cifras"]?.arrayValue ?? []).compactMap { item in
                guard let indicator = item["indicador"]?.stringValue, let year = item["anio"]?.int64Value,
                      let substitution = item["sustitucion"]?.stringValue else { return nil }
                return Figure(indicator: indicator, year: Int(year), result: item["resultado"]?.stringValue, flag: item["bandera"]?.stringValue,
                              substitution: substitution)
            },
            fingerprint: fingerprint)
    }
}

public enum PublicationError: Error, CustomStringConvertible, Sendable {
    case unreadable(String)
    case notFound(String)
    case missingProjections
    /// A release the rules do not allow (README "Releases"), with the reason in Spanish.
    case refused(String)

    public var description: String {
        switch self {
        case .unreadable(let stream): "la publicación «\(stream)» no se puede leer"
        case .notFound(let what): "no hay publicación \(what)"
        case .missingProjections: "faltan las proyecciones hechos y expedientes, que leen los indicadores"
        case .refused(let reason): "no se publica: \(reason)"
        }
    }
}
