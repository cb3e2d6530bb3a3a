import Accounts
@testable import API
import CanonicalJSON
import Commands
import Foundation
import Publications
import Statistics
import TestDatabase
import Testing

/// The API attacked from outside: floods of made-up tokens, a guesser probing a suspended account,
/// caches that keep personal data, anonymous requests that make the server work.
@Suite(.needsDatabase) struct AttackTests {
    /// 1,000 random bearer tokens used to get 1,000 × 401 and 0 × 429, each costing a query:
    /// authentication ran before the per-address limit.
    @Test func aFloodOfRandomTokensMeetsTheAddressLimitBeforeAnyTokenIsChecked() async throws {
        var configuration = APIServer.Configuration()
        configuration.perAddress = (0.01, 20)  // a burst of 20, then one request per 100 s
        let world = try await APIWorld.make(configuration: configuration)
        let statuses: [Int] = try await world.test { client in
            var statuses: [Int] = []
            for _ in 0..<100 {
                let token = "sintra_at_" + UUID().uuidString.replacingOccurrences(of: "-", with: "") + "AAAAAAAAAAA"
                statuses.append(try await client.call(.get, "/v1/expedientes", token: token).status)
            }
            return statuses
        }
        #expect(statuses.filter { $0 == 401 }.count == 20, "\(statuses)")
        #expect(statuses.filter { $0 == 429 }.count == 80)
    }

    /// A suspended account answered 403 to the right password and 401 to a wrong one.
    @Test func aSuspendedAccountGivesAGuesserTheSameAnswerForTheRightPassword() async throws {
        let world = try await APIWorld.make()
        let user = try await world.account("cap.suspendida", "FGE-07", [.capturista])
        _ = try await world.services.accounts.suspend(user, reason: "Licencia.", by: .console)
        let (right, wrong) = try await world.test { client in
            (try await client.call(.post, "/v1/sesiones", body: ["usuario": "cap.suspendida", "contrasena": .string(APIWorld.password)]),
             try await client.call(.post, "/v1/sesiones", body: ["usuario": "cap.suspendida", "contrasena": "otra contraseña larga"]))
        }
        #expect(right.status == 401 && wrong.status == 401, "\(right.text)")
        #expect(right.text == wrong.text)
    }

    /// A case read with its personal data opened must not be kept by any cache, nor share a
    /// validator with its redacted form; the auditor sees who opened it (a person, an institution)
    /// and the stated purpose, which used to come back encrypted as null.
    @Test func openedPersonalDataIsNeverCachedAndTheAuditorSeesWhoAndWhy() async throws {
        let world = try await APIWorld.make()
        try await world.account("cap.a", "FGE-07", [.capturista])
        try await world.account("auditoria", "SEGOB", [.auditor])
        try await world.catchUp()
        try await world.test { client in
            let cap = try await client.login("cap.a"), auditor = try await client.login("auditoria")
            let registered = try await client.command("registrar-persona", persona(), token: cap)
            let stream = try #require(registered.json["flujo"]?.stringValue)
            let position = registered.json["posicion"]?.int64Value ?? 0
            let redacted = try await client.call(.get, "/v1/expedientes/\(stream)?posicion=\(position)", token: cap)
            let purpose = "Seguimiento de la canalización FGE-2024-3"
            let opened = try await client.call(
                .get, "/v1/expedientes/\(stream)?datosPersonales=true&finalidad=\(purpose.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", token: cap)
            #expect(opened.status == 200 && opened.text.contains("Zenaida"))
            #expect(opened.headers[.cacheControl] == "no-store")
            #expect(redacted.headers[.cacheControl] == nil && redacted.headers[.eTag] != opened.headers[.eTag])
            let reads = try await client.call(.get, "/v1/auditoria/consultas/\(stream)", token: auditor)
            #expect(reads.headers[.cacheControl] == "no-store")
            let read = try #require(reads.json["consultas"]?[0])
            #expect(read["finalidad"] == .string(purpose), "\(reads.text)")
            #expect(read["persona"] == "Persona cap.a" && read["institucion"] == "FGE-07" && read["nombreDeLaInstitucion"]?.stringValue != nil)
        }
    }

