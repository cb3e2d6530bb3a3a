import Catalog
import Indicators
import Logging
import Postgres
import Projections
import Publications
import ServiceLifecycle

/// Keeps the indicators at each position where the log goes still (`KeptIndicators`, issue 21): once
/// the projections the fichas read have stood at one position for a whole interval, the instance that
/// leads the projections computes every ficha for the usual years there and keeps the variables. Until
/// something new is recorded, the programme's pages, `GET /v1/indicadores` and the annex read them
/// with one indexed lookup instead of the fichas' SQL over every case and attention; as-of answers at
/// that position too. While the log keeps moving nothing is kept (each reading computes, as before),
/// so a busy server spends no time on figures nobody could look up.
public struct IndicatorKeeperService: Service {
    let projector: Projector
    let indicators: [IndicatorDefinition]
    let leadership: ProjectionLeadership?
    let logger: Logger
    let interval: Duration

    public init(projector: Projector, indicators: [IndicatorDefinition], leadership: ProjectionLeadership?, logger: Logger,
                interval: Duration = .seconds(2)) {
        self.projector = projector
        self.indicators = indicators
        self.leadership = leadership
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            var seen: Int64?
            var kept: Int64?
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                guard leadership?.isLeader ?? true else { seen = nil; continue }
                do {
                    let position = try await Self.commonPosition(projector.pool)
                    defer { seen = position }
                    guard let position, position == seen, position != kept else { continue }
                    let started = ContinuousClock.now
                    _ = try await IndicatorEngine(pool: projector.pool, indicators: indicators, kept: KeptIndicators(projector: projector))
                        .compute(years: AsOfPrecomputeService.years, today: .today(), keep: true, provenance: false)
                    kept = position
                    logger.info("indicadores guardados en la posición", metadata: [
                        "posicion": "\(position)", "duracion": "\(ContinuousClock.now - started)"])
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("no se pudieron guardar los indicadores", metadata: ["tipo": "\(type(of: error))"])
                }
            }
        }
    }

    /// The position both projections the fichas read stand at, or nil while they stand apart.
    static func commonPosition(_ pool: ConnectionPool) async throws -> Int64? {
        let standing = try await pool.withConnection { try await IndicatorEngine.livePosition($0) }
        return standing.atOnePosition ? standing.position : nil
    }
}
