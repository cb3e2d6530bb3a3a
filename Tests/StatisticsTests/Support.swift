import CanonicalJSON
import Catalog
import Commands
import Definitions
import EventLog
import Foundation
import Postgres
import Privacy
import Projections
import Statistics
import TestDatabase

let definitions = repositoryDefinitions
let labels = Labels(catalogs: definitions.catalogs)

/// A migrated database, the command path (as the application) and a projector (as the owner).
typealias World = ProjectionWorld

extension ProjectionWorld {
    /// Brings the projections up to date and computes the report.
    func report(year: Int? = nil, threshold: Int = 10) async throws -> StatisticsReport {
        try await projector().start()
        let data = try await StatisticsSource(pool: owner).read()
        return StatisticsBuilder(labels: labels, threshold: threshold).build(data, year: year)
    }

    func data() async throws -> StatisticsData {
        try await projector().start()
        return try await StatisticsSource(pool: owner).read()
    }
}

extension StatisticsReport {
    func table(_ id: String, _ year: Int) -> StatisticsTable? { tables.first { $0.id == id && $0.year == year } }
}

extension StatisticsTable {
    /// The unprotected count of a category in an entidad (`nil` column: all entidades).
    func count(_ row: String, _ column: String? = nil) -> Int {
        guard let r = rows.firstIndex(where: { $0.code == row }) else { return 0 }
        return grid[r][column.flatMap { code in columns.firstIndex { $0.code == code } } ?? columns.count]
    }

    var total: Int { grid[rows.count][columns.count] }

    /// category → count over all entidades, for comparing with a hand-computed table.
    var rowTotals: [String: Int] { Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1.code, grid[$0][columns.count]) }) }
}

