import CanonicalJSON
import Demo
import Statistics
import TestDatabase
import Testing

/// Disclosure control on hand-made and random tables, checked by the attacker's audit (scipy's LP
/// solver, `ops/audit-suppression.py`, on the document as published) and by exact linear algebra.
@Suite struct SuppressionTests {
    /// A grid with its totals from inner cells.
    static func grid(_ inner: [[Int]]) -> [[Int]] {
        var grid = inner.map { $0 + [$0.reduce(0, +)] }
        let columns = inner.first?.count ?? 0
        grid.append((0...columns).map { column in grid.reduce(0) { $0 + $1[column] } })
        return grid
    }

    /// The attack of issue 14: a column total of 30 with 15 and 13 published leaves two suppressed
    /// cells adding to 2; each listed row has at least one person, so each is exactly 1. Also the
    /// two small nationalities (Belize 1, Cuba 1) that only protected each other. At every
    /// threshold the issue tried, the release now leaves each of them a range at least the
    /// threshold wide.
    @Test(arguments: [1, 2, 3, 5, 10]) func smallCellsThatOnlyProtectedEachOtherAreNoLongerExact(threshold: Int) async throws {
        let column = Self.grid([[15, 22], [13, 18], [1, 0], [1, 0], [0, 14]])
        let nationalities = Self.grid([[40, 35, 52], [14, 12, 16], [1, 0, 0], [0, 1, 0]])
        for table in [column, nationalities] {
            let hidden = Suppression.protect([table], threshold: threshold)
            for (r, row) in table.enumerated() {
                for (c, value) in row.enumerated() where (1...threshold).contains(value) { #expect(hidden[0][r][c], "primaria") }
            }
            let audit = try await AttackerAudit.run([AttackerAudit.document([table], hidden, threshold: threshold)])
            #expect(audit.failures.isEmpty, "\(audit): \(audit.failures.prefix(3))")
            // The integer attacker (a MILP: counts are whole numbers) does no better.
            let integers = try await AttackerAudit.run([AttackerAudit.document([table], hidden, threshold: threshold)], integers: true)
            #expect(integers.failures.isEmpty, "\(integers)")
            #expect(audit.suppressed >= 2 && (audit.narrowestWidth ?? .infinity) >= Double(threshold), "\(audit)")
            #expect(Suppression.isProtected([Suppression.Table(grid: table)], hidden: hidden, level: threshold))
        }
    }

    @Test func nothingIsHiddenWhenNoFigureIsSmallAndZerosArePublished() {
        let table = Self.grid([[0, 12, 30], [11, 0, 25]])
        #expect(Suppression.protect([table], threshold: 10)[0].allSatisfy { $0.allSatisfy { !$0 } })
    }

    @Test func aSmallTotalIsHiddenTooAndProtected() async throws {
        // Row 0 sums to 7: its total is itself primary; the figures of that row are 3 and 4.
        let table = Self.grid([[3, 4, 0], [15, 22, 31], [40, 18, 27]])
        let hidden = Suppression.protect([table], threshold: 10)
        #expect(hidden[0][0][3] && hidden[0][0][0] && hidden[0][0][1])
        #expect(Self.recoverable([table], hidden).isEmpty)
        let audit = try await AttackerAudit.run([AttackerAudit.document([table], hidden, threshold: 10)])
        #expect(audit.failures.isEmpty, "\(audit)")
    }

    /// Property: for random tables, alone or in groups sharing their totals row, at random
    /// thresholds, every figure from 1 to the threshold is hidden, the shared totals are hidden alike
    /// in every table, the LP attacker (scipy) finds every hidden figure's interval at least the
    /// threshold wide, and each interval contains the range `Suppression` witnessed (its witnesses
    /// are tables the attacker cannot rule out, so the LP must not rule them out either).
    @Test(arguments: 1...6) func randomTablesPassTheAttackersAudit(seed: UInt64) async throws {
        var random = SeededRandom(seed: seed)  // the demo's generator: the same tables on every machine
        var documents: [String] = []
        var witnessed: [(document: Int, table: Int, row: Int, column: Int, range: ClosedRange<Int>)] = []
        for _ in 0..<25 {
            let rows = random.int(1...5), columns = random.int(1...5), tables = random.int(1...3)
            let threshold = random.int(1...10)
            // Tables of a group split the same people by different variables: same column totals.
            let columnTotals = (0..<columns).map { _ in random.int(0...4) == 0 ? 0 : random.int(1...40) }
            let grids: [[[Int]]] = (0..<tables).map { _ in
                var filled = (0..<rows).map { _ in [Int](repeating: 0, count: columns) }
                for column in 0..<columns {
                    for _ in 0..<columnTotals[column] { filled[random.int(0...(rows - 1))][column] += 1 }
                }
                // Rows are listed only when they occur, as in the releases.
                return Self.grid(filled.filter { $0.reduce(0, +) > 0 })
            }.filter { $0.count > 1 }
            guard !grids.isEmpty else { continue }
            let hidden = Suppression.protect(grids, threshold: threshold)
            for (grid, mask) in zip(grids, hidden) {
                for (r, row) in grid.enumerated() {
                    for (c, value) in row.enumerated() where value >= 1 && value <= threshold { #expect(mask[r][c], "primaria") }
                }
            }
            for t in hidden.indices { #expect(hidden[t].last == hidden[0].last, "los totales compartidos se suprimen igual en todas") }
            #expect(Self.recoverable(grids, hidden).isEmpty, "recuperables en \(grids) con \(hidden)")
            let ranges = Suppression.ranges(grids.map { Suppression.Table(grid: $0) }, hidden: hidden)
            for t in grids.indices {
                for r in grids[t].indices {
                    for c in grids[t][r].indices { if let range = ranges[t][r][c] { witnessed.append((documents.count, t, r, c, range)) } }
                }
            }
            documents.append(AttackerAudit.document(grids, hidden, threshold: threshold))
        }
        let audit = try await AttackerAudit.run(documents, intervals: true)
        #expect(audit.failures.isEmpty, "\(audit): \(audit.failures.prefix(3))")
        #expect(audit.suppressed > 0)
        for cell in witnessed {
            let column = Self.columnName(cell.column, of: documents, cell.document, cell.table)
            let row = Self.rowName(cell.row, of: documents, cell.document, cell.table)
            let found = audit.intervals.first { (interval: JSONValue) -> Bool in
                let sameDocument: Bool = interval["documento"]?.doubleValue == Double(cell.document)
                // The shared totals row is one unknown per column, named after the group's first table.
                let sameTable: Bool = interval["tabla"]?.stringValue == (row == "total" ? "t0" : "t\(cell.table)")
                let sameCell: Bool = interval["columna"]?.stringValue == column && interval["fila"]?.stringValue == row
                return sameDocument && sameTable && sameCell
            }
            guard let found, let low = found["minimo"]?.doubleValue else { Issue.record("sin intervalo para \(cell)"); continue }
            let high = found["maximo"]?.doubleValue ?? .infinity
            #expect(low <= Double(cell.range.lowerBound) + 1e-6 && (cell.range.upperBound >= Suppression.unbounded || high >= Double(cell.range.upperBound) - 1e-6),
                    "el testigo \(cell.range) cae fuera del intervalo del atacante [\(low), \(high)]")
        }
    }

    /// `f<r>` or `total` for the last row of the table, as `AttackerAudit.document` names them.
    static func rowName(_ row: Int, of documents: [String], _ document: Int, _ table: Int) -> String {
        let rows = (try? CanonicalJSON.parse(documents[document]))?["tablas"]?[table]?["filas"]?.arrayValue?.count ?? 0
        return row == rows ? "total" : "f\(row)"
    }

    static func columnName(_ column: Int, of documents: [String], _ document: Int, _ table: Int) -> String {
        let columns = (try? CanonicalJSON.parse(documents[document]))?["tablas"]?[table]?["columnas"]?.arrayValue?.count ?? 0
        return column == columns ? "total" : "c\(column)"
    }

    /// The hidden entries (table, row, column) that the linear relations of the published figures fix.
    /// The tables of `grids` share their last row: one unknown per shared total.
    static func recoverable(_ grids: [[[Int]]], _ hidden: [[[Bool]]]) -> [(Int, Int, Int)] {
        var index: [String: Int] = [:]
        var names: [(Int, Int, Int)] = []
        func variable(_ t: Int, _ r: Int, _ c: Int) -> Int? {
            guard hidden[t][r][c] else { return nil }
            let key = r == grids[t].count - 1 ? "shared-\(c)" : "\(t)-\(r)-\(c)"
            if let known = index[key] { return known }
            index[key] = names.count
            names.append((t, r, c))
            return names.count - 1
        }
        var equations: [[Int: Fraction]] = []
        for (t, grid) in grids.enumerated() {
            let rows = grid.count, columns = grid[0].count
            for r in 0..<rows {
                var equation: [Int: Fraction] = [:]
                for c in 0..<columns { if let v = variable(t, r, c) { equation[v, default: .zero] += Fraction(c == columns - 1 ? -1 : 1) } }
                equations.append(equation)
            }
            for c in 0..<columns {
                var equation: [Int: Fraction] = [:]
                for r in 0..<rows { if let v = variable(t, r, c) { equation[v, default: .zero] += Fraction(r == rows - 1 ? -1 : 1) } }
                equations.append(equation)
            }
        }
        // Reduced row echelon form; a variable is fixed iff it is a pivot whose row has no free variable.
        var matrix = equations.map { equation in (0..<names.count).map { equation[$0] ?? .zero } }
        var pivots: [Int: Int] = [:]
        var row = 0
        for column in 0..<names.count where row < matrix.count {
            guard let pivot = (row..<matrix.count).first(where: { !matrix[$0][column].isZero }) else { continue }
            matrix.swapAt(row, pivot)
            let lead = matrix[row][column]
            matrix[row] = matrix[row].map { $0 / lead }
            for other in 0..<matrix.count where other != row && !matrix[other][column].isZero {
                let factor = matrix[other][column]
                matrix[other] = zip(matrix[other], matrix[row]).map { $0 - factor * $1 }
            }
            pivots[column] = row
            row += 1
        }
        let free = Set(0..<names.count).subtracting(pivots.keys)
        return pivots.filter { _, r in free.allSatisfy { matrix[r][$0].isZero } }.map { names[$0.key] }
    }
}

/// An exact fraction for the linear-algebra audit (tables are small; numbers stay small).
struct Fraction: Equatable {
    let numerator: Int, denominator: Int
    static let zero = Fraction(0)
    init(_ value: Int) { numerator = value; denominator = 1 }
    init(_ n: Int, _ d: Int) {
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? abs(a) : gcd(b, a % b) }
        let g = max(1, gcd(n, d)) * (d < 0 ? -1 : 1)
        numerator = n / g; denominator = d / g
    }
    var isZero: Bool { numerator == 0 }
    static func + (a: Fraction, b: Fraction) -> Fraction { Fraction(a.numerator * b.denominator + b.numerator * a.denominator, a.denominator * b.denominator) }
    static func - (a: Fraction, b: Fraction) -> Fraction { Fraction(a.numerator * b.denominator - b.numerator * a.denominator, a.denominator * b.denominator) }
    static func * (a: Fraction, b: Fraction) -> Fraction { Fraction(a.numerator * b.numerator, a.denominator * b.denominator) }
    static func / (a: Fraction, b: Fraction) -> Fraction { Fraction(a.numerator * b.denominator, a.denominator * b.numerator) }
    static func += (a: inout Fraction, b: Fraction) { a = a + b }
}
