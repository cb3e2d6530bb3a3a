import CanonicalJSON
import Catalog
import Commands
import EventLog
import Foundation
import Postgres
import Privacy
import Projections

/// The repository's own projections, as `ops/run` loads them.
public let repositoryProjections: [ProjectionDefinition] = {
    do { return try ProjectionDefinition.loadAll(directory: TestDatabase.repositoryRoot.appendingPathComponent("projections")) } catch {
        fatalError("las proyecciones del repositorio no cargan: \(error)")
    }
}()

/// A migrated database with the command path (as the application, with a fresh keyring), a pool as
/// the projector's role for projectors and one as the superuser for inspection: the fixture every suite that writes events
/// starts from, adding its own services (accounts, the API, case files, publications, indicators).
public struct ProjectionWorld: Sendable {
    public let database: TestDatabase
    public let store: EventStore
    public let handler: CommandHandler
    /// The superuser, for what tests inspect or tamper with.
    public let owner: ConnectionPool
    /// `sintra_proyector`, as `sintra serve` and `sintra projections` connect.
    public let projectorPool: ConnectionPool

    public static func make() async throws -> ProjectionWorld {
        let database = try await TestDatabase.migrated()
        let store = database.store()
        let handler = CommandHandler(definitions: repositoryDefinitions, store: store, vault: DataKeyVault(pool: store.pool, keyring: .generate()))
        return ProjectionWorld(database: database, store: store, handler: handler,
                               owner: ConnectionPool(connectionString: database.adminURL, maxConnections: 4),
                               projectorPool: ConnectionPool(connectionString: database.projectorURL, maxConnections: 4))
    }

    public func projector(batchSize: Int64 = 50_000, projections: [ProjectionDefinition] = repositoryProjections) -> Projector {
        Projector(pool: projectorPool, projections: projections, batchSize: batchSize)
    }

    /// Runs a command as `institution` on 2024-12-31; a rejection throws with its problems.
    @discardableResult
    public func run(_ name: String, _ data: JSONValue, stream: String? = nil, institution: String = "FGE-07") async throws -> CommandResult {
        let context = CommandContext(userId: "u", institutionId: institution, client: "pruebas", today: CalendarDate("2024-12-31")!)
        return try await handler.handle(Command(name: name, data: data, streamId: stream, idempotencyKey: UUID().uuidString), context: context)
    }

    public func snapshot(schema: String) async throws -> [String: [String]] { try await database.snapshot(schema: schema) }

    public func value<T: PostgresDecodable>(_ type: T.Type, _ sql: SQL, _ parameters: [PostgresValue] = []) async throws -> T? {
        try await owner.query(sql, parameters).first?.decode(T.self, 0)
    }
}
