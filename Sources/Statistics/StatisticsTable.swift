/// A code from a catalogue with its Spanish label: a row (category) or a column (entidad) of a table.
public struct Category: Sendable, Equatable, Hashable {
    public let code: String
    public let label: String
    public init(code: String, label: String) { self.code = code; self.label = label }
}

/// One published table: categories × entidades for one year, with row, column and grand totals,
/// after disclosure control.
public struct StatisticsTable: Sendable {
    /// Stable identifier, also the CSV `tabla` value: `personas-por-sexo`.
    public let id: String
    public let title: String
    /// What a cell counts: `personas`, `atenciones`, `operativos`…
    public let unit: String
    /// The variable of the rows, as a column name of the CSV: `sexo`.
    public let variable: String
    /// A person (or an event) may fall in several rows: the totals count them once.
    public let multiValued: Bool
    /// Tables of a year with the same `group` share their column totals (see `Suppression`).
    public let group: String
    public let note: String?
    public let year: Int
    public let rows: [Category]
    public let columns: [Category]
    /// (rows + 1) × (columns + 1): the last row holds the column totals, the last column the row totals.
    public let grid: [[Int]]
    public var hidden: [[Bool]]

    /// The published value of an entry, nil when suppressed.
    public func published(_ row: Int, _ column: Int) -> Int? { hidden[row][column] ? nil : grid[row][column] }
}

/// The tables of one year, or of several, as computed at one log position.
public struct StatisticsReport: Sendable {
    public let years: [Int]
    public let tables: [StatisticsTable]
    public let threshold: Int
    /// The last log position the projection had applied when read.
    public let logPosition: Int64
    /// The age-band catalogue of the age table.
    public let ageBands: String
    /// Computed from a SINTRA Capacitación database: every rendering says CAPACITACIÓN.
    public let training: Bool

    public init(years: [Int], tables: [StatisticsTable], threshold: Int, logPosition: Int64, ageBands: String, training: Bool = false) {
        self.years = years
        self.tables = tables
        self.threshold = threshold
        self.logPosition = logPosition
        self.ageBands = ageBands
        self.training = training
    }

    /// The rule, in one sentence, printed on every output.
    public var rule: String { Self.rule(threshold: threshold) }

    public static func rule(threshold: Int) -> String {
        "Para proteger la confidencialidad, toda cifra de 1 a \(threshold) se suprime (se publica vacía y marcada como suprimida), "
            + "y también se suprimen las cifras y los totales necesarios para que ninguna cifra suprimida pueda acotarse, "
            + "con todo lo publicado en la entrega, a un intervalo de amplitud menor que \(threshold)."
    }

    public static let combinationNote = "Cada persona está en una sola fila: quien tiene varios valores, en la de su combinación («A y B»: "
        + "los dos a la vez, como «ambas» en las tablas del programa estatal); así las filas suman el total y ninguna coincidencia se deduce por diferencia."
    public static let seriesNote = "No se publican totales de varios años: cada año es una tabla independiente, para que ninguna cifra suprimida pueda deducirse por diferencia."

    public func restricted(to year: Int) -> StatisticsReport {
        StatisticsReport(years: [year], tables: tables.filter { $0.year == year }, threshold: threshold, logPosition: logPosition, ageBands: ageBands, training: training)
    }
}

/// The cells a release suppressed, by year, table, row code and column code (`total` for totals):
/// what a later release of the same year must keep suppressed.
public struct SuppressedCells: Sendable, Equatable {
    public private(set) var keys: Set<String> = []

    public init() {}

    /// Every hidden cell of `report`.
    public init(_ report: StatisticsReport) {
        for table in report.tables {
            let rows = table.rows.map(\.code) + ["total"], columns = table.columns.map(\.code) + ["total"]
            for (r, row) in rows.enumerated() {
                for (c, column) in columns.enumerated() where table.hidden[r][c] { insert(table.year, table.id, row, column) }
            }
        }
    }

    public mutating func insert(_ year: Int, _ table: String, _ row: String, _ column: String) {
        keys.insert("\(year)|\(table)|\(row)|\(column)")
    }

    public func contains(_ year: Int, _ table: String, _ row: String, _ column: String) -> Bool {
        keys.contains("\(year)|\(table)|\(row)|\(column)")
    }

    /// The mask of `table` (same shape as its grid) with the cells kept suppressed.
    func mask(of table: StatisticsTable) -> [[Bool]] {
        let rows = table.rows.map(\.code) + ["total"], columns = table.columns.map(\.code) + ["total"]
        return rows.map { row in columns.map { contains(table.year, table.id, row, $0) } }
    }

    public var count: Int { keys.count }

    public mutating func formUnion(_ other: SuppressedCells) { keys.formUnion(other.keys) }
}

/// Accumulates counts for one table before disclosure control.
struct TableAccumulator {
    private(set) var cells: [String: [String: Int]] = [:]
    private(set) var columnTotals: [String: Int] = [:]
    private(set) var grandTotal = 0
    private(set) var rowTotals: [String: Int] = [:]

    /// One unit (a person, an event) in `column`, in each of `rows` (repeats count once): the totals count it once.
    mutating func add(rows: [String], column: String, weight: Int = 1) {
        for row in Set(rows) {
            cells[row, default: [:]][column, default: 0] += weight
            rowTotals[row, default: 0] += weight
        }
        columnTotals[column, default: 0] += weight
        grandTotal += weight
    }

    /// Amounts that split one total into parts (participants by sex): the totals are the sums.
    mutating func add(row: String, column: String, amount: Int) {
        guard amount > 0 else { return }
        add(rows: [row], column: column, weight: amount)
    }

    /// The grid over `rows` (ordered) and `columns`.
    func grid(rows: [String], columns: [String]) -> [[Int]] {
        var grid = rows.map { row in columns.map { cells[row]?[$0] ?? 0 } + [rowTotals[row] ?? 0] }
        grid.append(columns.map { columnTotals[$0] ?? 0 } + [grandTotal])
        return grid
    }
}
