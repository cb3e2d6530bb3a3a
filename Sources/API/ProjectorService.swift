import Logging
import Projections
import ServiceLifecycle

/// The projector following the log, as a service of the server's service group: it starts and
/// stops with the HTTP server (SIGTERM ends both), and its cancellation reaches the statement it
/// is running (`PostgresConnection.cancellable`). A projection that stops (an event it cannot
/// apply) is logged and retried; `/ready` answers 503 meanwhile.
public struct ProjectorService: Service {
    let projector: Projector
    let logger: Logger
    let retryAfter: Duration

    public init(projector: Projector, logger: Logger, retryAfter: Duration = .seconds(5)) {
        self.projector = projector
        self.logger = logger
        self.retryAfter = retryAfter
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await projector.follow() } catch {
                    if Task.isCancelled { break }
                    logger.error("proyecciones detenidas; se reintenta", metadata: ["error": "\(error)", "segundos": "\(retryAfter.components.seconds)"])
                    try? await Task.sleep(for: retryAfter)
                }
            }
        }
    }
}
