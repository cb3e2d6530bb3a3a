import CanonicalJSON
import Catalog
import Commands
import Definitions
import EventLog
import Foundation
import Postgres
import Privacy
import Projections
import TestDatabase

let definitions = repositoryDefinitions

let repositoryProjections: [ProjectionDefinition] = {
    do { return try ProjectionDefinition.loadAll(directory: TestDatabase.repositoryRoot.appendingPathComponent("projections")) } catch {
        fatalError("las proyecciones del repositorio no cargan: \(error)")
    }
}()

/// A migrated database with the command path (as the application) and a projector (as the owner).
struct World {
    let database: TestDatabase
    let store: EventStore
    let handler: CommandHandler
    let owner: ConnectionPool

    static func make() async throws -> World {
        let database = try await TestDatabase.migrated()
        let store = database.store()
        let handler = CommandHandler(definitions: definitions, store: store, vault: DataKeyVault(pool: store.pool, keyring: .generate()))
        return World(database: database, store: store, handler: handler,
                     owner: ConnectionPool(connectionString: database.adminURL, maxConnections: 4))
    }

    func projector(batchSize: Int64 = 50_000, projections: [ProjectionDefinition] = repositoryProjections) -> Projector {
        Projector(pool: owner, projections: projections, batchSize: batchSize)
    }

    @discardableResult
    func run(_ name: String, _ data: JSONValue, stream: String? = nil, institution: String = "FGE-07") async throws -> CommandResult {
        let context = CommandContext(userId: "u", institutionId: institution, client: "pruebas", today: CalendarDate("2024-12-31")!)
        return try await handler.handle(Command(name: name, data: data, streamId: stream, idempotencyKey: UUID().uuidString), context: context)
    }

    func snapshot(schema: String) async throws -> [String: [String]] { try await database.snapshot(schema: schema) }

    func value<T: PostgresDecodable>(_ type: T.Type, _ sql: SQL, _ parameters: [PostgresValue] = []) async throws -> T? {
        try await owner.query(sql, parameters).first?.decode(T.self, 0)
    }
}

/// A person as a caseworker registers them.
func persona(_ fecha: String = "2021-11-09", sexo: String = "mujer") -> JSONValue {
    ["calidad": "victima", "sexo": .string(sexo), "edad": 23, "nacionalidad": "MEX", "fechaDeDeteccion": .string(fecha),
     "institucionQueDetecta": "FGE-07", "formaDeDeteccion": "operativo-de-rescate",
     "lugarDeDeteccion": ["pais": "MEX", "entidad": "07", "municipio": "07101"], "nombre": "Ficticia"]
}

func atencion(_ fecha: String, tipo: String = "atencion-psicologica", clasificacion: String = "asistencia") -> JSONValue {
    ["fecha": .string(fecha), "tipo": .string(tipo), "clasificacion": .string(clasificacion), "institucion": "CEAV", "duracionMinutos": 60]
}
