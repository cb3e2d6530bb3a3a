import CanonicalJSON
import Catalog
import Demo
import Foundation
import Postgres
import Projections
import Statistics
import TestDatabase
import Testing

/// Scenarios built through the command path, with the tables worked out by hand. Threshold 0
/// (nothing suppressed) where the counts themselves are under test.
@Suite(.needsDatabase) struct CountingTests {
    @Test func peopleAreCountedOnceOnlyWithConsentAndValidationAndACorrectionSuspendsUntilRevalidated() async throws {
        let world = try await World.make()
        // A: woman 23 in Chiapas, documented (sexual exploitation, GTM → Chiapas, crossing from GTM),
        // an attention before the validation and one after it.
        let a = try await world.run("registrar-persona", CaseFixtures.persona(sexo: "mujer", edad: 23, entidad: "07")).streamId
        try await world.run("documentar-victimizacion", CaseFixtures.victimizacion(modalidades: ["explotacion-sexual"]), stream: a)
        try await world.run("registrar-atencion", CaseFixtures.atencion("2023-04-01"), stream: a)
        try await world.run("registrar-consentimiento", CaseFixtures.consentimiento(true), stream: a)
        try await world.run("validar-registro", CaseFixtures.validacion(4, fecha: "2023-04-02"), stream: a)
        try await world.run("registrar-atencion", CaseFixtures.atencion("2023-04-03", tipo: "asesoria-juridica"), stream: a)
        // B: boy 15 in Jalisco, not documented.
        let b = try await world.run("registrar-persona", CaseFixtures.persona(sexo: "hombre", edad: 15, entidad: "14")).streamId
        try await world.run("registrar-consentimiento", CaseFixtures.consentimiento(true), stream: b)
        try await world.run("validar-registro", CaseFixtures.validacion(2), stream: b)
        // C: no consent. D: not validated. F: a witness.
        let c = try await world.run("registrar-persona", CaseFixtures.persona()).streamId
        try await world.run("registrar-consentimiento", CaseFixtures.consentimiento(false), stream: c)
        try await world.run("validar-registro", CaseFixtures.validacion(2), stream: c)
        let d = try await world.run("registrar-persona", CaseFixtures.persona()).streamId
        try await world.run("registrar-consentimiento", CaseFixtures.consentimiento(true), stream: d)
        let f = try await world.run("registrar-persona", CaseFixtures.persona(calidad: "testigo")).streamId
        try await world.run("registrar-consentimiento", CaseFixtures.consentimiento(true), stream: f)
        try await world.run("validar-registro", CaseFixtures.validacion(2), stream: f)
        // E: the same person as A, registered later by CEAV in Mexico City with labour exploitation.
        let e = try await world.run("registrar-persona", CaseFixtures.persona("2023-05-02", edad: 23, entidad: "09"), institution: "CEAV").streamId
        try await world.run("documentar-victimizacion", CaseFixtures.victimizacion("2023-05-03", modalidades: ["explotacion-laboral"], cruce: false), stream: e, institution: "CEAV")
        try await world.run("registrar-consentimiento", CaseFixtures.consentimiento(true, fecha: "2023-05-03"), stream: e, institution: "CEAV")
        try await world.run("validar-registro", CaseFixtures.validacion(3, fecha: "2023-05-04"), stream: e, institution: "CEAV")
        try await world.run("vincular-expedientes", ["fecha": "2023-05-05", "expediente": .string(a), "motivo": "Misma CURP."], stream: e, institution: "CEAV")
        // G: woman 40 in Chiapas, validated, then corrected to man.
        let g = try await world.run("registrar-persona", CaseFixtures.persona(sexo: "mujer", edad: 40, entidad: "07")).streamId
        try await world.run("registrar-consentimiento", CaseFixtures.consentimiento(true), stream: g)
        try await world.run("validar-registro", CaseFixtures.validacion(2), stream: g)
        var report = try await world.report(year: 2023, threshold: 0)
        #expect(try #require(report.table("personas-por-sexo", 2023)).rowTotals == ["mujer": 2, "hombre": 1], "A+E una vez, B, G")
        try await world.run("corregir-datos-generales", ["fecha": "2023-06-01", "motivo": "Acta de nacimiento.", "correcciones": ["sexo": "hombre"]], stream: g)

        // Before G is validated again: A+E (once) and B.
        report = try await world.report(year: 2023, threshold: 0)
        let sexo = try #require(report.table("personas-por-sexo", 2023))
        #expect(sexo.rowTotals == ["mujer": 1, "hombre": 1])
        #expect(sexo.count("mujer", "07") == 1 && sexo.count("mujer", "09") == 0, "en la entidad de su primera detección")
        #expect(sexo.count("hombre", "14") == 1 && sexo.total == 2)
        #expect(try #require(report.table("personas-por-grupo-de-edad", 2023)).rowTotals == ["18-25": 1, "12-17": 1], "los grupos del programa estatal, por omisión")
        let modalidad = try #require(report.table("personas-por-modalidad", 2023))
        #expect(modalidad.rowTotals == ["explotacion-sexual+explotacion-laboral": 1, "no-especificado": 1], "las de sus dos expedientes, como combinación")
        #expect(modalidad.rows.first { $0.code.contains("+") }?.label.contains(" y ") == true, "«… y …»: las dos a la vez")
        #expect(modalidad.total == 2 && !modalidad.multiValued, "cada persona en una sola fila: las filas suman el total")
        #expect(try #require(report.table("personas-por-ruta", 2023)).rowTotals == ["GTM>07": 1, "no-especificado": 1])
        #expect(try #require(report.table("personas-por-cruce-de-frontera", 2023)).rowTotals == ["GTM": 1, "no-especificado": 1])
        #expect(try #require(report.table("personas-por-nacionalidad-y-condicion-migratoria", 2023)).rowTotals == ["MEX/no-aplica-nacional": 2])
        #expect(try #require(report.table("personas-por-lugar-de-origen", 2023)).rowTotals == ["07": 1, "14": 1])
        let atenciones = try #require(report.table("atenciones-por-clasificacion-y-tipo", 2023))
        #expect(atenciones.rowTotals == ["asistencia/atencion-psicologica": 1], "la atención posterior a la validación aún no cuenta")
        #expect(atenciones.count("asistencia/atencion-psicologica", "07") == 1)
        #expect(report.tables.filter { $0.group == "personas" }.allSatisfy { $0.grid.last! == sexo.grid.last! }, "mismos totales por entidad")

        // Revalidated: G counts again, as corrected.
        try await world.run("validar-registro", CaseFixtures.validacion(4, fecha: "2023-06-02"), stream: g)
        report = try await world.report(year: 2023, threshold: 0)
        #expect(try #require(report.table("personas-por-sexo", 2023)).rowTotals == ["mujer": 1, "hombre": 2])
        #expect(try #require(report.table("personas-por-grupo-de-edad", 2023)).rowTotals == ["18-25": 1, "12-17": 1, "26-59": 1])
        // Unlinking A and E (declared different people) counts E on its own, in Mexico City.
        try await world.run("descartar-duplicado", ["fecha": "2023-07-01", "expediente": .string(a), "motivo": "CURP distintas."], stream: e, institution: "CEAV")
        report = try await world.report(year: 2023, threshold: 0)
        let after = try #require(report.table("personas-por-sexo", 2023))
        #expect(after.rowTotals == ["mujer": 2, "hombre": 2] && after.count("mujer", "09") == 1)
        _ = (c, d, f)
    }

