/// The tables of one group (sharing their totals row) with their hidden cells, and the two searches
/// `Suppression` is made of: the widest witness cycle through a hidden cell (its certificate) and
/// the cheapest cycle to hide when a cell is not protected enough.
///
/// Nodes of table `t`: its rows below the totals row (0..<R), then its columns (R + c); an edge is a
/// cell. The totals row is never a node: a cycle passes through it by a *jump* from column a to
/// column b, which changes the shared totals (R, a) and (R, b) and so needs a path from b to a in
/// every other table of the group. Signs: with `d` the change of the cycle's first edge in the
/// sign-flipped grid (see `Suppression`), an edge taken from a row to a column changes by +d there,
/// from a column to a row by -d; the real cell changes by that times -1 per totals line it lies on.
struct Group {
    let tables: [Suppression.Table]
    var hidden: [[[Bool]]]
    let columnCount: Int
    private var cache = Cache()

    /// Search results kept while the hidden cells do not change.
    final class Cache {
        var widths: [SearchKey: [Int]] = [:]
        /// By `d`, then source column b, then column c: the narrowest and second narrowest widest
        /// path from b to c over the tables (avoiding the totals row), and the table of the first.
        var jumps: [Int: [[(first: Int, table: Int, second: Int)]]] = [:]
    }

    /// One search: table, source column, sign, excluded cell (-1 for none), jumps allowed.
    struct SearchKey: Hashable {
        let table: Int, source: Int, d: Int, row: Int, column: Int, jumps: Bool
    }

    init(tables: [Suppression.Table]) {
        self.tables = tables
        hidden = tables.map { $0.grid.map { $0.map { _ in false } } }
        columnCount = tables[0].grid.first?.count ?? 0
    }

    var totalsColumn: Int { columnCount - 1 }
    func totalsRow(_ t: Int) -> Int { tables[t].grid.count - 1 }
    func sign(column c: Int) -> Int { c == totalsColumn ? -1 : 1 }

    /// Hides a cell; a cell of the shared totals row is hidden in every table.
    mutating func hide(_ t: Int, _ r: Int, _ c: Int) {
        if r == totalsRow(t) {
            for u in tables.indices where !hidden[u][totalsRow(u)][c] { hidden[u][totalsRow(u)][c] = true; cache = Cache() }
        } else if !hidden[t][r][c] {
            hidden[t][r][c] = true
            cache = Cache()
        }
    }

    mutating func hideEverything() {
        hidden = tables.map { $0.grid.map { $0.map { _ in true } } }
        cache = Cache()
    }

    /// What an attacker knows a cell is at least: 1 for the total of a row listed because it occurs.
    func floor(_ t: Int, _ r: Int, _ c: Int) -> Int {
        c == totalsColumn && r < totalsRow(t) && tables[t].rowsListedWhenObserved ? 1 : 0
    }

    func slack(_ t: Int, _ r: Int, _ c: Int) -> Int { max(0, tables[t].grid[r][c] - floor(t, r, c)) }

    /// How far a cell lets a cycle go when it changes by `change` (±1) per step: without limit upwards.
    func capacity(_ t: Int, _ r: Int, _ c: Int, change: Int) -> Int { change < 0 ? slack(t, r, c) : Suppression.unbounded }

    // MARK: Certificates

    /// The witnessed movement of hidden cell (t, r, c). Searches without jumps first (cheap), and
    /// with them only when that is not `enough`.
    func certificate(_ t: Int, _ r: Int, _ c: Int, enough: Int) -> Certificate {
        if r == totalsRow(t) {
            let upward = sharedMove(column: c, d: -sign(column: c))
            if upward >= enough { return Certificate(upward: upward, downward: 0) }
            return Certificate(upward: upward, downward: min(slack(t, r, c), sharedMove(column: c, d: sign(column: c))))
        }
        var best = Certificate(upward: 0, downward: 0)
        let d = sign(column: c)
        for jumps in [false, true] {
            best.upward = max(best.upward, reach(t, fromColumn: c, to: r, d: d, excluding: (r, c), jumps: jumps, goal: enough))
            if best.width >= enough { break }
            let goal = min(slack(t, r, c), enough - best.upward)
            best.downward = max(best.downward, min(slack(t, r, c), reach(t, fromColumn: c, to: r, d: -d, excluding: (r, c), jumps: jumps, goal: goal)))
            if best.width >= enough { break }
        }
        return best
    }

    /// How far a shared total (R, a) can move along cycles through another shared total (R, b).
    func sharedMove(column a: Int, d: Int) -> Int {
        var best = 0
        let r0 = totalsRow(0)
        for b in 0..<columnCount where b != a && hidden[0][r0][b] {
            var width = capacity(0, r0, b, change: sign(column: b) * d)
            for t in tables.indices where width > best {
                width = min(width, widest(t, fromColumn: a, d: d, excluding: nil, jumps: false)[totalsRow(t) + b])
            }
            best = max(best, width)
        }
        return best
    }

    /// The widest walk from column `source` to row `target` (at least `goal` is enough: the search
    /// stops there; a certificate's exclusion makes each search unique, so it is not kept).
    func reach(_ t: Int, fromColumn source: Int, to target: Int, d: Int, excluding: (Int, Int), jumps: Bool, goal: Int) -> Int {
        search(t, fromColumn: source, d: d, excluding: excluding, jumps: jumps, target: target, goal: goal)[target]
    }

