import Catalog
import Demo
import Foundation
import Statistics
import TestDatabase
import Testing

/// The attacker's audit (scipy's LP solver on the documents as published) on histories made through
/// the command path: the demo, random histories at random thresholds, and a load of 800+ people
/// across 15 entidades. Each prints its figures (tables, suppressed cells, narrowest interval).
@Suite(.needsDatabase) struct AuditTests {
    /// Every year of `world`'s data at each threshold, audited together.
    static func audit(_ world: World, thresholds: [Int]) async throws -> (AttackerAudit, [StatisticsReport]) {
        let data = try await world.data()
        let reports = thresholds.map { StatisticsBuilder(labels: labels, threshold: $0).build(data) }
        let audit = try await AttackerAudit.run(reports.map(StatisticsRenderer.json))
        return (audit, reports)
    }

    @Test func theDemoPassesTheAttackersAuditAtTheThresholdsTheIssueTried() async throws {
        let world = try await World.make()
        let summary = try await DemoRunner(handler: world.handler, seed: 5, people: 150, today: CalendarDate("2024-12-31")!, workers: 2).run()
        #expect(summary.rejected.isEmpty)
        let (audit, reports) = try await Self.audit(world, thresholds: [1, 2, 3, 5, 10])
        print("Auditoría del atacante, demo de 150 personas, umbrales 1, 2, 3, 5 y 10: \(audit)")
        #expect(audit.failures.isEmpty, "\(audit.failures.prefix(3))")
        #expect(audit.suppressed > 0 && audit.tables == reports.reduce(0) { $0 + $1.tables.count })
        if let width = audit.narrowestWidth { #expect(width >= 1) }
    }

    /// Random histories (the demo's generator with random seeds and sizes) at random thresholds.
    @Test(arguments: [101, 202, 303]) func randomHistoriesAtRandomThresholdsPassTheAudit(seed: UInt64) async throws {
        var random = SeededRandom(seed: seed)
        let world = try await World.make()
        let people = random.int(5...60)
        let summary = try await DemoRunner(handler: world.handler, seed: seed, people: people, today: CalendarDate("2024-12-31")!, workers: 2).run()
        #expect(summary.rejected.isEmpty)
        let thresholds = [random.int(1...10), random.int(1...10)]
        let (audit, _) = try await Self.audit(world, thresholds: thresholds)
        print("Auditoría del atacante, historia \(seed) (\(people) personas, umbrales \(thresholds)): \(audit)")
        #expect(audit.failures.isEmpty, "\(audit.failures.prefix(3))")
    }

    /// A fresh load of 1,150 people across 15 entidades (the demo's distribution; about 70 % end up
    /// counted: validated, not refusing), so that 800+ are counted; thresholds 10 and 3.
    @Test func aLoadOf800CountedPeopleAcrossEntidadesPassesTheAudit() async throws {
        let world = try await World.make()
        let summary = try await DemoRunner(handler: world.handler, seed: 14, people: 1_150, today: CalendarDate("2024-12-31")!, workers: 2).run()
        #expect(summary.rejected.isEmpty)
        let data = try await world.data()
        let people = People.resolve(cases: data.cases, links: data.links)
        #expect(people.count >= 800 && Set(people.compactMap(\.entidad)).count >= 10, "\(people.count) personas")
        let (audit, _) = try await Self.audit(world, thresholds: [10, 3])
        print("Auditoría del atacante, carga de \(people.count) personas en \(Set(people.compactMap(\.entidad)).count) entidades, umbrales 10 y 3: \(audit)")
        #expect(audit.failures.isEmpty, "\(audit.failures.prefix(3))")
    }
}
