import CanonicalJSON
import Catalog
import Foundation
import Postgres

/// One indicator for one year, with everything needed to check and reproduce it.
public struct IndicatorResult: Sendable, Equatable {
    public enum Flag: String, Sendable {
        /// Before the baseline year, or not due that year.
        case notApplicable = "NA"
        /// Data missing, or a zero denominator: never a silent 0.
        case notAvailable = "ND"
        /// Computed before the ficha's month of availability of the following year, or from records not yet validated.
        case preliminary = "p/"
    }

    public struct VariableValue: Sendable, Equatable {
        public let key: String
        public let name: String
        public let value: Double?
        /// The log positions of the events that made the value.
        public let positions: [Int64]
        public let preliminary: Bool
        /// What the ficha promises beside the figure (institutions counted and not counted, by aspect,
        /// by sector, by level…): the query's optional `desglose` column, shown as it came.
        public let breakdown: JSONValue?

        public init(key: String, name: String, value: Double?, positions: [Int64], preliminary: Bool, breakdown: JSONValue? = nil) {
            self.key = key
            self.name = name
            self.value = value
            self.positions = positions
            self.preliminary = preliminary
            self.breakdown = breakdown
        }
    }

    /// Why a figure needs a second look even though it is computed correctly. Not a PNTdP flag
    /// (NA, ND, p/ are the annex's own): a value above 100 is shown as computed, never capped,
    /// and the reader is told what it means.
    public enum Alert: String, Sendable {
        case aboveHundred = "supera-100"

        public var message: String {
            switch self {
            case .aboveHundred:
                "supera 100: se muestra sin recortar; en un porcentaje de avance significa más de lo programado "
                    + "(corresponde registrar un nuevo valor programado o universo, no recortar el resultado)"
            }
        }
    }

    public let id: String
    public let definitionVersion: Int
    public let name: String
    public let year: Int
    public let variables: [VariableValue]
    /// `PEPC=(2/6)*100 = 33.33`, as in the annex.
    public let substitution: String
    public let value: Double?
    public let flag: Flag?
    /// The last log position the projections had applied when this was computed.
    public let logPosition: Int64
    public let published: String?
    /// Signals beside the flag (see `Alert`); empty for most figures.
    public var alerts: [Alert] = []

    /// The figure as the annex prints it: `33.33`, `66.67 p/`, `NA`, `ND`.
    public var display: String {
        switch flag {
        case .notApplicable: return "NA"
        case .notAvailable: return "ND"
        case .preliminary: return value.map { IndicatorEngine.format($0) + " p/" } ?? "ND"
        case nil: return value.map(IndicatorEngine.format) ?? "ND"
        }
    }
}

/// Computes the fichas over the projections (live, or a replay's scratch schemas for "as of").
///
/// All variables of all indicators are read in one REPEATABLE READ transaction, so a set of
/// results is one consistent picture of the log at `logPosition`.
public struct IndicatorEngine: Sendable {
    public let indicators: [IndicatorDefinition]
    let pool: ConnectionPool

    public init(pool: ConnectionPool, indicators: [IndicatorDefinition]) {
        self.pool = pool
        self.indicators = indicators
    }

    /// Where the tables the queries read live: the live projections, or a replay's schemas.
    public struct Source: Sendable {
        public let schemas: [String]
        /// The position those schemas stand at; nil = read it from `projection_state`.
        public let position: Int64?
        public static let live = Source(schemas: ["proj_hechos", "proj_expedientes"], position: nil)
        public init(schemas: [String], position: Int64?) { self.schemas = schemas; self.position = position }
    }

