import Demo
import Statistics
import Testing

/// Disclosure control on hand-made and random tables, checked by exact linear algebra: a hidden
/// entry is recoverable exactly when it is fixed by the linear relations the published figures give.
@Suite struct SuppressionTests {
    /// A grid with its totals from inner cells.
    static func grid(_ inner: [[Int]]) -> [[Int]] {
        var grid = inner.map { $0 + [$0.reduce(0, +)] }
        let columns = inner.first?.count ?? 0
        grid.append((0...columns).map { column in grid.reduce(0) { $0 + $1[column] } })
        return grid
    }

    @Test func aLoneSmallCellIsHiddenWithTheCheapestComplementsInItsRowAndColumn() {
        // 3 is sensitive; hiding it alone would let it be recomputed from its row (45 - 20 - 22)
        // or column. The cheapest bridge-free completion is a rectangle (each complement costs its
        // value + 1): 20, 30, 40 cost 93; 22, 12, 60 would cost 97; 20, 25, 60 would cost 108.
        let table = Self.grid([[20, 3, 22], [30, 40, 50], [25, 60, 12]])
        let hidden = Suppression.protect([table], threshold: 10)[0]
        #expect(hidden[0][1])
        #expect(hidden.flatMap { $0 }.filter { $0 }.count == 4)
        #expect(hidden[0][0] && hidden[1][0] && hidden[1][1], "el rectángulo 3, 20, 30, 40: el ciclo más barato; \(hidden)")
        #expect(Self.recoverable([table], [hidden]).isEmpty)
    }

    @Test func nothingIsHiddenWhenNoFigureIsSmallAndZerosArePublished() {
        let table = Self.grid([[0, 12, 30], [11, 0, 25]])
        #expect(Suppression.protect([table], threshold: 10)[0].allSatisfy { $0.allSatisfy { !$0 } })
    }

    @Test func aSmallTotalIsHiddenTooAndProtected() {
        // Row 0 sums to 7: its total is itself primary; the figures of that row are 3 and 4.
        let table = Self.grid([[3, 4, 0], [15, 22, 31], [40, 18, 27]])
        let hidden = Suppression.protect([table], threshold: 10)[0]
        #expect(hidden[0][3] && hidden[0][0] && hidden[0][1])
        #expect(Self.recoverable([table], [hidden]).isEmpty)
    }

    /// Property: for random tables, alone or in groups sharing their totals row, every figure from 1
    /// to the threshold is hidden, every row and column with hidden entries has at least two (its
    /// total counted), and no hidden entry is fixed by the published ones, even combining the group.
    @Test(arguments: 1...6) func randomTablesNeverExposeAHiddenFigure(seed: UInt64) {
        var random = SeededRandom(seed: seed)  // the demo's generator: the same tables on every machine
        for _ in 0..<40 {
            let rows = random.int(1...5), columns = random.int(1...5), tables = random.int(1...3)
            let threshold = random.int(1...10)
            // Tables of a group split the same people by different variables: same column totals.
            let columnTotals = (0..<columns).map { _ in random.int(0...4) == 0 ? 0 : random.int(1...40) }
            let grids: [[[Int]]] = (0..<tables).map { _ in
                let inner = (0..<rows).map { _ in [Int](repeating: 0, count: columns) }
                var filled = inner
                for column in 0..<columns {
                    for _ in 0..<columnTotals[column] { filled[random.int(0...(rows - 1))][column] += 1 }
                }
                return Self.grid(filled)
            }
            let hidden = Suppression.protect(grids, threshold: threshold)
            for (grid, mask) in zip(grids, hidden) {
                for (r, row) in grid.enumerated() {
                    for (c, value) in row.enumerated() where value >= 1 && value <= threshold { #expect(mask[r][c], "primaria") }
                }
                for line in mask + (0..<mask[0].count).map({ c in mask.map { $0[c] } }) {
                    let count = line.filter { $0 }.count
                    #expect(count == 0 || count >= 2, "una línea con una sola cifra suprimida la delata")
                }
                #expect(Suppression.isProtected(mask))
            }
            for t in 1..<tables { #expect(hidden[t].last == hidden[0].last, "los totales compartidos se suprimen igual en todas") }
            let exposed = Self.recoverable(grids, hidden)
            #expect(exposed.isEmpty, "recuperables: \(exposed) en \(grids) con \(hidden)")
        }
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
