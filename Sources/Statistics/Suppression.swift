/// Disclosure control for tables with totals: primary suppression of every cell from 1 to the
/// threshold, then secondary suppression so that no suppressed cell can be worked out from the
/// published cells and totals.
///
/// A table is a grid of (rows + 1) × (columns + 1) numbers: the last row holds the column totals,
/// the last column the row totals, the corner the grand total. Every line of the grid (each row,
/// each column, with its total) is a linear relation. Seen as a bipartite graph whose nodes are
/// the grid's rows and columns and whose edges are the suppressed cells, the relations let an
/// attacker solve for a suppressed cell exactly when its edge is a *bridge* (lies on no cycle): the
/// alternating ±1 vector around a cycle changes every suppressed value on it and no published one.
/// So the guarantee is: **the suppressed cells form a graph without bridges**. In particular every
/// row and column (totals included) has 0 or at least 2 suppressed entries — necessary, but not
/// enough on its own (two cycles joined by one cell leave that cell exposed), hence the bridge test.
///
/// Tables of one year that describe the same people share their last row (people per entidad and
/// in all): a total suppressed in one is suppressed in all, and in each table the suppressed shared
/// totals are kept connected without going through the totals row, so that the cycle protecting
/// a shared total in one table can be continued in every other (see `protect`).
///
/// Multi-valued categories (several modalities per person) make the column total count people, not
/// the sum of the column; they are protected as if the total were the sum, which is stricter: the
/// true relations are a subset of the ones protected against.
public enum Suppression {
    /// Suppresses `grids` (one group sharing its last row) and returns, per grid, which entries to hide.
    public static func protect(_ grids: [[[Int]]], threshold: Int) -> [[[Bool]]] {
        var hidden = grids.map { grid in grid.map { row in row.map { $0 >= 1 && $0 <= threshold } } }
        let shared = grids.count > 1
        var changed = true
        while changed {
            changed = false
            if shared {
                let width = grids[0].last?.count ?? 0
                let union = (0..<width).map { column in hidden.contains { $0.last?[column] == true } }
                for index in hidden.indices where hidden[index].last.map({ $0 != union }) ?? false {
                    hidden[index][hidden[index].count - 1] = union
                    changed = true
                }
            }
            for index in grids.indices {
                var table = GridGraph(values: grids[index], hidden: hidden[index])
                if shared { changed = table.connectSharedTotals() || changed }
                changed = table.removeBridges() || changed
                hidden[index] = table.hidden
            }
        }
        return hidden
    }

    /// True when no hidden entry of `grid` is on a bridge (the guarantee `protect` gives each table).
    public static func isProtected(_ hidden: [[Bool]]) -> Bool {
        GridGraph(values: hidden.map { $0.map { _ in 0 } }, hidden: hidden).bridges().isEmpty
    }
}

/// One grid as a bipartite graph: nodes 0...rows are its rows (the last, `totalsRow`, the column
/// totals), then one node per column (the last, the row totals); an edge per hidden entry.
struct GridGraph {
    let values: [[Int]]
    var hidden: [[Bool]]
    let rowCount: Int
    let columnCount: Int

    init(values: [[Int]], hidden: [[Bool]]) {
        self.values = values
        self.hidden = hidden
        rowCount = values.count
        columnCount = values.first?.count ?? 0
    }

    var nodeCount: Int { rowCount + columnCount }
    var totalsRow: Int { rowCount - 1 }
    func columnNode(_ column: Int) -> Int { rowCount + column }
    /// The entry an edge between a row node and a column node stands for.
    func entry(_ a: Int, _ b: Int) -> (row: Int, column: Int) { a < rowCount ? (a, b - rowCount) : (b, a - rowCount) }

    func neighbours(_ node: Int) -> [Int] {
        node < rowCount
            ? (0..<columnCount).filter { hidden[node][$0] }.map(columnNode)
            : (0..<rowCount).filter { hidden[$0][node - rowCount] }
    }

    /// The cost of hiding one more entry: small non-zero figures first (a hidden zero protects
    /// little, since zeros are often known), totals of the shared row last.
    func cost(_ row: Int, _ column: Int) -> Int {
        let value = values[row][column]
        return (value > 0 ? value + 1 : 100_000) + (row == totalsRow ? 10_000_000 : 0)
    }

