import Catalog
import Foundation
import Postgres
import Projections

/// Runs a report now (over the live projections) or as of the end of a past day (over scratch copies
/// of `hechos` and `estadisticas` rebuilt to the last position recorded that day, dropped afterwards).
public struct ReportRunner: Sendable {
    let projector: Projector
    let catalogs: CatalogSet
    /// Where a report of today is read (a read replica, or the projector's pool when nil). A report
    /// as of a past day always runs on the primary, where its scratch copies can be written.
    let reads: ConnectionPool

    public init(projector: Projector, catalogs: CatalogSet, reads: ConnectionPool? = nil) {
        self.projector = projector
        self.catalogs = catalogs
        self.reads = reads ?? projector.pool
    }

    public func run(_ report: ReportDefinition, threshold: Int, asOf: CalendarDate? = nil) async throws -> ReportResult {
        guard let asOf else {
            return try await ReportEngine(pool: reads, catalogs: catalogs).run(report, threshold: threshold)
        }
        guard let end = Timestamp(endOfDay: asOf.description) else { throw ReportInputError(problems: []) }
        let position = try await projector.position(recordedAtOrBefore: end)
        let label = "reporte_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let needed: Set<String> = report.source.isPeople ? ["estadisticas"] : ["hechos"]
        let catalogs = self.catalogs
        let pool = projector.pool
        return try await projector.withReplay(until: position, label: label, only: needed) { schemas in
            try await ReportEngine(pool: pool, catalogs: catalogs, hechosSchema: schemas["hechos"] ?? "proj_hechos",
                                   statisticsSchema: schemas["estadisticas"] ?? "proj_estadisticas", position: position)
                .run(report, threshold: threshold, asOf: asOf.description)
        }
    }
}
