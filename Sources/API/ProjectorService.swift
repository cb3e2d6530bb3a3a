import Logging
import Projections
import ServiceLifecycle

/// The projector following the log, as a service of the server's service group: it starts and
/// stops with the HTTP server (SIGTERM ends both), and its cancellation reaches the statement it
/// is running (`PostgresConnection.cancellable`). A projection that stops (an event it cannot
/// apply) is logged and retried; `/ready` answers 503 meanwhile.
///
/// With a `ProjectionLeadership`, only the instance holding the leader's lock follows the log; the
/// others try for the lock every `takeoverInterval`, so one of them takes over within seconds of the
/// leader's death.
public struct ProjectorService: Service {
    let projector: Projector
    let logger: Logger
    let retryAfter: Duration
    let leadership: ProjectionLeadership?
    let takeoverInterval: Duration

    public init(projector: Projector, logger: Logger, retryAfter: Duration = .seconds(5), leadership: ProjectionLeadership? = nil,
                takeoverInterval: Duration = .seconds(2)) {
        self.projector = projector
        self.logger = logger
        self.retryAfter = retryAfter
        self.leadership = leadership
        self.takeoverInterval = takeoverInterval
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            guard let leadership else { return await follow(startFirst: false) }
            var announcedFollower = false
            while !Task.isCancelled {
                let leads: Bool
                do { leads = try await leadership.tryAcquire() } catch {
                    logger.warning("no se pudo intentar el candado de líder de las proyecciones", metadata: ["tipo": "\(type(of: error))"])
                    leads = false
                }
                guard leads else {
                    if !announcedFollower { logger.info("otra instancia mantiene las proyecciones; esta espera para relevarla") }
                    announcedFollower = true
                    try? await Task.sleep(for: takeoverInterval)
                    continue
                }
                announcedFollower = false
                logger.info("esta instancia mantiene las proyecciones (líder)")
                // Follow while the lock holds; whichever ends first (lost lock, shutdown) stops the other.
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await follow(startFirst: true) }
                    group.addTask {
                        while !Task.isCancelled, await leadership.stillHeld() { try? await Task.sleep(for: takeoverInterval) }
                    }
                    await group.next()
                    group.cancelAll()
                }
                if !Task.isCancelled { logger.warning("se perdió el candado de líder de las proyecciones; se intentará de nuevo") }
            }
            await leadership.release()
        }
    }

    /// Catches up (rebuilding what changed, when taking over from an older version) and follows, until cancelled.
    private func follow(startFirst: Bool) async {
        while !Task.isCancelled {
            do {
                if startFirst { try await projector.start() }
                try await projector.follow()
            } catch {
                if Task.isCancelled { break }
                logger.error("proyecciones detenidas; se reintenta", metadata: ["error": "\(error)", "segundos": "\(retryAfter.components.seconds)"])
                try? await Task.sleep(for: retryAfter)
            }
        }
    }
}
