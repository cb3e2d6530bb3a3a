import Catalog
import EventLog
import Indicators
import Logging
import Postgres
import Projections
import Publications
import ServiceLifecycle

/// Keeps each finished day's indicators ready (`AsOfSnapshots`): once a day is over, the instance
/// that leads the projections computes the indicators as of its end — the years and fichas
/// `GET /v1/indicadores?asOf=` and the Secretaría's page ask for by default — so the usual as-of
/// question is a lookup, never a replay of the log while someone waits. Before it, every finished
/// day of the log without its figures is computed in one pass (`DayEndIndicators`), so an as-of
/// question for any past day is a lookup too.
public struct AsOfPrecomputeService: Service {
    let projector: Projector
    let indicators: [IndicatorDefinition]
    let leadership: ProjectionLeadership?
    let logger: Logger
    /// How often it looks for a finished day without its answer; the first look comes after one
    /// interval, so a starting server first catches its projections up.
    let interval: Duration

    public init(projector: Projector, indicators: [IndicatorDefinition], leadership: ProjectionLeadership?, logger: Logger,
                interval: Duration = .seconds(600)) {
        self.projector = projector
        self.indicators = indicators
        self.leadership = leadership
        self.logger = logger
        self.interval = interval
    }

    /// The years an as-of answer covers unless one year is asked for (the annex's).
    public static let years = Array(2019...2024)

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            var kept: CalendarDate?
            // The last day end already looked at: later passes read only the log after it.
            var dayEndsThrough: Int64 = 0
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                let yesterday = CalendarDate.today().adding(days: -1)
                guard kept != yesterday, leadership?.isLeader ?? true else { continue }
                let started = ContinuousClock.now
                do {
                    // Every finished day without its figures, in one pass (a log loaded from elsewhere, or days
                    // before this release); then yesterday's default answer, now a lookup.
                    let (days, through) = try await DayEndIndicators(projector: projector, current: indicators, years: Self.years)
                        .keepMissing(today: CalendarDate.today(), after: dayEndsThrough)
                    dayEndsThrough = through
                    if !days.isEmpty {
                        logger.info("indicadores al cierre de días pasados guardados", metadata: [
                            "dias": "\(days.count)", "duracion": "\(ContinuousClock.now - started)"])
                    }
                    let computation = try await Self.keep(day: yesterday, projector: projector, indicators: indicators)
                    kept = yesterday
                    logger.info("indicadores al cierre del día listos", metadata: [
                        "fecha": "\(yesterday)", "guardados": "\(computation.kept ? "ya estaban" : "ahora")", "duracion": "\(ContinuousClock.now - started)"])
                } catch {
                    logger.warning("no se pudieron calcular los indicadores al cierre del día", metadata: ["fecha": "\(yesterday)", "tipo": "\(type(of: error))"])
                }
            }
        }
    }

    /// The indicators as of the end of `day` (UTC, as every as-of date here), computed and kept
    /// unless they already were.
    public static func keep(day: CalendarDate, projector: Projector, indicators: [IndicatorDefinition]) async throws -> IndicatorsAsOf.Computation {
        guard let end = Timestamp(endOfDay: day.description) else { throw APIProblem.malformed("fecha no válida", path: "asOf") }
        let position = try await projector.position(recordedAtOrBefore: end)
        return try await IndicatorsAsOf(projector: projector, history: IndicatorDefinitionHistory(pool: projector.pool))
            .compute(position: position, years: years, today: day, current: indicators)
    }
}