    @Test func withTheDefaultThresholdSmallFiguresAreSuppressedAndTheRuleIsOnEveryOutput() async throws {
        let world = try await World.make()
        for index in 0..<12 {
            let stream = try await world.run("registrar-persona", CaseFixtures.persona(sexo: index < 11 ? "mujer" : "hombre", entidad: index < 6 ? "07" : "14")).streamId
            try await world.run("registrar-consentimiento", CaseFixtures.consentimiento(true), stream: stream)
            try await world.run("validar-registro", CaseFixtures.validacion(2), stream: stream)
        }
        let report = try await world.report(year: 2023)
        let sexo = try #require(report.table("personas-por-sexo", 2023))
        // mujer: 6 in 07, 5 in 14, 11 in all; hombre: 1 in 14; totals 6, 6, 12. Everything from 1 to
        // 10 is hidden, and enough besides that the attacker's LP leaves every hidden figure a
        // range at least 10 wide (hombre's 1 could be anything from 1 to 11 or more).
        let hombre = try #require(sexo.rows.firstIndex { $0.code == "hombre" })
        #expect(sexo.published(hombre, sexo.columns.count) == nil && sexo.published(hombre, sexo.columns.firstIndex { $0.code == "14" }!) == nil)
        let audit = try await AttackerAudit.run([StatisticsRenderer.json(report)])
        #expect(audit.failures.isEmpty && audit.suppressed >= 7, "\(audit)")
        let rule = StatisticsReport.rule(threshold: 10)
        #expect(rule.contains("de 1 a 10") && !rule.dropLast().contains("."), "una sola oración")
        for output in [StatisticsRenderer.json(report), StatisticsRenderer.csv(report), StatisticsRenderer.text(report)] {
            #expect(output.contains(rule))
        }
        let json = try CanonicalJSON.parse(StatisticsRenderer.json(report))
        let rows = try #require(json["tablas"]?.arrayValue?.first { $0["id"]?.stringValue == "personas-por-sexo" }?["filas"]?.arrayValue)
        #expect(rows.contains { $0["clave"]?.stringValue == "hombre" && $0["total"] == .null }, "suprimido: null")
    }

