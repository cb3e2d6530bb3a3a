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
        /// The log positions of the events that made the value; empty when the reading did not ask for
        /// them (`IndicatorEngine.compute(provenance: false)`).
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

        /// The same value under another name or with other positions (a kept row's key named by its ficha,
        /// a reading without provenance).
        public func with(name: String? = nil, positions: [Int64]? = nil) -> VariableValue {
            VariableValue(key: key, name: name ?? self.name, value: value, positions: positions ?? self.positions, preliminary: preliminary,
                          breakdown: breakdown)
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

    /// The same figure without its variables' positions: what a reading without provenance gives.
    public func withoutPositions() -> IndicatorResult {
        var copy = IndicatorResult(id: id, definitionVersion: definitionVersion, name: name, year: year,
                                   variables: variables.map { $0.with(positions: []) },
                                   substitution: substitution, value: value, flag: flag, logPosition: logPosition, published: published)
        copy.alerts = alerts
        return copy
    }

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
/// results is one consistent picture of the log at `logPosition`. With `kept`, what was already
/// computed at that very position (`KeptIndicators`) is looked up instead of computed again, and
/// `keep` adds what this computation measured.
public struct IndicatorEngine: Sendable {
    public let indicators: [IndicatorDefinition]
    let pool: ConnectionPool
    let kept: KeptIndicators?

    public init(pool: ConnectionPool, indicators: [IndicatorDefinition], kept: KeptIndicators? = nil) {
        self.pool = pool
        self.indicators = indicators
        self.kept = kept
    }

    /// Where the tables the queries read live: the live projections, or a replay's schemas.
    public struct Source: Sendable {
        public let schemas: [String]
        /// The position those schemas stand at; nil = read it from `projection_state`.
        public let position: Int64?
        public static let live = Source(schemas: ["proj_hechos", "proj_expedientes"], position: nil)
        public init(schemas: [String], position: Int64?) { self.schemas = schemas; self.position = position }
    }

    /// `keep`: keep what is measured here (on the projector's pool, which may write the table), when
    /// the projections stand at one position — both at the same checkpoint, or a replay's copies.
    /// `provenance`: list each variable's positions (`VariableValue.positions`). Only readers that show
    /// or compare them ask: 2.3 and 3.3 name every attention they count, millions on a large log, and a
    /// kept reading without them stays one small lookup however long the log grows (issue 21).
    public func compute(years: [Int], source: Source = .live, today: CalendarDate, only ids: Set<String>? = nil,
                        keep: Bool = false, provenance: Bool = true) async throws -> [IndicatorResult] {
        try await run(years: years, source: source, today: today, only: ids, keep: keep, keptOnly: false, provenance: provenance) ?? []
    }

    /// The figures at `position` if every one of them was kept there (`KeptIndicators`), else nil:
    /// how an as-of answer skips replaying the projections when the position was computed before.
    public func kept(at position: Int64, years: [Int], today: CalendarDate, only ids: Set<String>? = nil,
                     provenance: Bool = true) async throws -> [IndicatorResult]? {
        guard kept != nil else { return nil }
        return try await run(years: years, source: Source(schemas: ["public"], position: position), today: today, only: ids, keep: false,
                             keptOnly: true, provenance: provenance)
    }

    private func run(years: [Int], source: Source, today: CalendarDate, only ids: Set<String>?, keep: Bool,
                     keptOnly: Bool, provenance: Bool) async throws -> [IndicatorResult]? {
        let chosen = indicators.filter { ids?.contains($0.id) ?? true }
        let (results, position, measured): ([IndicatorResult]?, Int64, [KeptIndicators.Slot: [Measurement]]) = try await pool.withConnection { connection in
            _ = try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            do {
                _ = try await connection.query("SELECT set_config('search_path', $1, true)",
                                               [.text(source.schemas.map(SQLIdentifier.quote).joined(separator: ", "))])
                let position: Int64
                // Kept figures are read and written only where the projections stand at one position: live
                // `hechos` ahead of `expedientes` would be a picture of no position of the log.
                let atOnePosition: Bool
                if let fixed = source.position {
                    position = fixed
                    atOnePosition = true
                } else {
                    let standing = try await Self.livePosition(connection)
                    position = standing.position
                    atOnePosition = standing.atOnePosition
                }
                let keys = Dictionary(chosen.map { ($0.id, kept?.key($0) ?? []) }, uniquingKeysWith: { first, _ in first })
                let found = atOnePosition
                    ? try await kept?.load(position: position, keys: Array(keys.values), years: years, positions: provenance, connection) ?? [:] : [:]
                var results: [IndicatorResult] = []
                var measured: [KeptIndicators.Slot: [Measurement]] = [:]
                for indicator in chosen {
                    for year in years {
                        guard year >= indicator.baselineYear else {
                            results.append(evaluate(indicator, year: year, [], position: position, today: today))
                            continue
                        }
                        let slot = KeptIndicators.Slot(key: keys[indicator.id] ?? [], year: year)
                        let measurements: [Measurement]
                        if let hit = found[slot], hit.map(\.value.key) == indicator.variables.map(\.key) {
                            measurements = zip(hit, indicator.variables).map { $0.named($1.name) }
                        } else if keptOnly {
                            _ = try await connection.query("ROLLBACK")
                            return (nil, position, [:])
                        } else {
                            measurements = try await measure(indicator, year: year, connection)
                            if keep && atOnePosition && kept != nil { measured[slot] = measurements }
                        }
                        let result = evaluate(indicator, year: year, measurements, position: position, today: today)
                        results.append(provenance ? result : result.withoutPositions())
                    }
                }
                _ = try await connection.query("COMMIT")
                return (results, position, measured)
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
        }
        // Keeping only saves a later reading the SQL: a reading never fails because keeping did (the row
        // is simply computed again next time).
        if let kept, !measured.isEmpty {
            try? await kept.store(measured, position: position, replacingEarlierToday: source.position == nil, pool: pool)
        }
        return results
    }

    /// Where the live projections the fichas read stand: the lesser of their checkpoints, and whether
    /// both stand there (only then are they a picture of one position of the log, which kept figures need).
    public static func livePosition(_ connection: PostgresConnection) async throws -> (position: Int64, atOnePosition: Bool) {
        let row = try await connection.query("""
            SELECT coalesce(min(position), 0), coalesce(max(position), 0), count(*)
              FROM public.projection_state WHERE name IN ('hechos', 'expedientes')
            """).first
        let position = try row?.decode(Int64.self, 0) ?? 0
        return (position, try row?.decode(Int64.self, 2) == 2 && row?.decode(Int64.self, 1) == position)
    }

    /// Runs each variable's query of `indicator` for `year`.
    private func measure(_ indicator: IndicatorDefinition, year: Int, _ connection: PostgresConnection) async throws -> [Measurement] {
        let first = indicator.isCumulative ? indicator.baselineYear : year
        var measurements: [Measurement] = []
        for variable in indicator.variables {
            let rows = try await connection.query(SQL(repositoryFile: """
                SELECT (q.valor)::float8, coalesce(array_to_string(q.posiciones, ','), ''),
                       coalesce((to_jsonb(q)->>'preliminar')::boolean, false), (to_jsonb(q)->'desglose')::text,
                       to_jsonb(q)->>'motivo'
                  FROM (\(variable.query)) q
                """), [.int32(Int32(year)), .int32(Int32(first))])
            let row = rows.first
            measurements.append(try Measurement(key: variable.key, name: variable.name, value: try row?.decode(Double?.self, 0),
                                                positions: try row?.decode(String.self, 1) ?? "", preliminary: try row?.decode(Bool.self, 2) ?? false,
                                                breakdown: try row?.decode(String?.self, 3) ?? nil, reason: try row?.decode(String?.self, 4) ?? nil))
        }
        return measurements
    }

    /// The figure from its variables: the formula, the substitution as the annex writes it, and the flags.
    private func evaluate(_ indicator: IndicatorDefinition, year: Int, _ measurements: [Measurement], position: Int64,
                          today: CalendarDate) -> IndicatorResult {
        func result(_ variables: [IndicatorResult.VariableValue], _ substitution: String, _ value: Double?, _ flag: IndicatorResult.Flag?) -> IndicatorResult {
            IndicatorResult(id: indicator.id, definitionVersion: indicator.version, name: indicator.name, year: year, variables: variables,
                            substitution: substitution, value: value, flag: flag, logPosition: position, published: indicator.published[year])
        }
        guard year >= indicator.baselineYear else {
            return result([], "\(indicator.formulaKey)=NA (antes del año de la línea base, \(indicator.baselineYear))", nil, .notApplicable)
        }
        let variables = measurements.map(\.value)
        // A query may say why its value is missing (`motivo`: «sin reportes de 2023»): the reader gets that, not «faltan datos».
        let missingReasons = measurements.compactMap { measurement in
            measurement.value.value == nil ? measurement.reason.map { "\(measurement.value.key): \($0)" } : nil
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
