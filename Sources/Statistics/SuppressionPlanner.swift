/// The cheapest cycle to hide so that one cell can move up by `need`: Dijkstra over every cell of a
/// table (hidden or not), where a hidden cell costs nothing and another `cost`, and a cell the
/// cycle would decrease is usable only if it can decrease by `need`. Jumps through the shared totals
/// row cost their two totals plus the cheapest compensating path in every other table of the group.
struct Planner {
    let group: Group
    let need: Int
    private var paths: [Group.SearchKey: (cost: [Int], previous: [Step])] = [:]
    /// By `d`, then source column b, then column c: the cost of the cheapest path b → c summed over
    /// every table, and how many tables have none.
    private var jumps: [Int: [[(sum: Int, missing: Int)]]] = [:]

    /// How a node was reached: from `node`, by a cell or by a jump through the totals row.
    struct Step { var node = -1; var jump = false }

    static let unreachable = Int.max / 4

    init(group: Group, need: Int) {
        self.group = group
        self.need = need
    }

    /// The cost of hiding a cell: small non-zero figures first (a hidden zero protects little, since
    /// zeros are often known), totals of the shared row last.
    func cost(_ t: Int, _ r: Int, _ c: Int) -> Int {
        if group.hidden[t][r][c] { return 0 }
        let value = group.tables[t].grid[r][c]
        return (value > 0 ? value + 1 : 100_000) + (r == group.totalsRow(t) ? 10_000_000 : 0)
    }

    func usable(_ t: Int, _ r: Int, _ c: Int, change: Int) -> Bool { change >= 0 || group.slack(t, r, c) >= need }

    /// A cycle through shared total (R, a): another shared total b and a path a → b in every table.
    mutating func sharedCycle(column a: Int, d: Int) -> [(Int, Int, Int)]? {
        let r0 = group.totalsRow(0)
        var best: (cost: Int, column: Int)?
        for b in 0..<group.columnCount where b != a && usable(0, r0, b, change: group.sign(column: b) * d) {
            var total = cost(0, r0, b)
            for t in group.tables.indices where total < (best?.cost ?? Self.unreachable) {
                total += cheapest(t, fromColumn: a, d: d, excluding: nil, jumps: false).cost[group.totalsRow(t) + b]
            }
            if total < (best?.cost ?? Self.unreachable) { best = (total, b) }
        }
        guard let best else { return nil }
        var cells = [(0, r0, best.column)]
        for t in group.tables.indices { cells += path(t, fromColumn: a, to: group.totalsRow(t) + best.column, d: d, excluding: nil, jumps: false) }
        return cells
    }

    /// A cycle through the inner cell (t, r, c): a walk from column c back to row r.
    mutating func localCycle(_ t: Int, row r: Int, column c: Int, jumps: Bool) -> [(Int, Int, Int)]? {
        let d = group.sign(column: c)
        guard cheapest(t, fromColumn: c, d: d, excluding: (r, c), jumps: jumps).cost[r] < Self.unreachable else { return nil }
        return path(t, fromColumn: c, to: r, d: d, excluding: (r, c), jumps: jumps)
    }

    /// The cells of the cheapest walk from column `source` to node `target`, jumps expanded into
    /// their two shared totals and the compensating path of every other table.
    mutating func path(_ t: Int, fromColumn source: Int, to target: Int, d: Int, excluding: (Int, Int)?, jumps: Bool) -> [(Int, Int, Int)] {
        let rows = group.totalsRow(t)
        let previous = cheapest(t, fromColumn: source, d: d, excluding: excluding, jumps: jumps).previous
        var cells: [(Int, Int, Int)] = []
        var node = target
        while previous[node].node >= 0 {
            let step = previous[node]
            if step.jump {
                let (a, b) = (step.node - rows, node - rows)
                cells += [(t, rows, a), (t, rows, b)]
                for other in group.tables.indices where other != t {
                    cells += path(other, fromColumn: b, to: group.totalsRow(other) + a, d: d, excluding: nil, jumps: false)
                }
            } else {
                cells.append(node < rows ? (t, node, step.node - rows) : (t, step.node, node - rows))
            }
            node = step.node
        }
        return cells
    }

    /// The cost of following a jump c → b of table t in every other table (a path b → c in each).
    mutating func compensation(_ t: Int, from b: Int, to c: Int, d: Int) -> Int {
        if jumps[d] == nil {
            var table = [[(sum: Int, missing: Int)]](repeating: [(sum: Int, missing: Int)](repeating: (0, 0), count: group.columnCount), count: group.columnCount)
            for source in 0..<group.columnCount {
                for other in group.tables.indices {
                    let costs = cheapest(other, fromColumn: source, d: d, excluding: nil, jumps: false).cost
                    for target in 0..<group.columnCount {
                        let value = costs[group.totalsRow(other) + target]
                        if value >= Self.unreachable { table[source][target].missing += 1 } else { table[source][target].sum += value }
                    }
                }
            }
            jumps[d] = table
        }
        let entry = jumps[d]![b][c]
        let own = cheapest(t, fromColumn: b, d: d, excluding: nil, jumps: false).cost[group.totalsRow(t) + c]
        let ownMissing = own >= Self.unreachable ? 1 : 0
        guard entry.missing - ownMissing == 0 else { return Self.unreachable }
        return entry.sum - (ownMissing == 1 ? 0 : own)
    }

    /// Dijkstra from column `source` of table t, over all cells (see the type's comment).
    mutating func cheapest(_ t: Int, fromColumn source: Int, d: Int, excluding: (Int, Int)?, jumps: Bool) -> (cost: [Int], previous: [Step]) {
        let key = Group.SearchKey(table: t, source: source, d: d, row: excluding?.0 ?? -1, column: excluding?.1 ?? -1, jumps: jumps)
        if let known = paths[key] { return known }
        let rows = group.totalsRow(t), columns = group.columnCount, count = rows + columns
        var distance = [Int](repeating: Self.unreachable, count: count), done = [Bool](repeating: false, count: count)
        var previous = [Step](repeating: Step(), count: count)
        distance[rows + source] = 0
        while true {
            var current = -1
            for node in 0..<count where !done[node] && distance[node] < Self.unreachable && (current < 0 || distance[node] < distance[current]) {
                current = node
            }
            guard current >= 0 else { break }
            done[current] = true
            func relax(_ next: Int, _ step: Int, jump: Bool = false) {
                guard step < Self.unreachable, distance[current] + step < distance[next] else { return }
                distance[next] = distance[current] + step
                previous[next] = Step(node: current, jump: jump)
            }
            if current < rows {
                for c in 0..<columns where !done[rows + c] && !(excluding.map { $0 == (current, c) } ?? false)
                    && usable(t, current, c, change: group.sign(column: c) * d) {
                    relax(rows + c, cost(t, current, c))
                }
            } else {
                let c = current - rows
                for r in 0..<rows where !done[r] && !(excluding.map { $0 == (r, c) } ?? false) && usable(t, r, c, change: -group.sign(column: c) * d) {
                    relax(r, cost(t, r, c))
                }
                guard jumps, usable(t, rows, c, change: group.sign(column: c) * d) else { continue }
                for b in 0..<columns where b != c && !done[rows + b] && usable(t, rows, b, change: -group.sign(column: b) * d) {
                    let compensation = compensation(t, from: b, to: c, d: d)
                    guard compensation < Self.unreachable else { continue }
                    relax(rows + b, cost(t, rows, c) + cost(t, rows, b) + compensation, jump: true)
                }
            }
        }
        paths[key] = (distance, previous)
        return (distance, previous)
    }
}
