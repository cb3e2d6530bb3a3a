/// Disclosure control for tables with totals, with a proof: after primary suppression (every cell
/// from 1 to the threshold) and secondary suppression, **every suppressed cell can take, for all an
/// attacker can tell, a range of values at least the protection level wide** — the attacker knowing
/// every published figure of the tables that share totals, that counts are non-negative integers and
/// that a listed row has a total of at least 1. It is the criterion of statistical offices
/// (tau-ARGUS, R's sdcTable: protection levels checked by linear programming); the tests check it
/// with an independent LP solver (scipy, `ops/audit-suppression.py`).
///
/// How the proof is built, without a solver. A table is a grid of (rows + 1) × (columns + 1)
/// numbers (the last row the column totals, the last column the row totals). Multiply the entries
/// of the totals row and of the totals column by -1 (the corner twice): then every line of the grid
/// sums to zero, and adding +d, -d, +d… around any cycle of suppressed cells (rows and columns as
/// the nodes of a bipartite graph, suppressed cells as its edges) gives another table that agrees
/// with everything published. It is a valid table while no cell falls below its floor (0, or 1 for
/// the total of a listed row), so each cycle is a *witness*: an integer table the attacker cannot
/// rule out. The widest such cycle in each direction (a maximin path search) bounds the attacker's
/// range from inside: `Certificate.upward` and `.downward`. The true range (what an LP finds) can
/// only be wider, never narrower.
///
/// Tables of one year that describe the same people (a `group`) share their totals row. A cycle
/// through the totals row changes two shared totals, so it is only a witness if every other table of
/// the group can carry the same change on a path of its own between those two columns (a "jump"
/// through the totals row, see `Group.jump`). That is how a small entidad (its total in the
/// threshold) is protected in all ten person tables at once.
///
/// Secondary suppression: while a suppressed cell's witnessed range is narrower than the protection
/// level, hide the cheapest cycle through it (Dijkstra; a hidden cell costs nothing, another its
/// value + 1, a zero a lot, a shared total more) on which every cell that would decrease can
/// decrease by what is missing. Hiding more never narrows a witnessed range, so cells already
/// protected stay protected and the loop ends; if no such cycle exists the whole group is hidden.
public enum Suppression {
    /// One table to protect: its grid with totals, and whether its rows are listed only when they
    /// occur (then an attacker knows each listed row's total is at least 1).
    public struct Table: Sendable {
        public let grid: [[Int]]
        public let rowsListedWhenObserved: Bool
        public init(grid: [[Int]], rowsListedWhenObserved: Bool = true) {
            self.grid = grid
            self.rowsListedWhenObserved = rowsListedWhenObserved
        }
    }

    /// Suppresses one group of tables sharing their last row and returns, per table, which entries
    /// to hide. `forced` adds cells that must stay hidden (those hidden by an earlier release of the
    /// same year); `protection` is the width each hidden cell's range must reach (the threshold).
    public static func protect(_ tables: [Table], threshold: Int, protection: Int? = nil, forced: [[[Bool]]]? = nil) -> [[[Bool]]] {
        guard !tables.isEmpty else { return [] }
        var group = Group(tables: tables)
        for t in tables.indices {
            for (r, row) in tables[t].grid.enumerated() {
                for (c, value) in row.enumerated() where (value >= 1 && value <= threshold) || (forced?[t][r][c] ?? false) {
                    group.hide(t, r, c)
                }
            }
        }
        group.secure(level: protection ?? threshold)
        return group.hidden
    }

    /// `protect` for tables given as bare grids (every row listed because observed).
    public static func protect(_ grids: [[[Int]]], threshold: Int) -> [[[Bool]]] {
        protect(grids.map { Table(grid: $0) }, threshold: threshold)
    }

    /// The witnessed range of every hidden cell (nil for published ones): the attacker's range
    /// contains it. `upward`/`downward` are capped at `Suppression.unbounded`.
    public static func ranges(_ tables: [Table], hidden: [[[Bool]]]) -> [[[ClosedRange<Int>?]]] {
        var group = Group(tables: tables)
        group.hidden = hidden
        return tables.indices.map { t in
            tables[t].grid.indices.map { r in
                tables[t].grid[r].indices.map { c in
                    guard hidden[t][r][c] else { return nil }
                    let certificate = group.certificate(t, r, c, enough: unbounded)
                    let value = tables[t].grid[r][c]
                    return (value - certificate.downward)...(value + certificate.upward)
                }
            }
        }
    }

    /// True when every hidden cell of the group has a witnessed range at least `level` wide.
    public static func isProtected(_ tables: [Table], hidden: [[[Bool]]], level: Int) -> Bool {
        var group = Group(tables: tables)
        group.hidden = hidden
        return group.unprotected(level: level).isEmpty
    }

    /// Larger than any count: a direction in which nothing limits the change.
    public static let unbounded = 1 << 40
}

/// How far a hidden cell can be moved up and down by witnesses.
struct Certificate {
    var upward: Int
    var downward: Int
    var width: Int { upward >= Suppression.unbounded || downward >= Suppression.unbounded ? Suppression.unbounded : upward + downward }
}