    /// Random event sequences applied in random batches by fresh projectors equal the projection
    /// rebuilt from zero.
    @Test(arguments: [21, 22]) func incrementalEqualsRebuiltFromZero(seed: Int) async throws {
        let world = try await World.make()
        var random = SystemRandomNumberGenerator()
        let summary = try await DemoRunner(handler: world.handler, seed: UInt64(seed), people: 8, today: CalendarDate("2024-12-31")!, workers: 2).run()
        #expect(summary.rejected.isEmpty)
        let head = try await world.store.head().position
        let projector = world.projector()
        try await projector.start()
        _ = try await world.owner.query("UPDATE projection_state SET position = 0 WHERE name = 'estadisticas'")
        try await world.owner.withConnection { connection in
            try await connection.execute(SQLScript("""
                TRUNCATE proj_estadisticas.casos, proj_estadisticas.vinculos, proj_estadisticas.atenciones, proj_estadisticas.operativos,
                         proj_estadisticas.capacitaciones, proj_estadisticas.difusion
                """, origin: "test"))
        }
        var position: Int64 = 0
        while position < head {
            let step = Int64.random(in: 1...400, using: &random)
            let fresh = world.projector(batchSize: Int64.random(in: 1...97, using: &random))
            position = try await fresh.catchUp(try #require(fresh.projection("estadisticas")), through: min(head, position + step))
        }
        let incremental = try await world.snapshot(schema: "proj_estadisticas")
        let schemas = try await projector.replay(until: head, label: "cero")
        let rebuilt = try await world.snapshot(schema: try #require(schemas["estadisticas"]))
        #expect(incremental.keys.sorted() == rebuilt.keys.sorted())
        for table in incremental.keys.sorted() { #expect(incremental[table] == rebuilt[table], "la tabla \(table) difiere") }
        #expect(incremental["casos"]?.isEmpty == false)
        // The replayed schema gives the same report as the live one.
        let live = StatisticsBuilder(labels: labels).build(try await StatisticsSource(pool: world.owner).read())
        let replayed = StatisticsBuilder(labels: labels).build(try await StatisticsSource(pool: world.owner, schema: schemas["estadisticas"]!, position: head).read())
        #expect(StatisticsRenderer.csv(live) == StatisticsRenderer.csv(replayed))
        let audit = try await AttackerAudit.run([StatisticsRenderer.json(live)])
        #expect(audit.failures.isEmpty, "\(audit)")
        try await projector.dropReplay(label: "cero")
    }
}
