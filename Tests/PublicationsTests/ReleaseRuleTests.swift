import CanonicalJSON
import Catalog
import Commands
import Demo
import Foundation
import Publications
import Statistics
import TestDatabase
import Testing

/// The release rules (README "Releases"): no re-release of a year at a lower threshold or with other
/// age bands; cells suppressed once stay suppressed; a release is held while what changed since the
/// last one would isolate a few people when the two are differenced.
@Suite(.needsDatabase) struct ReleaseRuleTests {
    static let labels = Labels(catalogs: repositoryDefinitions.catalogs)

    /// A validated victim of 2023, with consent to count.
    static func person(_ world: PublicationTests.World, sexo: String = "mujer", edad: Int = 23, entidad: String = "07") async throws {
        let municipio = ["07": "07101", "09": "09002"][entidad] ?? "\(entidad)001"
        let data: JSONValue = ["calidad": "victima", "sexo": .string(sexo), "edad": .number(Double(edad)), "nacionalidad": "MEX",
                               "condicionMigratoria": "no-aplica-nacional", "fechaDeDeteccion": "2023-03-10", "institucionQueDetecta": "FGE-07",
                               "formaDeDeteccion": "operativo-de-rescate",
                               "lugarDeDeteccion": ["pais": "MEX", "entidad": .string(entidad), "municipio": .string(municipio)]]
        let context = world.context("2023-12-31")
        let stream = try await world.handler.handle(Command(name: "registrar-persona", data: data, idempotencyKey: UUID().uuidString), context: context).streamId
        _ = try await world.handler.handle(Command(name: "validar-registro", data: ["fecha": "2023-03-20", "versionValidada": 1], streamId: stream,
                                                   idempotencyKey: UUID().uuidString), context: context)
    }

    static func publish(_ world: PublicationTests.World, threshold: Int, ageBands: String = StatisticsBuilder.defaultAgeBands) async throws -> StatisticsPublisher.Published {
        try await StatisticsPublisher(projector: world.projector, labels: labels)
            .publish(year: 2023, threshold: threshold, ageBands: ageBands, handler: world.handler, context: world.context("2024-02-01"))
    }

    /// The refusal's reason, or nil if it was published.
    static func refusal(_ body: () async throws -> Void) async throws -> String? {
        do { try await body(); return nil } catch PublicationError.refused(let reason) { return reason }
    }

    @Test func aYearIsNotReleasedAgainWithALowerThresholdNorOtherAgeBands() async throws {
        let world = try await PublicationTests.World.make()
        for index in 0..<30 { try await Self.person(world, sexo: index % 3 == 0 ? "hombre" : "mujer", edad: 14 + index, entidad: index % 2 == 0 ? "07" : "14") }
        _ = try await Self.publish(world, threshold: 5)
        for index in 0..<12 { try await Self.person(world, edad: 20 + index) }
        let lower = try await Self.refusal { _ = try await Self.publish(world, threshold: 3) }
        #expect(lower?.contains("umbral 5") == true && lower?.contains("menor") == true, "\(lower ?? "publicada")")
        let bands = try await Self.refusal { _ = try await Self.publish(world, threshold: 5, ageBands: "grupos-de-edad-quinquenales") }
        #expect(bands?.contains("grupos de edad") == true, "\(bands ?? "publicada")")
        let releases = try await Publication.all(world.projector.pool).filter { $0.kind == .statistics }
        #expect(releases.count == 1 && releases[0].threshold == 5, "nada se registró")
        // The same threshold, or a higher one, is a release.
        let again = try await Self.refusal { _ = try await Self.publish(world, threshold: 6) }
        #expect(again == nil)
    }