    /// Maximin search from column `source` over hidden cells: for each node, the widest walk's capacity.
    func widest(_ t: Int, fromColumn source: Int, d: Int, excluding: (Int, Int)?, jumps: Bool) -> [Int] {
        let key = SearchKey(table: t, source: source, d: d, row: excluding?.0 ?? -1, column: excluding?.1 ?? -1, jumps: jumps)
        if let known = cache.widths[key] { return known }
        let width = search(t, fromColumn: source, d: d, excluding: excluding, jumps: jumps, target: nil, goal: Suppression.unbounded)
        cache.widths[key] = width
        return width
    }

    /// The maximin Dijkstra itself; with a `target`, it stops once the target is settled or its width reaches `goal`.
    private func search(_ t: Int, fromColumn source: Int, d: Int, excluding: (Int, Int)?, jumps: Bool, target: Int?, goal: Int) -> [Int] {
        let rows = totalsRow(t), count = rows + columnCount, grid = hidden[t]
        var width = [Int](repeating: 0, count: count), done = [Bool](repeating: false, count: count)
        width[rows + source] = Suppression.unbounded
        while true {
            var current = -1
            for node in 0..<count where !done[node] && width[node] > 0 && (current < 0 || width[node] > width[current]) { current = node }
            guard current >= 0, current != target else { break }
            if let target, width[target] >= goal { break }
            done[current] = true
            func relax(_ next: Int, _ capacity: Int) {
                let value = min(width[current], capacity)
                if value > width[next] { width[next] = value }
            }
            if current < rows {
                for c in 0..<columnCount where grid[current][c] && !(excluding.map { $0 == (current, c) } ?? false) {
                    relax(rows + c, capacity(t, current, c, change: sign(column: c) * d))
                }
            } else {
                let c = current - rows
                for r in 0..<rows where grid[r][c] && !(excluding.map { $0 == (r, c) } ?? false) {
                    relax(r, capacity(t, r, c, change: -sign(column: c) * d))
                }
                guard jumps, grid[rows][c] else { continue }
                let out = capacity(t, rows, c, change: sign(column: c) * d)
                for b in 0..<columnCount where b != c && grid[rows][b] && !done[rows + b] {
                    let value = min(out, capacity(t, rows, b, change: -sign(column: b) * d))
                    guard value > width[rows + b] else { continue }
                    relax(rows + b, min(value, compensation(t, from: b, to: c, d: d)))
                }
            }
        }
        return width
    }

    /// The narrowest of the widest paths from column b to column c in every table but `t`: how far
    /// the other tables can follow a jump c → b of table t through the shared totals row.
    func compensation(_ t: Int, from b: Int, to c: Int, d: Int) -> Int {
        if cache.jumps[d] == nil {
            cache.jumps[d] = (0..<columnCount).map { source in
                var row = [(first: Int, table: Int, second: Int)](repeating: (Suppression.unbounded, -1, Suppression.unbounded), count: columnCount)
                for table in tables.indices {
                    let widths = widest(table, fromColumn: source, d: d, excluding: nil, jumps: false)
                    for target in 0..<columnCount {
                        let value = widths[totalsRow(table) + target]
                        if value < row[target].first {
                            row[target] = (value, table, row[target].first)
                        } else if value < row[target].second {
                            row[target].second = value
                        }
                    }
                }
                return row
            }
        }
        let entry = cache.jumps[d]![b][c]
        return entry.table == t ? entry.second : entry.first
    }

    /// Hidden cells whose witnessed range is narrower than `level` (a shared total once, in table 0),
    /// with their certificates.
    func unprotected(level: Int) -> [(cell: (Int, Int, Int), certificate: Certificate)] {
        var found: [(cell: (Int, Int, Int), certificate: Certificate)] = []
        for t in tables.indices {
            for r in hidden[t].indices where t == 0 || r != totalsRow(t) {
                for c in 0..<columnCount where hidden[t][r][c] {
                    let certificate = certificate(t, r, c, enough: level)
                    if certificate.width < level { found.append(((t, r, c), certificate)) }
                }
            }
        }
        return found
    }

    // MARK: Secondary suppression

    /// Hides cycles until every hidden cell's witnessed range is at least `level` wide. In rounds:
    /// certify every hidden cell, then give each one that falls short a cycle, planned on the
    /// round's starting state (a cycle planned earlier in the round may already be hidden: it then
    /// costs nothing to choose again); the next round certifies the result, newly hidden cells too.
    mutating func secure(level: Int) {
        while true {
            let failing = unprotected(level: level)
            if failing.isEmpty { return }
            var planners: [Int: Planner] = [:]
            for (cell, certificate) in failing {
                let need = level - certificate.downward
                var planner = planners.removeValue(forKey: need) ?? Planner(group: self, need: need)
                guard augment(cell, planner: &planner) else { hideEverything(); return }
                planners[need] = planner
            }
        }
    }

    /// Hides the cheapest cycle through `cell` along which it can go up by the planner's `need`.
    /// False if there is none.
    mutating func augment(_ cell: (Int, Int, Int), planner: inout Planner) -> Bool {
        let (t, r, c) = cell
        let cells: [(Int, Int, Int)]?
        if r == totalsRow(t) {
            cells = planner.sharedCycle(column: c, d: -sign(column: c))
        } else {
            cells = planner.localCycle(t, row: r, column: c, jumps: false) ?? planner.localCycle(t, row: r, column: c, jumps: true)
        }
        guard let cells else { return false }
        for (u, row, column) in cells { hide(u, row, column) }
        return true
    }
}
