import CanonicalJSON
import Catalog
import Commands
import Cryptography
import EventLog
import Indicators
import Projections

/// Publishes the indicators annex as an event, and answers "what we published for 2023 versus
/// what we know now".
///
/// A publication keeps every figure as printed plus the log position and ficha versions it was
/// computed with, so `compare` can show three columns: as published, as recomputed today at that
/// same position with those same fichas (which must match: the reproducibility check), and now.
public struct IndicatorPublisher: Sendable {
    let projector: Projector
    let history: IndicatorDefinitionHistory
    /// The fichas on disk: the definitions in force from now on.
    let current: [IndicatorDefinition]

    public init(projector: Projector, history: IndicatorDefinitionHistory, current: [IndicatorDefinition]) {
        self.projector = projector
        self.history = history
        self.current = current
    }

    public struct Published: Sendable {
        public let publication: Publication
        public let results: [IndicatorResult]
        /// The JSON document the fingerprint is of (`AnnexRenderer.json`).
        public let document: String
    }

    /// Records the fichas' versions, brings the projections to the head, computes every ficha for
    /// `years` and records the publication. The caller renders `results` for the public.
    /// `training`: the database is a SINTRA Capacitación one; the document says CAPACITACIÓN in its
    /// first member (`TrainingMark.json`), so its fingerprint can never be that of an official annex.
    public func publish(years: [Int], handler: CommandHandler, context: CommandContext, training: Bool = false) async throws -> Published {
        _ = try await history.adopt(current, handler: handler, context: context)
        try await projector.start()
        let engine = IndicatorEngine(pool: projector.pool, indicators: current, kept: KeptIndicators(projector: projector))
        let results = try await engine.compute(years: years, today: context.today, keep: true)
        let document = training ? String(decoding: CanonicalJSON.serialize(TrainingMark.json(AnnexRenderer.jsonValue(results))), as: UTF8.self)
            : AnnexRenderer.json(results)
        var publication = Publication(
            streamId: "", position: 0, date: context.today, institution: context.institutionId, kind: .indicatorsAnnex, years: years,
            logPosition: results.first?.logPosition ?? 0, definitions: current.map { ($0.id, $0.version) }, threshold: nil,
            figures: results.map(Self.figure), fingerprint: Hex.encode(SHA256.hash(Array(document.utf8))))
        // Publishing the same document again the same day is a retry, not a second publication.
        let recorded = try await handler.handle(Command(name: "registrar-publicacion", data: publication.payload,
                                                        idempotencyKey: "publicacion-anexo-\(publication.fingerprint)"), context: context)
        publication = publication.recorded(as: recorded)
        return Published(publication: publication, results: results, document: document)
    }

    static func figure(_ result: IndicatorResult) -> Publication.Figure {
        Publication.Figure(indicator: result.id, year: result.year, result: result.value.map(IndicatorEngine.format),
                           flag: result.flag?.rawValue, substitution: result.substitution)
    }

    /// One figure of a publication beside its reproduction and its value now.
    public struct Comparison: Sendable {
        public let indicator: String
        public let year: Int
        public let published: Publication.Figure
        /// Recomputed at the publication's position with the fichas in force there.
        public let reproduced: IndicatorResult?
        public let now: IndicatorResult?
        /// Events recorded after the publication that feed the value now.
        public var laterPositions: [Int64] { now?.variables.flatMap(\.positions).filter { $0 > publicationPosition }.sorted() ?? [] }
        let publicationPosition: Int64

        /// The reproduction gives exactly what was published (same substitution, same figure).
        public var reproduces: Bool {
            reproduced.map { IndicatorPublisher.figure($0) == published } ?? false
        }
    }

    public func compare(_ publication: Publication, today: CalendarDate) async throws -> [Comparison] {
        let ids = Set(publication.figures.map(\.indicator))
        let reproduced = try await IndicatorsAsOf(projector: projector, history: history)
            .compute(position: publication.logPosition, years: publication.years, today: publication.date, current: current, only: ids,
                     recompute: true).results
        try await projector.start()
        let now = try await IndicatorEngine(pool: projector.pool, indicators: current, kept: KeptIndicators(projector: projector))
            .compute(years: publication.years, today: today, only: ids, keep: true)
        return publication.figures.map { figure in
            Comparison(indicator: figure.indicator, year: figure.year, published: figure,
                       reproduced: reproduced.first { $0.id == figure.indicator && $0.year == figure.year },
                       now: now.first { $0.id == figure.indicator && $0.year == figure.year },
                       publicationPosition: publication.logPosition)
        }
    }
}
