import CanonicalJSON
import EventLog
import Foundation
import Postgres
import Projections
import Publications
import Statistics

/// What anonymous clients may make the server compute, bounded: whatever the number of clients or
/// addresses, the public statistics cost at most one computation per change of the data behind them.
///
/// - The export (`/v1/estadisticas/exportacion/{archivo}`) is the **last published release**:
///   recomputed once per release (the projection replayed to the release's position, with its
///   threshold), then served from memory. A release is immutable, so nothing a client sends can
///   make it recompute; a name that is not a file of the export is refused before any work.
/// - The public tables (`/v1/estadisticas`) are the **last published release of each year**, never
///   the live figures: polling them before and after a registration shows nothing until a release
///   (which the release rules hold until enough has changed). Each release is rebuilt once (replayed
///   to its position) and kept.
/// - The live tables (`/v1/estadisticas/vigentes`, for roles that read the statistics internally)
///   are computed once per position of the `estadisticas` projection and format.
public actor PublicStatistics {
    private let projector: Projector
    /// Where the live tables are read (`APIServices.analyticsPool`: the read replica when there is one).
    private let reads: ConnectionPool
    private let labels: Labels
    private let threshold: Int

    /// The export files of one release, by name.
    struct Export: Sendable {
        let release: Publication
        let files: [String: Data]
    }

    private var export: Task<Export, any Error>?
    private var exportRelease: Int64?
    private var tables: [String: (position: Int64, task: Task<String, any Error>)] = [:]
    private var releases: [Int64: Task<StatisticsReport, any Error>] = [:]
    /// Rendered answers of the public endpoint, by the releases they are made of, year and format.
    private var bodies: [String: String] = [:]
    /// How many releases and tables were computed: what a flood of anonymous requests cost.
    private(set) var computations = 0

    init(projector: Projector, labels: Labels, threshold: Int, reads: ConnectionPool? = nil) {
        self.projector = projector
        self.reads = reads ?? projector.pool
        self.labels = labels
        self.threshold = threshold
    }

    /// The same statistics with the live tables read from `pool` (nothing computed yet is kept).
    nonisolated func reading(from pool: ConnectionPool?) -> PublicStatistics {
        PublicStatistics(projector: projector, labels: labels, threshold: threshold, reads: pool)
    }

    /// Names the export can hold: its descriptor, the whole series and one year, in CSV or JSON.
    static func isExportName(_ name: String) -> Bool {
        name == DataPackage.descriptorName || name.range(of: "^estadisticas-(serie|[0-9]{4})\\.(csv|json)$", options: .regularExpression) != nil
    }

    /// The export of the last statistics release; nil when none has been published. Finding the
    /// release is one indexed query; building its files happens once per release.
    func lastRelease() async throws -> Export? {
        guard let release = try await Publication.latest(.statistics, projector.pool) else { return nil }
        if exportRelease != release.position || export == nil {
            exportRelease = release.position
            export = Task { [self] in
                Export(release: release, files: try Self.files(of: try await self.report(of: release)))
            }
        }
        do {
            return try await export!.value
        } catch {
            // A failed build (the database went away) is not kept: the next request tries again.
            if exportRelease == release.position { export = nil }
            throw error
        }
    }

    /// The export files of `report`, written to a private temporary folder and read back.
    private static func files(of report: StatisticsReport) throws -> [String: Data] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sintra-exportacion-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var files: [String: Data] = [:]
        for name in try DataPackage.export(report, to: folder, wholeSeries: true) {
            files[name] = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
        }
        return files
    }

    /// The last release of each year (of `year` only, if given), as published: nil when none covers it.
    func released(year: Int?, format: String) async throws -> String? {
        let parts = try await releasedReports(year: year)
        guard !parts.isEmpty else { return nil }
        let key = parts.map { "\($0.release.position)" }.joined(separator: ",") + "|\(year.map(String.init) ?? "todos")|\(format)"
        if let known = bodies[key] { return known }
        let body = try render(parts, year: year, format: format)
        bodies[key] = body
        return body
    }

    /// The last release of each year (of `year` only), each restricted to its year, oldest year
    /// first: the suppressed tables as published, for the public API and the web's public portal.
    public func releasedReports(year: Int?) async throws -> [(release: Publication, report: StatisticsReport)] {
        let all = try await Publication.all(projector.pool).filter { $0.kind == .statistics }
        let years = year.map { [$0] } ?? Set(all.flatMap(\.years)).sorted()
        var parts: [(release: Publication, report: StatisticsReport)] = []
        for item in years {
            guard let release = all.last(where: { $0.years.contains(item) }) else { continue }
            parts.append((release, try await report(of: release).restricted(to: item)))
        }
        return parts
    }

    private func render(_ parts: [(release: Publication, report: StatisticsReport)], year: Int?, format: String) throws -> String {
        if format == "csv" {
            // One block per year, each with its own rule (releases of different years may use different thresholds).
            return parts.enumerated().map { index, part in
                let text = StatisticsRenderer.csv(part.report)
                return index == 0 ? text : text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).enumerated()
                    .filter { $0.offset != 1 }.map { String($0.element) }.joined(separator: "\n")
            }.joined()
        }
        let documents = try parts.map { part -> JSONValue in
            var document = try CanonicalJSON.parse(StatisticsRenderer.json(part.report))
            if case .object(var members) = document {
                members.append(.init(key: "entrega", value: [
                    "publicacion": .string(part.release.streamId), "fecha": .string(part.release.date.description),
                    "posicionDelRegistro": .number(Double(part.release.logPosition)), "huella": .string(part.release.fingerprint),
                    "umbral": part.release.threshold.map { .number(Double($0)) } ?? .null,
                ]))
                document = .object(members)
            }
            return document
        }
        var body: JSONValue = year != nil ? documents[0] : [
            "titulo": .string(StatisticsRenderer.title(parts[0].report)),
            "nota": "La última entrega publicada de cada año; cada una lleva su regla de confidencialidad y su umbral.",
            "entregas": .array(documents),
        ]
        // Each release of a training database already says so; the envelope says it first too.
        if year == nil, parts[0].report.training { body = TrainingMark.marking(body) }
        return String(decoding: CanonicalJSON.serialize(body), as: UTF8.self)
    }

    /// A release's tables, rebuilt once per release and kept (a release never changes).
    private func report(of release: Publication) async throws -> StatisticsReport {
        if let known = releases[release.position] {
            do { return try await known.value } catch { releases[release.position] = nil; throw error }
        }
        computations += 1
        let (projector, labels) = (self.projector, self.labels)
        let task = Task { try await StatisticsPublisher(projector: projector, labels: labels).report(of: release) }
        releases[release.position] = task
        do { return try await task.value } catch { releases[release.position] = nil; throw error }
    }

    /// The current tables for `year` in `format` (`json` or `csv`), computed once per position of
    /// the statistics projection.
    func current(year: Int?, format: String) async throws -> String {
        // The position and the tables from the same database, so a cached table is never paired with
        // another server's position.
        let position = try await reads.query("SELECT position FROM projection_state WHERE name = 'estadisticas'")
            .first?.decode(Int64.self, 0) ?? 0
        let key = "\(year.map(String.init) ?? "todos")/\(format)"
        if let cached = tables[key], cached.position == position { return try await value(of: cached.task, key: key) }
        let (reads, labels, threshold) = (self.reads, self.labels, self.threshold)
        computations += 1
        let task = Task<String, any Error> {
            let report = StatisticsBuilder(labels: labels, threshold: threshold).build(try await StatisticsSource(pool: reads).read(), year: year)
            return format == "csv" ? StatisticsRenderer.csv(report) : StatisticsRenderer.json(report)
        }
        tables[key] = (position, task)
        return try await value(of: task, key: key)
    }

    private func value(of task: Task<String, any Error>, key: String) async throws -> String {
        do { return try await task.value } catch {
            tables[key] = nil
            throw error
        }
    }
}