    public func compute(years: [Int], source: Source = .live, today: CalendarDate, only ids: Set<String>? = nil) async throws -> [IndicatorResult] {
        try await pool.withConnection { connection in
            _ = try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            do {
                _ = try await connection.query("SELECT set_config('search_path', $1, true)",
                                               [.text(source.schemas.map(SQLIdentifier.quote).joined(separator: ", "))])
                let position: Int64
                if let fixed = source.position {
                    position = fixed
                } else {
                    position = try await connection.query("""
                        SELECT coalesce(min(position), 0) FROM public.projection_state WHERE name IN ('hechos', 'expedientes')
                        """).first?.decode(Int64.self, 0) ?? 0
                }
                var results: [IndicatorResult] = []
                for indicator in indicators where ids?.contains(indicator.id) ?? true {
                    for year in years {
                        results.append(try await compute(indicator, year: year, position: position, today: today, connection))
                    }
                }
                _ = try await connection.query("COMMIT")
                return results
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
        }
    }

    private func compute(_ indicator: IndicatorDefinition, year: Int, position: Int64, today: CalendarDate,
                         _ connection: PostgresConnection) async throws -> IndicatorResult {
        func result(_ variables: [IndicatorResult.VariableValue], _ substitution: String, _ value: Double?, _ flag: IndicatorResult.Flag?) -> IndicatorResult {
            IndicatorResult(id: indicator.id, definitionVersion: indicator.version, name: indicator.name, year: year, variables: variables,
                            substitution: substitution, value: value, flag: flag, logPosition: position, published: indicator.published[year])
        }
        guard year >= indicator.baselineYear else {
            return result([], "\(indicator.formulaKey)=NA (antes del año de la línea base, \(indicator.baselineYear))", nil, .notApplicable)
        }
        let first = indicator.isCumulative ? indicator.baselineYear : year
        var variables: [IndicatorResult.VariableValue] = []
        var missingReasons: [String] = []
        for variable in indicator.variables {
            let rows = try await connection.query(SQL(repositoryFile: """
                SELECT (q.valor)::float8, coalesce(array_to_string(q.posiciones, ','), ''),
                       coalesce((to_jsonb(q)->>'preliminar')::boolean, false), (to_jsonb(q)->'desglose')::text,
                       to_jsonb(q)->>'motivo'
                  FROM (\(variable.query)) q
                """), [.int32(Int32(year)), .int32(Int32(first))])
            let row = rows.first
            let value = try row?.decode(Double?.self, 0)
            let positions = (try row?.decode(String.self, 1) ?? "").split(separator: ",").compactMap { Int64($0) }
            let breakdown = try (row?.decode(String?.self, 3)).flatMap { $0 }.flatMap { try? CanonicalJSON.parse($0) }
            variables.append(.init(key: variable.key, name: variable.name, value: value, positions: positions,
                                   preliminary: try row?.decode(Bool.self, 2) ?? false, breakdown: breakdown?.isNull == true ? nil : breakdown))
            // A query may say why its value is missing (`motivo`: «sin reportes de 2023»): the reader gets that, not «faltan datos».
            if value == nil, let reason = try row?.decode(String?.self, 4) ?? nil { missingReasons.append("\(variable.key): \(reason)") }
        }
        var values: [String: Double] = [:]
        for variable in variables { if let value = variable.value { values[variable.key] = value } }
        let substituted = Formula.substitute(indicator.formulaText, values, Self.format)
        guard let raw = indicator.formula.evaluate(values) else {
            let why = !missingReasons.isEmpty ? missingReasons.joined(separator: "; ")
                : variables.contains { $0.value == nil } ? "faltan datos" : "denominador cero"
            return result(variables, "\(indicator.formulaKey)=\(substituted) = ND (\(why))", nil, .notAvailable)
        }
        let value = (raw * 100).rounded() / 100
        let availableOn = CalendarDate(String(format: "%04d-%02d-01", year + 1, indicator.availabilityMonth))!
        let preliminary = today < availableOn || variables.contains { $0.preliminary }
        var computed = result(variables, "\(indicator.formulaKey)=\(substituted) = \(Self.format(value))", value, preliminary ? .preliminary : nil)
        // events/README.md rule 5: a percentage above 100 is shown as computed and flagged.
        if indicator.unit == "Porcentaje" && value > 100 { computed.alerts.append(.aboveHundred) }
        return computed
    }

    /// At most two decimals, without trailing zeros: 33.33, 100, 0.5.
    public static func format(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int64(rounded)) }
        var text = String(format: "%.2f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
