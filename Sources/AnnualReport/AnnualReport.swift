import CanonicalJSON
import Indicators
import Publications
import Reports
import Statistics

/// The inputs of the Comisión Intersecretarial's annual report for one year (SINTRA objective 9):
/// every module's records summarised per institution and nationally, compared with the year before,
/// the completeness review, the indicators annex and the public statistics released for the year.
public struct AnnualReport: Sendable {
    /// One report of the plan, run for the year and for the year before.
    public struct Table: Sendable {
        /// The report definition with the year's filter: `sintra reportes run` on it gives this table.
        public let definition: JSONValue
        public let result: ReportResult
        public let previous: ReportResult
        /// The module of the records counted, for `sintra registros list --modulo` (nil for people).
        public let module: String?

        /// The grand total of the year (people or records each once, or the sum).
        public var total: Double? { result.value(result.rows.count, result.columns.count) }
        public var previousTotal: Double? { previous.value(previous.rows.count, previous.columns.count) }
    }

    public struct Section: Sendable {
        public let key: String
        public let title: String
        public let tables: [Table]
    }

    /// Records of each module per institution, this year and the one before, against the institutions
    /// obliged to report (the members of the Comisión Intersecretarial in force that year).
    public struct Completeness: Sendable {
        public struct Module: Sendable {
            public let source: String
            public let module: String
            public let description: String
        }
        public struct Institution: Sendable {
            public let code: String
            public let label: String
            public let obliged: Bool
            /// Records per module (by source), in the year and the year before.
            public let counts: [String: (year: Int, previous: Int)]
            /// Modules an obliged institution recorded nothing in this year.
            public let missing: [String]
        }
        public let modules: [Module]
        public let institutions: [Institution]
        /// Obliged institutions missing at least one module.
        public var pending: [Institution] { institutions.filter { $0.obliged && !$0.missing.isEmpty } }
    }

    public let year: Int
    public let title: String
    public let description: String
    /// Computed on this day, with the projections at this log position.
    public let date: String
    public let position: Int64
    public let sections: [Section]
    public let completeness: Completeness
    public let indicators: [IndicatorResult]
    /// The last release of the public statistics that covers the year, as published (nil when none).
    public let statistics: (release: Publication, report: StatisticsReport)?
    /// From a SINTRA Capacitación database: every rendering says CAPACITACIÓN.
    public let training: Bool

    /// How to list the records behind a row of a table (an institution's records of the module in the year).
    public func recordsCommand(_ table: Table, institution: String? = nil) -> String? {
        guard let module = table.module else { return nil }
        return "sintra registros list --modulo \(module)" + (institution.map { " --institucion \($0)" } ?? "")
            + " --desde \(year)-01-01 --hasta \(year)-12-31"
    }
}
