import CanonicalJSON

public struct ReportCategory: Sendable, Equatable {
    public let code: String
    public let label: String
}

/// A computed report: the table with its totals, what it was computed from and the rule it states.
public struct ReportResult: Sendable {
    public let title: String
    public let source: String
    public let rowVariable: String
    public let columnVariable: String?
    public let filters: [(variable: String, values: [String])]
    public let measure: Measure
    public let mode: ReportMode
    public let rows: [ReportCategory]
    /// Empty when the report has no column variable: the table is then its totals column.
    public let columns: [ReportCategory]
    /// (rows + 1) × (columns + 1): the last row holds the column totals, the last column the row totals.
    public let grid: [[Double]]
    /// Entries suppressed for publication (all false in an internal report).
    public let hidden: [[Bool]]
    /// The log position the projection stood at, and the date (UTC) it was computed or, as of a past date, that date.
    public let position: Int64
    public let date: String
    public let asOf: String?
    public let rule: String
    /// True when one record or person can be in several rows or columns: the totals count them once.
    public let multiValued: Bool

    public func value(_ row: Int, _ column: Int) -> Double? { hidden[row][column] ? nil : grid[row][column] }

    /// The rule stated on every internal report.
    public static let internalRule = "Reporte interno para la Secretaría Técnica: cifras reales, sin supresión; no contiene datos personales y no debe publicarse así."
    public static let multiValuedNote = "Un registro o una persona puede estar en varias filas o columnas: los totales los cuentan una vez, no son la suma de las celdas."
}
