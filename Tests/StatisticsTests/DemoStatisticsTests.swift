import Catalog
import Demo
import Statistics
import Testing

/// The demo's cases are validated after their first attentions, so the public attention table has figures.
@Suite(.needsDatabase) struct DemoStatisticsTests {
    @Test func theDemoFillsTheAttentionTables() async throws {
        let world = try await World.make()
        let summary = try await DemoRunner(handler: world.handler, seed: 3, people: 20, today: CalendarDate("2024-12-31")!, workers: 2).run()
        #expect(summary.rejected.isEmpty, "\(summary.rejected.prefix(3))")
        let data = try await world.data()
        #expect(data.attentions.reduce(0) { $0 + $1.count } > 0, "atenciones cubiertas por una validación")
        let report = StatisticsBuilder(labels: labels, threshold: 1).build(data)
        let tables = report.tables.filter { $0.id == "atenciones-por-clasificacion-y-tipo" }
        #expect(!tables.isEmpty && tables.reduce(0) { $0 + $1.total } > 0, "\(report.tables.map(\.id))")
    }
}
