import CanonicalJSON
import Catalog
import Commands
import Cryptography
import Foundation
import Publications
import Statistics
import TestDatabase
import Testing

/// A statistics release recorded as an event, reproduced at its position, compared with now.
@Suite(.needsDatabase) struct StatisticsPublicationTests {
    /// A victim registered in Chiapas in 2023, with consent to count and a validated record.
    static func countedPerson(_ world: PublicationTests.World) async throws {
        let data: JSONValue = ["calidad": "victima", "sexo": "mujer", "edad": 23, "nacionalidad": "MEX", "condicionMigratoria": "no-aplica-nacional",
                               "fechaDeDeteccion": "2023-03-10", "institucionQueDetecta": "FGE-07", "formaDeDeteccion": "operativo-de-rescate",
                               "lugarDeDeteccion": ["pais": "MEX", "entidad": "07", "municipio": "07101"]]
        let context = world.context("2023-12-31")
        let stream = try await world.handler.handle(Command(name: "registrar-persona", data: data, idempotencyKey: UUID().uuidString), context: context).streamId
        _ = try await world.handler.handle(Command(name: "registrar-consentimiento", data: [
            "fecha": "2023-03-12", "compartirConOtrasInstituciones": true, "contarEnEstadisticas": true, "fundamento": "consentimiento-expreso-de-la-persona",
        ], streamId: stream, idempotencyKey: UUID().uuidString), context: context)
        _ = try await world.handler.handle(Command(name: "validar-registro", data: ["fecha": "2023-03-20", "versionValidada": 2], streamId: stream,
                                                   idempotencyKey: UUID().uuidString), context: context)
    }

    @Test func aReleaseReproducesAtItsPositionAndShowsWhatChangedSince() async throws {
        let world = try await PublicationTests.World.make()
        for _ in 0..<3 { try await Self.countedPerson(world) }
        let publisher = StatisticsPublisher(projector: world.projector, labels: Labels(catalogs: repositoryDefinitions.catalogs))
        // Threshold 2: the three women of Chiapas are published, as 3.
        let published = try await publisher.publish(year: 2023, threshold: 2, handler: world.handler, context: world.context("2024-02-01"))
        let publication = published.publication
        #expect(publication.kind == .statistics && publication.years == [2023] && publication.threshold == 2 && publication.logPosition == 9)
        #expect(publication.fingerprint == Hex.encode(SHA256.hash(Array(published.document.utf8))))
        let sexo = try #require(published.report.tables.first { $0.id.contains("sexo") && $0.year == 2023 })
        let women = try #require(sexo.rows.firstIndex { $0.code == "mujer" })
        let chiapas = try #require(sexo.columns.firstIndex { $0.code == "07" })
        #expect(sexo.published(women, chiapas) == 3, "\(sexo.grid)")

        // Nothing new: it reproduces and nothing changed.
        var check = try await publisher.check(publication)
        #expect(check.reproduces && check.changedCells.isEmpty && check.versionNow == nil)
        // A fourth person recorded late: the release still reproduces at its position; now shows 4.
        try await Self.countedPerson(world)
        check = try await publisher.check(publication)
        #expect(check.reproduces)
        #expect(check.changedCells.contains { $0.then == 3 && $0.now == 4 }, "\(check.changedCells)")
    }
}
