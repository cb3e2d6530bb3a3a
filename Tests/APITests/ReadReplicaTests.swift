import API
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

        // The copy: every session of the source ends first (CREATE DATABASE … TEMPLATE needs it alone).
        let copy = world.database.name + "r"
        let cluster = try await PostgresConnection.connect(try #require(ProcessInfo.processInfo.environment["SINTRA_TEST_ADMIN_URL"]))
        try await cluster.execute(SQLScript("""
            SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = '\(world.database.name)'
            """, origin: "test"))
        try await cluster.execute(SQLScript("CREATE DATABASE \"\(copy)\" TEMPLATE \"\(world.database.name)\"", origin: "test"))
        await cluster.close()
        var services = world.services
        services.readReplica = EventStore(pool: ConnectionPool(connectionString: world.database.appURL.replacingOccurrences(
            of: "dbname=\(world.database.name)", with: "dbname=\(copy)"), maxConnections: 2))
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
}