    /// The export used to be built on every anonymous request (353–547 ms), even for a file name
    /// that does not exist. Now it is the last release, built once; an unknown name costs nothing.
    @Test func anonymousStatisticsCostOneComputationPerReleaseOrChange() async throws {
        let world = try await APIWorld.make(statisticsThreshold: 1)
        try await world.catchUp()
        let statistics = try #require(world.services.publicStatistics)
        try await world.test { (client: Client) async throws -> Void in
            for name in ["no-existe.json", "estadisticas-.csv", "claves.json"] {
                #expect(try await client.call(.get, "/v1/estadisticas/exportacion/\(name)").status == 404)
            }
            #expect(try await client.call(.get, "/v1/estadisticas/exportacion/datapackage.json").status == 404, "nothing published yet")
        }
        #expect(await statistics.computations == 0)
        // One person counted in the statistics: validated, with consent to count.
        let context = CommandContext(userId: "capturista", institutionId: "FGE-07", client: "pruebas", today: .today())
        let handler = world.services.handler
        let stream = try await handler.handle(Command(name: "registrar-persona", data: persona(), idempotencyKey: UUID().uuidString), context: context).streamId
        _ = try await handler.handle(Command(name: "registrar-consentimiento", data: [
            "fecha": "2024-03-02", "compartirConOtrasInstituciones": true, "contarEnEstadisticas": true, "fundamento": "consentimiento-expreso-de-la-persona",
        ], streamId: stream, idempotencyKey: UUID().uuidString), context: context)
        _ = try await handler.handle(Command(name: "validar-registro", data: ["fecha": "2024-03-03", "versionValidada": 2], streamId: stream,
                                             idempotencyKey: UUID().uuidString), context: context)
        try await world.catchUp()
        _ = try await StatisticsPublisher(projector: world.services.projector!, labels: Labels(catalogs: world.services.definitions.catalogs))
            .publish(year: nil, threshold: 1, handler: world.services.handler,
                     context: CommandContext(userId: "st", institutionId: "SEGOB", client: "pruebas", today: .today()))
        let statuses = try await world.test { client in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<24 {
                    group.addTask {
                        index % 2 == 0 ? try await client.call(.get, "/v1/estadisticas/exportacion/datapackage.json").status
                                       : try await client.call(.get, "/v1/estadisticas").status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
        }
        #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses)")
        #expect(await statistics.computations == 1, "one release built (its tables and its export), for 24 anonymous requests")
    }

    /// Polling the public tables before and after a registration used to show 15 totals move by
    /// one. Now they are the last release: nothing moves until the next one (which the release
    /// rules hold until enough has changed), while the live tables, for internal roles, move.
    @Test func thePublicTablesAreTheReleaseNotALiveFeed() async throws {
        let world = try await APIWorld.make(statisticsThreshold: 1)
        try await world.account("st.vivas", "SEGOB", [.secretariaTecnica])
        let context = CommandContext(userId: "capturista", institutionId: "FGE-07", client: "pruebas", today: .today())
        let handler = world.services.handler
        func counted() async throws {
            let stream = try await handler.handle(Command(name: "registrar-persona", data: persona(), idempotencyKey: UUID().uuidString), context: context).streamId
            _ = try await handler.handle(Command(name: "validar-registro", data: ["fecha": "2024-03-03", "versionValidada": 1], streamId: stream,
                                                 idempotencyKey: UUID().uuidString), context: context)
        }
        for _ in 0..<3 { try await counted() }
        try await world.catchUp()
        _ = try await StatisticsPublisher(projector: world.services.projector!, labels: Labels(catalogs: world.services.definitions.catalogs))
            .publish(year: nil, threshold: 1, handler: handler, context: CommandContext(userId: "st", institutionId: "SEGOB", client: "pruebas", today: .today()))
        let (publicBefore, liveBefore) = try await world.test { client in
            let token = try await client.login("st.vivas")
            return (try await client.call(.get, "/v1/estadisticas").text, try await client.call(.get, "/v1/estadisticas/vigentes?anio=2024", token: token).text)
        }
        try await counted()
        try await world.catchUp()
        let (publicAfter, liveAfter) = try await world.test { client in
            let token = try await client.login("st.vivas")
            return (try await client.call(.get, "/v1/estadisticas").text, try await client.call(.get, "/v1/estadisticas/vigentes?anio=2024", token: token).text)
        }
        #expect(publicBefore.contains("\"entregas\"") && publicBefore == publicAfter, "la entrega no cambia con un registro")
        #expect(liveBefore != liveAfter, "las cifras vigentes sí")
    }
}
