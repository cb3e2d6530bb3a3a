import API
import CanonicalJSON
import Catalog
import Commands
import Foundation
import EventLog
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import TestDatabase
import Testing

/// Case-file reads from a read replica (`SINTRA_READ_DATABASE_URL`). The replica here is a copy of
/// the database taken at one moment and never updated — a replica that fell behind and stays there —
/// so that where a read was served, and whether the position token waits for the replica, both show.
/// (A real streaming replica is exercised by ops/drill-failover.)
@Suite(.needsDatabase) struct ReadReplicaTests {
    @Test func readsGoToTheReplicaAndAPositionTokenWaitsForIt() async throws {
        let world = try await APIWorld.make()
        try await world.account("cap.fgr", "FGR", [.capturista])
        let (token, before) = try await world.test { client in
            let token = try await client.login("cap.fgr")
            let before = try await client.command("registrar-persona", persona(), token: token)
            return (token, try #require(before.json["flujo"]?.stringValue))
        }
        try await world.catchUp()

        var services = world.services
        services.readReplica = try await frozenReplica(of: world)
        let app = APIServer(services: services, configuration: world.server.configuration)
            .application(host: "127.0.0.1", port: 0, logger: Logger(label: "pruebas"))
        try await app.test(.router) { raw in
            let client = Client(client: raw)
            let after = try await client.command("registrar-persona", persona(), token: token)
            #expect(after.status == 201, "\(after.text)")
            let location = try #require(after.headers[.location])
            let stream = try #require(after.json["flujo"]?.stringValue)
            // The case from before the copy is on the replica; the new one is only on the primary.
            #expect(try await client.call(.get, "/v1/expedientes/\(before)", token: token).status == 200)
            #expect(try await client.call(.get, "/v1/expedientes/\(stream)", token: token).status == 404)
            let list = try await client.call(.get, "/v1/expedientes", token: token)
            #expect(list.json["expedientes"]?.arrayValue?.count == 1, "\(list.text)")
            // With the position token the read waits for the replica instead of answering from the past.
            let waited = try await client.call(.get, location, token: token)
            #expect(waited.status == 503 && waited.headers[.retryAfter] == "1", "\(waited.text)")
        }
    }

    /// Today's indicators, report runs and live statistics are read on the replica too; a report as of
    /// a date rebuilds scratch copies, which a standby cannot write, so it runs on the primary.
    @Test func indicatorsReportsAndLiveStatisticsReadTheReplicaAsOfStaysOnThePrimary() async throws {
        let world = try await APIWorld.make(statisticsThreshold: 1)
        try await world.account("st.replica", "FGR", [.secretariaTecnica, .capturista])
        let context = CommandContext(userId: "capturista", institutionId: "FGR", client: "pruebas", today: .today())
        let training = try #require(repositoryDefinitions.latest("CapacitacionImpartida")?.examples.first)
        let handler = world.services.handler
        func record() async throws {
            let stream = try await handler.handle(Command(name: "registrar-persona", data: persona(), idempotencyKey: UUID().uuidString), context: context).streamId
            _ = try await handler.handle(Command(name: "validar-registro", data: ["fecha": "2024-03-03", "versionValidada": 1], streamId: stream,
                                                 idempotencyKey: UUID().uuidString), context: context)
            _ = try await handler.handle(Command(name: "registrar-capacitacion", data: training, idempotencyKey: UUID().uuidString), context: context)
        }
        let report: JSONValue = ["titulo": "Capacitaciones", "fuente": "CapacitacionImpartida", "filas": "modalidad", "columnas": "anio", "medida": "registros"]
        @Sendable func answers(_ client: Client) async throws -> (live: String, indicators: String, total: Double?, totalToday: Double?) {
            let token = try await client.login("st.replica")
            let live = try await client.call(.get, "/v1/estadisticas/vigentes?anio=2024", token: token)
            let indicators = try await client.call(.get, "/v1/indicadores?anio=2024", token: token)
            let run = try await client.call(.post, "/v1/reportes/ejecutar", token: token, body: report)
            let asOf = try await client.call(.post, "/v1/reportes/ejecutar?asOf=\(CalendarDate.today())", token: token, body: report)
            #expect(live.status == 200 && indicators.status == 200 && run.status == 200 && asOf.status == 200, "\(live.text) \(indicators.text) \(run.text) \(asOf.text)")
            return (live.text, indicators.text, run.json["total"]?.numberValue, asOf.json["total"]?.numberValue)
        }
        try await record()
        try await world.catchUp()
        let before = try await world.test(answers)
        var services = world.services
        services.readReplica = try await frozenReplica(of: world)
        try await record()
        try await world.catchUp()

        let primary = try await world.test(answers)
        #expect(primary.total == 2 && primary.totalToday == 2 && primary.live != before.live && primary.indicators != before.indicators, "el primario tiene los dos registros")
        let app = APIServer(services: services, configuration: world.server.configuration)
            .application(host: "127.0.0.1", port: 0, logger: Logger(label: "pruebas"))
        let replica = try await app.test(.router) { raw in try await answers(Client(client: raw)) }
        #expect(replica.live == before.live, "las cifras vigentes, de la réplica detenida")
        #expect(replica.indicators == before.indicators, "las fichas de hoy, de la réplica detenida")
        #expect(replica.total == 1, "el reporte de hoy, de la réplica detenida")
        #expect(replica.totalToday == 2, "el reporte «como estaba el» día de hoy, del primario")
    }
}

/// A copy of the world's database taken now and never updated: a replica that fell behind and stays
/// there. Every session of the source ends first (CREATE DATABASE … TEMPLATE needs it alone).
private func frozenReplica(of world: APIWorld) async throws -> EventStore {
    let copy = world.database.name + "r"
    let cluster = try await PostgresConnection.connect(try #require(ProcessInfo.processInfo.environment["SINTRA_TEST_ADMIN_URL"]))
    try await cluster.execute(SQLScript("""
        SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = '\(world.database.name)'
        """, origin: "test"))
    try await cluster.execute(SQLScript("CREATE DATABASE \"\(copy)\" TEMPLATE \"\(world.database.name)\"", origin: "test"))
    await cluster.close()
    return EventStore(pool: ConnectionPool(connectionString: world.database.appURL.replacingOccurrences(
        of: "dbname=\(world.database.name)", with: "dbname=\(copy)"), maxConnections: 2))
}
