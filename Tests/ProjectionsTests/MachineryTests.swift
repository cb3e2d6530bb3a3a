import CanonicalJSON
import EventLog
import Foundation
import Postgres
import Projections
import TestDatabase
import Testing

@Suite(.needsDatabase) struct MachineryTests {
    /// A scratch copy of the repository's projections, to change a version or break a script.
    func scratchProjections(_ edit: (URL) throws -> Void) throws -> [ProjectionDefinition] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sintra-proj-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: TestDatabase.repositoryRoot.appendingPathComponent("projections"), to: root)
        defer { try? FileManager.default.removeItem(at: root) }
        try edit(root.appendingPathComponent("expedientes"))
        return try ProjectionDefinition.loadAll(directory: root)
    }

    @Test func statusShowsVersionCheckpointAndLagAndARebuildSwapsWhileTheOldCopyServes() async throws {
        let world = try await World.make()
        let stream = try await world.run("registrar-persona", persona()).streamId
        let projector = world.projector()
        try await projector.start()
        var status = try await projector.status()
        let version = try #require(projector.projection("expedientes")).version
        #expect(status.first { $0.name == "expedientes" }.map { ($0.version, $0.lag) }! == (version, 0))
        try await world.run("registrar-atencion", atencion("2022-01-01"), stream: stream)
        status = try await projector.status()
        #expect(status.first { $0.name == "expedientes" }?.lag == 1)

        // While the shadow copy is built, readers keep seeing the live one; afterwards, the new one.
        let reader = Task {
            var seen = 0
            for _ in 0..<50 {
                let rows = try await world.store.pool.query("SELECT count(*) FROM proj_expedientes.casos")
                seen = max(seen, Int(try rows[0].decode(Int64.self, 0)))
                try await Task.sleep(for: .milliseconds(2))
            }
            return seen
        }
        try await projector.rebuild(try #require(projector.projection("expedientes")))
        #expect(try await reader.value == 1, "los lectores nunca vieron la proyección vacía ni un error")
        status = try await projector.status()
        #expect(status.first { $0.name == "expedientes" }?.lag == 0)
        #expect(try await world.value(Int64.self, "SELECT count(*) FROM proj_expedientes.atenciones") == 1)
        #expect(try await world.value(Int64.self, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'proj_expedientes_%'") == 0)
    }

    @Test func aNewVersionIsRebuiltAtStart() async throws {
        let world = try await World.make()
        try await world.run("registrar-persona", persona())
        try await world.projector().start()
        let current = try #require(repositoryProjections.first { $0.name == "expedientes" }).version
        let bumped = try scratchProjections { folder in
            let file = folder.appendingPathComponent("projection.json")
            let text = try String(contentsOf: file, encoding: .utf8)
                .replacingOccurrences(of: "\"version\": \(current)", with: "\"version\": \(current + 1)")
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        let projector = world.projector(projections: bumped)
        #expect(try await projector.status().first { $0.name == "expedientes" }?.definedVersion == current + 1)
        try await projector.start()
        #expect(try await projector.status().first { $0.name == "expedientes" }.map { ($0.version, $0.lag) }! == (current + 1, 0))
        #expect(try await world.value(Int64.self, "SELECT count(*) FROM proj_expedientes.casos") == 1)
    }

    @Test func anEventThatCannotBeAppliedStopsTheProjectionAtItsPositionAndIsNotSkipped() async throws {
        let world = try await World.make()
        let stream = try await world.run("registrar-persona", persona()).streamId
        let projector = world.projector()
        try await projector.start()
        let broken = try scratchProjections { folder in
            let file = folder.appendingPathComponent("apply.sql")
            // Fails on any batch holding an attention; reads the log itself, not apply.sql's internals.
            let text = try String(contentsOf: file, encoding: .utf8) + """

                SELECT 1 / (count(*) - count(*)) FROM public.events WHERE event_type = 'AtencionOtorgada'
                   AND position > current_setting('sintra.desde')::bigint AND position <= current_setting('sintra.hasta')::bigint
                HAVING count(*) > 0;

                """
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        try await world.run("registrar-consentimiento", ["fecha": "2022-01-01", "compartirConOtrasInstituciones": true,
                                                          "contarEnEstadisticas": true, "fundamento": "consentimiento-expreso-de-la-persona"], stream: stream)
        let attention = try await world.run("registrar-atencion", atencion("2022-01-02"), stream: stream)
        try await world.run("registrar-atencion", atencion("2022-01-03"), stream: stream)
        let failing = Projector(pool: world.projectorPool, projections: broken, batchSize: 50)
        do {
            try await failing.catchUp(try #require(failing.projection("expedientes")))
            Issue.record("debió detenerse")
        } catch let failure as ProjectionFailure {
            #expect(failure.position == attention.position)
        }
        let status = try #require(try await failing.status().first { $0.name == "expedientes" })
        #expect(status.errorPosition == attention.position && status.lastError != nil)
        #expect(status.position == 1, "nada del lote fallido se aplicó: el checkpoint sigue donde estaba")
        // The fixed definition resumes from the checkpoint and applies everything.
        try await projector.catchUp(try #require(projector.projection("expedientes")))
        #expect(try await world.value(Int64.self, "SELECT count(*) FROM proj_expedientes.atenciones") == 2)
        #expect(try await projector.status().first { $0.name == "expedientes" }?.lastError == nil)
    }

    @Test func replayBuildsTheProjectionsAsTheyStoodAtAPastPosition() async throws {
        let world = try await World.make()
        let stream = try await world.run("registrar-persona", persona()).streamId
        let before = try await world.run("registrar-atencion", atencion("2022-01-02"), stream: stream).position
        try await world.run("cerrar-caso", ["fecha": "2022-02-01", "motivo": "desistimiento"], stream: stream)
        let projector = world.projector()
        let schemas = try await projector.replay(until: before, label: "prueba")
        let schema = try #require(schemas["expedientes"])
        #expect(schema == "replay_prueba_expedientes")
        #expect(try await world.value(String.self, "SELECT estado FROM replay_prueba_expedientes.casos") == "abierto")
        try await projector.start()
        #expect(try await world.value(String.self, "SELECT estado FROM proj_expedientes.casos") == "cerrado")
        try await projector.dropReplay(label: "prueba")
        #expect(try await world.value(Int64.self, "SELECT count(*) FROM pg_namespace WHERE nspname = 'replay_prueba_expedientes'") == 0)
        let now = try await projector.position(recordedAtOrBefore: .now())
        #expect(now == (try await world.store.head().position))
    }

    @Test func aCaseworkerCanWaitUntilTheCaseFileShowsTheirWrite() async throws {
        let world = try await World.make()
        let projector = world.projector()
        try await projector.start()
        let following = Task { try await projector.follow(pollInterval: .milliseconds(50)) }
        let written = try await world.run("registrar-persona", persona())
        #expect(try await projector.waitUntil("expedientes", hasApplied: written.position, timeout: .seconds(10)))
        #expect(try await world.value(Int64.self, "SELECT count(*) FROM proj_expedientes.casos WHERE expediente = $1", [.text(written.streamId)]) == 1)
        following.cancel()
        #expect(try await projector.waitUntil("expedientes", hasApplied: written.position + 100, timeout: .milliseconds(100)) == false)
    }

    /// The reader does not wait for the next round of `follow` (here: none at all); it applies what
    /// it needs itself, once.
    @Test func aReaderAheadOfTheFollowerAppliesWhatItNeeds() async throws {
        let world = try await World.make()
        let projector = world.projector()
        try await projector.start()
        let written = try await world.run("registrar-persona", persona())
        // Nobody else applies anything here: without the reader's own catch-up this would time out.
        #expect(try await projector.waitUntil("expedientes", hasApplied: written.position, timeout: .seconds(30)))
        #expect(try await world.value(Int64.self, "SELECT count(*) FROM proj_expedientes.casos WHERE expediente = $1", [.text(written.streamId)]) == 1)
        // Other projections are left to the follower.
        let others = try await projector.status().filter { $0.name != "expedientes" }
        #expect(!others.isEmpty && others.allSatisfy { $0.position < written.position })
    }
}

@Suite(.needsDatabase) struct ProjectionsCommandLineTests {
    @Test func statusRebuildAndReplayThroughTheCommandLine() async throws {
        let world = try await World.make()
        let stream = try await world.run("registrar-persona", persona()).streamId
        let position = try await world.run("registrar-atencion", atencion("2022-01-02"), stream: stream).position
        try await world.run("cerrar-caso", ["fecha": "2022-02-01", "motivo": "desistimiento"], stream: stream)
        let common = ["--projector-url", world.database.projectorURL, "--projections", TestDatabase.repositoryRoot.appendingPathComponent("projections").path]
        var (status, output) = try await runSintra(["projections", "run", "--once"] + common)
        let version = try #require(repositoryProjections.first { $0.name == "expedientes" }).version
        #expect(status == 0 && output.contains("expedientes: versión \(version), posición 3"), "\(output)")
        (status, output) = try await runSintra(["projections", "status"] + common)
        #expect(status == 0 && output.contains("expedientes") && output.contains("—"), "\(output)")
        (status, output) = try await runSintra(["projections", "rebuild", "expedientes"] + common)
        #expect(status == 0 && output.contains("reconstruida hasta la posición 3"), "\(output)")
        (status, output) = try await runSintra(["projections", "rebuild", "no-existe"] + common)
        #expect(status != 0 && output.contains("no existe la proyección"), "\(output)")
        (status, output) = try await runSintra(["replay", "--until", String(position), "--label", "auditoria", "--keep"] + common)
        #expect(status == 0 && output.contains("replay_auditoria_expedientes"), "\(output)")
        #expect(try await world.value(String.self, "SELECT estado FROM replay_auditoria_expedientes.casos") == "abierto")
        (status, output) = try await runSintra(["replay", "--until", "ayer"] + common)
        #expect(status != 0 && output.contains("no es una posición ni una fecha"), "\(output)")
    }
}
