import CanonicalJSON
import Commands
import Cryptography
import Projections
import Statistics

/// Publishes a release of the public statistics as an event, and checks a past release.
///
/// Only the fingerprint of the published JSON is kept in the log (a release has thousands of
/// cells), with the position, the projection's version and the threshold: enough to rebuild the
/// projection as it stood, recompute the release and compare fingerprints cell for cell.
public struct StatisticsPublisher: Sendable {
    let projector: Projector
    let labels: Labels

    public init(projector: Projector, labels: Labels) {
        self.projector = projector
        self.labels = labels
    }

    public struct Published: Sendable {
        public let publication: Publication
        public let report: StatisticsReport
        /// The JSON document the fingerprint is of (`StatisticsRenderer.json`).
        public let document: String
    }

    public func publish(year: Int?, threshold: Int, handler: CommandHandler, context: CommandContext) async throws -> Published {
        try await projector.start()
        let data = try await StatisticsSource(pool: projector.pool).read()
        let report = StatisticsBuilder(labels: labels, threshold: threshold).build(data, year: year)
        guard !report.years.isEmpty else { throw PublicationError.notFound("de estadísticas: no hay datos publicables para ese año") }
        let document = StatisticsRenderer.json(report)
        let version = projector.projection("estadisticas")?.version ?? 1
        var publication = Publication(
            streamId: "", position: 0, date: context.today, institution: context.institutionId, kind: .statistics, years: report.years,
            logPosition: report.logPosition, definitions: [("estadisticas", version)], threshold: threshold, figures: [],
            fingerprint: Hex.encode(SHA256.hash(Array(document.utf8))))
        let recorded = try await handler.handle(Command(name: "registrar-publicacion", data: publication.payload,
                                                        idempotencyKey: "publicacion-estadisticas-\(publication.fingerprint)"), context: context)
        publication = publication.recorded(as: recorded)
        return Published(publication: publication, report: report, document: document)
    }

    /// A past release against its reproduction at the same position and against now.
    public struct Check: Sendable {
        public let publication: Publication
        /// The reproduction's fingerprint equals the published one.
        public let reproduces: Bool
        /// The statistics projection's version now, when it differs from the one published with.
        public let versionNow: Int?
        /// Published cells (table, row, column) whose value differs now, with both values.
        public let changedCells: [(table: String, row: String, column: String, then: Int?, now: Int?)]
    }

    public func check(_ publication: Publication) async throws -> Check {
        let year = publication.years.count == 1 ? publication.years.first : nil
        let threshold = publication.threshold ?? StatisticsBuilder.defaultThreshold
        let then = try await report(of: publication)
        try await projector.start()
        let now = StatisticsBuilder(labels: labels, threshold: threshold).build(try await StatisticsSource(pool: projector.pool).read(), year: year)
        let fingerprint = Hex.encode(SHA256.hash(Array(StatisticsRenderer.json(then).utf8)))
        let version = projector.projection("estadisticas")?.version ?? 1
        return Check(publication: publication, reproduces: fingerprint == publication.fingerprint,
                     versionNow: publication.definitions.first { $0.key == "estadisticas" }?.version == version ? nil : version,
                     changedCells: Self.differences(then, now))
    }

    /// A release as it was published: the projection replayed to the release's position, built
    /// with the release's threshold and years. The same input always gives the same release.
    public func report(of publication: Publication) async throws -> StatisticsReport {
        let year = publication.years.count == 1 ? publication.years.first : nil
        let threshold = publication.threshold ?? StatisticsBuilder.defaultThreshold
        let label = "estadisticas_\(publication.logPosition)_\(UInt32.random(in: 0...UInt32.max))"
        let schemas = try await projector.replay(until: publication.logPosition, label: label, only: ["estadisticas"])
        do {
            guard let schema = schemas["estadisticas"] else { throw PublicationError.missingProjections }
            let data = try await StatisticsSource(pool: projector.pool, schema: schema, position: publication.logPosition).read()
            let report = StatisticsBuilder(labels: labels, threshold: threshold).build(data, year: year)
            try await projector.dropReplay(label: label)
            return report
        } catch {
            try? await projector.dropReplay(label: label)
            throw error
        }
    }

    static func differences(_ then: StatisticsReport, _ now: StatisticsReport) -> [(table: String, row: String, column: String, then: Int?, now: Int?)] {
        var changes: [(table: String, row: String, column: String, then: Int?, now: Int?)] = []
        for old in then.tables {
            let new = now.tables.first { $0.id == old.id && $0.year == old.year }
            for (r, row) in old.rows.enumerated() {
                for (c, column) in old.columns.enumerated() {
                    let before = old.published(r, c)
                    let after = new.flatMap { table -> Int? in
                        guard let nr = table.rows.firstIndex(of: row), let nc = table.columns.firstIndex(of: column) else { return nil }
                        return table.published(nr, nc)
                    }
                    if before != after { changes.append(("\(old.year) · \(old.title)", row.label, column.label, before, after)) }
                }
            }
        }
        return changes
    }
}

extension Publication {
    /// The same publication, now that the log gave it a stream and a position.
    func recorded(as result: CommandResult) -> Publication {
        Publication(streamId: result.streamId, position: result.position, date: date, institution: institution, kind: kind, years: years,
                    logPosition: logPosition, definitions: definitions, threshold: threshold, figures: figures, fingerprint: fingerprint)
    }
}