    /// One person registered between two releases: differencing them would give that person's sex,
    /// age band and entidad. The release is held until more than the threshold has changed; then the
    /// second release keeps every cell the first suppressed, and the attacker's audit of both passes.
    @Test func aReleaseIsHeldUntilEnoughChangedAndKeepsWhatTheFirstSuppressed() async throws {
        let world = try await PublicationTests.World.make()
        for index in 0..<40 { try await Self.person(world, sexo: index % 4 == 0 ? "hombre" : "mujer", edad: 13 + index % 30, entidad: ["07", "14", "09"][index % 3]) }
        let threshold = 3
        let first = try await Self.publish(world, threshold: threshold)
        // One man of 60 in Jalisco: differencing would isolate him.
        try await Self.person(world, sexo: "hombre", edad: 60, entidad: "14")
        let held = try await Self.refusal { _ = try await Self.publish(world, threshold: threshold) }
        #expect(held?.contains("se retiene") == true, "\(held ?? "publicada")")
        #expect(try await Publication.all(world.projector.pool).filter { $0.kind == .statistics }.count == 1)
        // Enough changes: three more people (four units in every person table, more than the threshold).
        for index in 0..<3 { try await Self.person(world, sexo: "hombre", edad: 61 + index, entidad: "14") }
        let second = try await Self.publish(world, threshold: threshold)
        let kept = SuppressedCells(first.report), now = SuppressedCells(second.report)
        #expect(kept.count > 0 && kept.keys.isSubset(of: now.keys), "lo suprimido en la primera entrega sigue suprimido")
        // No table of the second release moved by 1 to the threshold units.
        #expect(StatisticsPublisher.smallestChange(from: first.report, to: second.report, threshold: threshold) == nil)
        let audit = try await AttackerAudit.run([first.document, second.document])
        #expect(audit.failures.isEmpty && audit.suppressed > 0, "\(audit)")
        // The second release reproduces at its position, with the first's suppression kept.
        let check = try await StatisticsPublisher(projector: world.projector, labels: Self.labels).check(second.publication)
        #expect(check.reproduces)
    }

    /// The seed's age table (18–25: 269) needs the programme's bands; INEGI's five-year groups are there too.
    @Test func ageBandsComeFromACatalogueAndTheReleaseSaysWhichOne() async throws {
        let world = try await PublicationTests.World.make()
        for edad in [13, 17, 18, 25, 26, 30, 61] { try await Self.person(world, edad: edad) }
        let published = try await Self.publish(world, threshold: 1)
        let table = try #require(published.report.tables.first { $0.id == "personas-por-grupo-de-edad" })
        #expect(table.rows.map(\.code) == ["12-17", "18-25", "26-59", "60-o-mas"], "\(table.rows.map(\.code))")
        #expect(table.grid.map { $0.last! } == [2, 2, 2, 1, 7])
        #expect(published.document.contains("\"gruposDeEdad\":\"grupos-de-edad-programa-estatal\""))
        #expect(published.publication.definitions.contains { $0.key == "grupos-de-edad-programa-estatal" })
        let data = try await StatisticsSource(pool: world.projector.pool).read()
        let inegi = StatisticsBuilder(labels: Self.labels, threshold: 1, ageBands: "grupos-de-edad-quinquenales").build(data, year: 2023)
        let five = try #require(inegi.tables.first { $0.id == "personas-por-grupo-de-edad" })
        #expect(five.rows.map(\.code) == ["10-14", "15-19", "25-29", "30-34", "60-64"], "\(five.rows.map(\.code))")
        #expect(five.rows.first?.label == "De 10 a 14 años")
    }

    /// Property: random histories released twice at random thresholds (the second at least the
    /// first), with more random activity in between. The second release is held or keeps what the
    /// first suppressed; the attacker's audit (LP, and the integer attacker) passes on every release.
    @Test(arguments: [7, 19]) func randomHistoriesReleasedTwicePassTheAudit(seed: UInt64) async throws {
        var random = SeededRandom(seed: seed)
        let world = try await PublicationTests.World.make()
        let today = CalendarDate("2024-12-31")!
        _ = try await DemoRunner(handler: world.handler, seed: seed, people: random.int(20...50), today: today, workers: 2).run()
        let publisher = StatisticsPublisher(projector: world.projector, labels: Self.labels)
        let low = random.int(1...10), high = random.int(low...10)
        let first = try await publisher.publish(year: nil, threshold: low, handler: world.handler, context: world.context("2025-01-15"))
        _ = try await DemoRunner(handler: world.handler, seed: seed + 1_000, people: random.int(3...40), today: today, workers: 2).run()
        var documents = [first.document]
        do {
            let second = try await publisher.publish(year: nil, threshold: high, handler: world.handler, context: world.context("2025-02-15"))
            documents.append(second.document)
            #expect(SuppressedCells(first.report).keys.isSubset(of: SuppressedCells(second.report).keys))
        } catch PublicationError.refused(let reason) {
            #expect(reason.contains("se retiene"), "\(reason)")
        }
        let audit = try await AttackerAudit.run(documents)
        print("Auditoría del atacante, historia \(seed) publicada \(documents.count) vez/veces (umbrales \(low), \(high)): \(audit)")
        #expect(audit.failures.isEmpty && audit.suppressed > 0, "\(audit.failures.prefix(3))")
        let integers = try await AttackerAudit.run(documents, integers: true)
        #expect(integers.failures.isEmpty, "\(integers.failures.prefix(3))")
    }
}
