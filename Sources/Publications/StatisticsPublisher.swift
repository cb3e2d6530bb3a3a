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

    /// Records a release of `year` (or of every year with data), after the release rules (README
    /// "Releases"): a year already released is never re-released at a lower threshold; every cell an
    /// earlier release of the year suppressed stays suppressed; and a new release is held while, in
    /// some table, what changed since the year's last release is between 1 and the threshold units
    /// (one person registered in between would otherwise be isolated by differencing the two).
    public func publish(year: Int?, threshold: Int, ageBands: String = StatisticsBuilder.defaultAgeBands,
                        handler: CommandHandler, context: CommandContext) async throws -> Published {
        guard labels.ageBandCatalogs.contains(ageBands) else {
            throw PublicationError.refused("no hay un catálogo de grupos de edad «\(ageBands)»; use \(labels.ageBandCatalogs.joined(separator: ", "))")
        }
        try await projector.start()
        let data = try await StatisticsSource(pool: projector.pool).read()
        let builder = StatisticsBuilder(labels: labels, threshold: threshold, ageBands: ageBands)
        let years = builder.build(data, year: year).years
        guard !years.isEmpty else { throw PublicationError.notFound("de estadísticas: no hay datos publicables para ese año") }
        let releases = try await Publication.all(projector.pool).filter { $0.kind == .statistics }
        var kept = SuppressedCells()
        var earlier: [Int: StatisticsReport] = [:]
        var memo: [Int64: StatisticsReport] = [:]
        for item in years {
            guard let previous = releases.last(where: { $0.years.contains(item) }) else { continue }
            if let used = previous.threshold, threshold < used {
                throw PublicationError.refused("el año \(item) ya se publicó con umbral \(used) (\(previous.streamId)); una nueva entrega no puede usar un umbral menor (\(threshold)), "
                    + "porque dejaría ver lo que la anterior protegió")
            }
            if Self.ageBands(of: previous) != ageBands {
                throw PublicationError.refused("el año \(item) ya se publicó con los grupos de edad «\(Self.ageBands(of: previous))»; una nueva entrega del año usa los mismos, "
                    + "porque comparar dos agrupaciones de las mismas personas dejaría ver grupos pequeños")
            }
            let report = try await self.report(of: previous, releases: releases, memo: &memo).restricted(to: item)
            kept.formUnion(SuppressedCells(report))
            earlier[item] = report
        }
        let report = builder.build(data, year: year, kept: kept)
        for (item, before) in earlier.sorted(by: { $0.key < $1.key }) {
            if let change = Self.smallestChange(from: before, to: report.restricted(to: item), threshold: threshold) {
                throw PublicationError.refused("la entrega de \(item) se retiene: desde la anterior cambiaron \(change.units) unidades en «\(change.table)», "
                    + "de 1 a \(threshold); compararlas aislaría a esas personas. Se podrá publicar cuando se acumulen más cambios")
            }
        }
        let document = StatisticsRenderer.json(report)
        let version = projector.projection("estadisticas")?.version ?? 1
        var publication = Publication(
            streamId: "", position: 0, date: context.today, institution: context.institutionId, kind: .statistics, years: report.years,
            logPosition: report.logPosition, definitions: [("estadisticas", version), (ageBands, 1)], threshold: threshold, figures: [],
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
        let now = StatisticsBuilder(labels: labels, threshold: threshold, ageBands: Self.ageBands(of: publication))
            .build(try await StatisticsSource(pool: projector.pool).read(), year: year)
        let fingerprint = Hex.encode(SHA256.hash(Array(StatisticsRenderer.json(then).utf8)))
        let version = projector.projection("estadisticas")?.version ?? 1
        return Check(publication: publication, reproduces: fingerprint == publication.fingerprint,
                     versionNow: publication.definitions.first { $0.key == "estadisticas" }?.version == version ? nil : version,
                     changedCells: Self.differences(then, now))
    }

    /// A release as it was published: the projection replayed to the release's position, built
    /// with the release's threshold and years. The same input always gives the same release.
    public func report(of publication: Publication) async throws -> StatisticsReport {
        var memo: [Int64: StatisticsReport] = [:]
        return try await report(of: publication, releases: try await Publication.all(projector.pool).filter { $0.kind == .statistics }, memo: &memo)
    }

    /// A release as published, with the cells the releases before it suppressed kept suppressed.
    func report(of publication: Publication, releases: [Publication], memo: inout [Int64: StatisticsReport]) async throws -> StatisticsReport {
        if let known = memo[publication.position] { return known }
        var kept = SuppressedCells()
        for item in publication.years {
            guard let previous = releases.last(where: { $0.position < publication.position && $0.years.contains(item) }) else { continue }
            kept.formUnion(SuppressedCells(try await report(of: previous, releases: releases, memo: &memo).restricted(to: item)))
        }
        let report = try await replayed(publication, kept: kept)
        memo[publication.position] = report
        return report
    }

    /// The age-band catalogue a release used: recorded among its definitions; releases made before
    /// bands were a catalogue used the former fixed bands.
    public static func ageBands(of publication: Publication) -> String {
        publication.definitions.first { $0.key.hasPrefix("grupos-de-edad-") }?.key ?? StatisticsBuilder.formerAgeBands
    }

    /// The table of `after` whose changed units since `before` (the sum of the absolute changes of
    /// its inner cells: a new person counts 1, a corrected one 2) are from 1 to the threshold.
    public static func smallestChange(from before: StatisticsReport, to after: StatisticsReport, threshold: Int) -> (table: String, units: Int)? {
        for table in after.tables {
            let old = before.tables.first { $0.id == table.id && $0.year == table.year }
            var units = 0
            var seen: Set<String> = []
            func value(_ t: StatisticsTable?, _ row: String, _ column: String) -> Int {
                guard let t, let r = t.rows.firstIndex(where: { $0.code == row }), let c = t.columns.firstIndex(where: { $0.code == column }) else { return 0 }
                return t.grid[r][c]
            }
            for source in [table, old].compactMap({ $0 }) {
                for row in source.rows {
                    for column in source.columns where seen.insert("\(row.code)|\(column.code)").inserted {
                        units += abs(value(table, row.code, column.code) - value(old, row.code, column.code))
                    }
                }
            }
            if (1...threshold).contains(units) { return (table.title, units) }
        }
        return nil
    }

    /// The projection replayed to the release's position, built with its threshold, years and the
    /// cells kept suppressed by earlier releases. The same input always gives the same release.
    func replayed(_ publication: Publication, kept: SuppressedCells) async throws -> StatisticsReport {
        let year = publication.years.count == 1 ? publication.years.first : nil
        let threshold = publication.threshold ?? StatisticsBuilder.defaultThreshold
        let ageBands = Self.ageBands(of: publication)
        let label = "estadisticas_\(publication.logPosition)_\(UInt32.random(in: 0...UInt32.max))"
        return try await projector.withReplay(until: publication.logPosition, label: label, only: ["estadisticas"]) { [projector, labels] schemas in
            guard let schema = schemas["estadisticas"] else { throw PublicationError.missingProjections }
            let data = try await StatisticsSource(pool: projector.pool, schema: schema, position: publication.logPosition).read()
            return StatisticsBuilder(labels: labels, threshold: threshold, ageBands: ageBands).build(data, year: year, kept: kept)
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
