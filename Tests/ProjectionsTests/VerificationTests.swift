import Foundation
import Postgres
import Projections
import TestDatabase
import Testing

/// `sintra verify --include-projections`: a live projection against its rebuild from the log.
@Suite(.needsDatabase) struct VerificationTests {
    /// Three cases with attentions, a closing and a referral: something in every main table.
    func populated() async throws -> World {
        let world = try await World.make()
        for day in ["2021-03-01", "2021-05-10", "2022-01-20"] {
            let stream = try await world.run("registrar-persona", persona(day)).streamId
            try await world.run("registrar-atencion", atencion(day), stream: stream)
            try await world.run("cerrar-caso", ["fecha": .string(day), "motivo": "desistimiento"], stream: stream)
        }
        return world
    }

    @Test func aLiveProjectionThatFollowedTheLogMatchesItsRebuild() async throws {
        let world = try await populated()
        let projector = world.projector(batchSize: 2)  // Small batches: the live copy was built in many steps.
        try await projector.start()
        for projection in projector.projections {
            let comparison = try await projector.verify(projection)
            #expect(comparison.matches, "\(comparison)")
            #expect(comparison.position == 9)
            #expect(!comparison.tables.isEmpty)
        }
        // The scratch schema is gone and the live copy untouched.
        #expect(try await world.value(Int64.self, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'verificacion_%'") == 0)
        #expect(try await world.value(Int64.self, "SELECT count(*) FROM proj_expedientes.casos WHERE estado = 'cerrado'") == 3)
    }

    @Test func aTamperedLiveCopyIsReportedTableByTable() async throws {
        let world = try await populated()
        let projector = world.projector()
        try await projector.start()
        // A change the log does not explain: one case reopened by hand, one attention deleted.
        try await world.database.asSuperuser("""
            UPDATE proj_expedientes.casos SET estado = 'abierto', motivo_cierre = NULL
             WHERE expediente = (SELECT min(expediente) FROM proj_expedientes.casos);
            DELETE FROM proj_expedientes.atenciones WHERE posicion = (SELECT min(posicion) FROM proj_expedientes.atenciones);
            """)
        let comparison = try await projector.verify(try #require(projector.projection("expedientes")))
        #expect(!comparison.matches)
        let casos = try #require(comparison.tables.first { $0.table == "casos" })
        #expect(casos.onlyLive == 1 && casos.onlyRebuilt == 1)  // The altered row, as it is and as it should be.
        let atenciones = try #require(comparison.tables.first { $0.table == "atenciones" })
        #expect(atenciones.onlyLive == 0 && atenciones.onlyRebuilt == 1)
        #expect(comparison.tables.filter { $0.table != "casos" && $0.table != "atenciones" }.allSatisfy { $0.onlyLive == 0 && $0.onlyRebuilt == 0 })
    }

    @Test func theCommandLineExitsWithOneAndNamesTheTable() async throws {
        let world = try await populated()
        let common = ["--projector-url", world.database.projectorURL, "--projections", TestDatabase.repositoryRoot.appendingPathComponent("projections").path,
                      "--database-url", world.database.appURL]
        var (status, output) = try await runSintra(["projections", "run", "--once"] + common.prefix(4))
        #expect(status == 0, "\(output)")
        (status, output) = try await runSintra(["verify", "--include-projections"] + common)
        #expect(status == 0 && output.contains("Proyección expedientes: idéntica"), "\(output)")
        try await world.database.asSuperuser("DELETE FROM proj_expedientes.historial WHERE version = 1")
        (status, output) = try await runSintra(["verify", "--include-projections"] + common)
        #expect(status == 1 && output.contains("historial: 0 fila(s) solo en la copia vigente, 3 solo en la reconstruida"), "\(output)")
    }
}