    /// Every hidden entry that lies on no cycle, found with Tarjan's low-link numbering.
    func bridges() -> [(row: Int, column: Int)] {
        var order = [Int](repeating: -1, count: nodeCount), low = [Int](repeating: 0, count: nodeCount)
        var counter = 0
        var found: [(row: Int, column: Int)] = []
        func visit(_ node: Int, _ parent: Int) {
            order[node] = counter; low[node] = counter; counter += 1
            for next in neighbours(node) where next != parent {
                if order[next] < 0 {
                    visit(next, node)
                    low[node] = min(low[node], low[next])
                    if low[next] > order[node] { found.append(entry(node, next)) }
                } else {
                    low[node] = min(low[node], order[next])
                }
            }
        }
        for node in 0..<nodeCount where order[node] < 0 { visit(node, -1) }
        return found
    }

    /// Hides the cheapest entries that put every bridge on a cycle. Returns whether it hid any.
    mutating func removeBridges() -> Bool {
        var changed = false
        while let bridge = bridges().first {
            let from = bridge.row, to = columnNode(bridge.column)
            guard let path = cheapestPath(from: [from], to: [to], avoiding: bridge, throughTotalsRow: true) else {
                hideEverything()
                return true
            }
            for step in path { hidden[step.row][step.column] = true }
            changed = true
        }
        return changed
    }

    /// Keeps the hidden shared totals (columns hidden in the totals row) in one connected piece of
    /// the graph without the totals row, so every table can continue the cycle that protects them.
    mutating func connectSharedTotals() -> Bool {
        let members = (0..<columnCount).filter { hidden[totalsRow][$0] }.map(columnNode)
        guard members.count >= 2 else { return false }
        var changed = false
        while true {
            let piece = component(of: members[0])
            let outside = members.filter { !piece.contains($0) }
            guard !outside.isEmpty else { return changed }
            guard let path = cheapestPath(from: Array(piece), to: outside, avoiding: nil, throughTotalsRow: false) else {
                hideEverything()
                return true
            }
            for step in path { hidden[step.row][step.column] = true }
            changed = true
        }
    }

    private mutating func hideEverything() {
        hidden = values.map { $0.map { _ in true } }
    }

    /// Nodes reachable from `start` through hidden entries, without entering the totals row.
    func component(of start: Int) -> Set<Int> {
        var seen: Set<Int> = [start], stack = [start]
        while let node = stack.popLast() {
            for next in neighbours(node) where next != totalsRow && !seen.contains(next) {
                seen.insert(next)
                stack.append(next)
            }
        }
        return seen
    }

    /// Dijkstra over the complete bipartite graph of the grid: hidden entries cost nothing, others
    /// `cost`. Returns the entries still to hide along the cheapest path, or nil if there is none.
    func cheapestPath(from sources: [Int], to targets: [Int], avoiding excluded: (row: Int, column: Int)?,
                      throughTotalsRow: Bool) -> [(row: Int, column: Int)]? {
        let unreachable = Int.max
        var distance = [Int](repeating: unreachable, count: nodeCount)
        var previous = [Int](repeating: -1, count: nodeCount)
        var done = [Bool](repeating: false, count: nodeCount)
        for source in sources { distance[source] = 0 }
        let goal = Set(targets)
        var reached = -1
        while reached < 0 {
            var current = -1
            for node in 0..<nodeCount where !done[node] && distance[node] != unreachable && (current < 0 || distance[node] < distance[current]) {
                current = node
            }
            guard current >= 0 else { return nil }
            if goal.contains(current) { reached = current; continue }
            done[current] = true
            let others = current < rowCount ? Array(rowCount..<nodeCount) : Array(0..<rowCount)
            for next in others where !done[next] {
                let (row, column) = entry(current, next)
                if let excluded, excluded == (row, column) { continue }
                if row == totalsRow && !throughTotalsRow { continue }
                let step = hidden[row][column] ? 0 : cost(row, column)
                if distance[current] + step < distance[next] {
                    distance[next] = distance[current] + step
                    previous[next] = current
                }
            }
        }
        var path: [(row: Int, column: Int)] = []
        var node = reached
        while previous[node] >= 0 {
            let step = entry(previous[node], node)
            if !hidden[step.row][step.column] { path.append(step) }
            node = previous[node]
        }
        return path
    }
}
