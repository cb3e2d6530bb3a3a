import Postgres

/// Which of several `sintra serve` instances keeps the projections: the one holding a session-level
/// PostgreSQL advisory lock on a connection of its own. When that instance dies (even `kill -9`)
/// its connection closes, PostgreSQL releases the lock, and another instance takes it at its next
/// try, within `ProjectorService.takeoverInterval`. A leader that finds its connection gone stops
/// following at once and competes again.
///
/// Leadership decides who *follows* the log; it is not what keeps projections correct. Every batch
/// is applied under the projection's own transaction lock with its checkpoint (`Projector`), so a
/// brief overlap (an old leader that has not yet noticed) or a reader catching a projection up for
/// read-your-writes never applies an event twice.
public final class ProjectionLeadership: Sendable {
    /// The lock's key, apart from the per-projection transaction locks (`sintra.proyeccion.NAME`).
    static let lockName = "sintra.proyector.lider"

    let connectionString: String
    let metrics: ServerMetrics?
    private let held = Locked<PostgresConnection?>(nil)

    public init(connectionString: String, metrics: ServerMetrics? = nil) {
        self.connectionString = connectionString
        self.metrics = metrics
    }

    public var isLeader: Bool { held.withLock { $0 } != nil }

    /// Takes the lock if it is free; true when this instance leads (already or now).
    public func tryAcquire() async throws -> Bool {
        if isLeader { return true }
        let connection = try await PostgresConnection.connect(connectionString)
        let rows = try await connection.query("SELECT pg_try_advisory_lock(hashtext($1))", [.text(Self.lockName)])
        guard try rows.first?.decode(Bool.self, 0) == true else {
            await connection.close()
            return false
        }
        held.withLock { $0 = connection }
        metrics?.leader.withLock { $0 = true }
        return true
    }

    /// Whether the lock is still this instance's: its connection still answers.
    func stillHeld() async -> Bool {
        guard let connection = held.withLock({ $0 }) else { return false }
        do {
            _ = try await connection.query("SELECT 1")
            return true
        } catch {
            await release()
            return false
        }
    }

    /// Gives the lock up (closing its connection releases it).
    public func release() async {
        let connection = held.withLock { value in
            defer { value = nil }
            return value
        }
        metrics?.leader.withLock { $0 = false }
        await connection?.close()
    }
}
