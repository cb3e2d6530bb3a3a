import CanonicalJSON
import Catalog
import Foundation
import Postgres
import Reports
import Statistics
import TestDatabase
import Testing

extension ProjectionWorld {
    /// Brings the projections up to date and runs the report (as `sintra serve` reads: the projector's role).
    func report(_ text: String, threshold: Int = 10, asOf: CalendarDate? = nil) async throws -> ReportResult {
        let projector = projector()
        try await projector.start()
        return try await ReportRunner(projector: projector, catalogs: definitions.catalogs).run(try parse(text), threshold: threshold, asOf: asOf)
    }
}

extension ReportResult {
    func cell(_ row: String, _ column: String? = nil) -> Double? {
        guard let r = rows.firstIndex(where: { $0.code == row }) ?? (row == "total" ? rows.count : nil) else { return 0 }
        let c = column.map { code in columns.firstIndex { $0.code == code } ?? -1 } ?? columns.count
        return c < 0 ? 0 : value(r, c)
    }
}

/// A training as the definition's first example has it (FGR, 2023, presencial in 09, 48 people), changed by `changes`.
func training(_ changes: [String: JSONValue] = [:]) throws -> JSONValue {
    var members = try #require(definitions.latest("CapacitacionImpartida")?.examples.first?.objectValue)
    for (key, value) in changes {
        members.removeAll { $0.key == key }
        if !value.isNull { members.append(.init(key: key, value: value)) }
    }
    return .object(members)
}

@Suite(.needsDatabase) struct ReportEngineTests {
    @Test func recordsAreCountedAndSummedByAnyTwoVariablesWithFiltersAndListsCountOnceInTheTotals() async throws {
        let world = try await ProjectionWorld.make()
        for example in try #require(definitions.latest("CapacitacionImpartida")?.examples) {
            try await world.run("registrar-capacitacion", example)
        }
        // FGR 2023 presencial (48), CIES-07 2021 presencial in Chiapas (135), SECTUR 2024 virtual (210).
        var result = try await world.report(#"{"titulo": "Capacitaciones", "fuente": "CapacitacionImpartida", "filas": "modalidad", "columnas": "anio", "medida": "registros"}"#)
        #expect(result.rows.map(\.code) == ["presencial", "virtual"] && result.columns.map(\.code) == ["2021", "2023", "2024"], "\(result.rows) \(result.columns)")
        #expect(result.cell("presencial", "2021") == 1 && result.cell("presencial", "2023") == 1 && result.cell("presencial") == 2)
        #expect(result.cell("virtual", "2024") == 1 && result.cell("total") == 3 && result.rows[0].label == "Presencial")
        #expect(result.rule == ReportResult.internalRule && result.position > 0)

        result = try await world.report(#"{"titulo": "Personas capacitadas", "fuente": "CapacitacionImpartida", "filas": "modalidad", "columnas": "lugar", "medida": {"suma": "totalDeParticipantes"}}"#)
        #expect(result.cell("presencial", "07") == 135 && result.cell("presencial", "09") == 48 && result.cell("virtual", "no-especificado") == 210)
        #expect(result.cell("total") == 393 && result.columns.first { $0.code == "07" }?.label == "Chiapas")

        // A list: a training is in the row of each population it addressed; the totals count it once.
        result = try await world.report(#"{"titulo": "Por población", "fuente": "CapacitacionImpartida", "filas": "poblacionesObjetivo", "medida": {"suma": "participantesPorSexo.mujeres"}}"#)
        #expect(result.multiValued && result.cell("servidores-publicos-operativos") == 27 + 118 && result.cell("total") == 27 + 74 + 118)
        #expect(result.rows.map { result.cell($0.code) ?? 0 }.reduce(0, +) > 219)

        // Filters: by year (the index) and by a list's element.
        result = try await world.report(#"{"titulo": "F", "fuente": "CapacitacionImpartida", "filas": "institucion", "filtros": {"anio": ["2021", "2024"], "temasAbordados": ["formas-de-enganche"]}, "medida": "registros"}"#)
        #expect(Set(result.rows.map(\.code)) == ["CIES-07", "SECTUR"] && result.cell("total") == 2, "\(result.rows)")
        result = try await world.report(#"{"titulo": "F", "fuente": "CapacitacionImpartida", "filas": "institucion", "filtros": {"anio": ["2021"], "lugar": ["09"]}, "medida": "registros"}"#)
        #expect(result.rows.isEmpty && result.cell("total") == 0)

        // Every output states the source, the position, the date and the rule; none carries a suppressed figure.
        for text in [ReportRenderer.json(result), ReportRenderer.csv(result), ReportRenderer.markdown(result), ReportRenderer.html(result)] {
            #expect(text.contains(ReportResult.internalRule) && text.contains("CapacitacionImpartida") && text.contains(String(result.position)))
        }
    }

    @Test func publicationReportsAreSuppressedAsThePublicStatisticsAndInternalOnesShowTrueCounts() async throws {
        let world = try await ProjectionWorld.make()
        for example in try #require(definitions.latest("CapacitacionImpartida")?.examples) {
            try await world.run("registrar-capacitacion", example)
        }
        for _ in 0..<11 { try await world.run("registrar-capacitacion", try training()) }
        let definition = #"{"titulo": "T", "fuente": "CapacitacionImpartida", "filas": "modalidad", "columnas": "anio", "medida": "registros", "modo": "%@"}"#
        let trueCounts = try await world.report(definition.replacingOccurrences(of: "%@", with: "interno"))
        #expect(trueCounts.cell("presencial", "2023") == 12 && trueCounts.cell("presencial", "2021") == 1 && trueCounts.cell("total") == 14)
        #expect(!trueCounts.hidden.joined().contains(true))

        let published = try await world.report(definition.replacingOccurrences(of: "%@", with: "publicacion"), threshold: 10)
        #expect(published.cell("presencial", "2021") == nil && published.cell("virtual", "2024") == nil && published.cell("virtual") == nil)
        #expect(published.hidden == Suppression.protect([trueCounts.grid.map { $0.map { Int($0) } }], threshold: 10)[0], "la misma regla")
        let table = Suppression.Table(grid: trueCounts.grid.map { $0.map { Int($0) } })
        #expect(Suppression.isProtected([table], hidden: [published.hidden], level: 10) && published.rule == StatisticsReport.rule(threshold: 10))
        let csv = ReportRenderer.csv(published)
        #expect(csv.contains("presencial,Presencial,s,") && csv.contains(StatisticsReport.rule(threshold: 10)), "\(csv)")
        #expect(ReportRenderer.json(published).contains(#""valores":[null,"#) && !ReportRenderer.json(published).contains(#""valores":[1,"#))
    }

    @Test func peopleAreCountedOnceWithTheStatisticsRuleAndNoPersonalDataReachesTheReport() async throws {
        let world = try await ProjectionWorld.make()
        let a = try await world.run("registrar-persona", CaseFixtures.persona(sexo: "mujer", entidad: "07")).streamId
        try await world.run("documentar-victimizacion", CaseFixtures.victimizacion(modalidades: ["explotacion-sexual", "trabajo-forzado"]), stream: a)
        try await world.run("registrar-consentimiento", CaseFixtures.consentimiento(true), stream: a)
        try await world.run("validar-registro", CaseFixtures.validacion(3), stream: a)
        let b = try await world.run("registrar-persona", CaseFixtures.persona(sexo: "hombre", edad: 15, entidad: "14")).streamId
        try await world.run("registrar-consentimiento", CaseFixtures.consentimiento(true), stream: b)
        try await world.run("validar-registro", CaseFixtures.validacion(2), stream: b)
        let notValidated = try await world.run("registrar-persona", CaseFixtures.persona(sexo: "hombre")).streamId
        try await world.run("registrar-consentimiento", CaseFixtures.consentimiento(true), stream: notValidated)
        // The same person as A, registered again in Mexico City.
        let e = try await world.run("registrar-persona", CaseFixtures.persona("2023-05-02", entidad: "09"), institution: "CEAV").streamId
        try await world.run("registrar-consentimiento", CaseFixtures.consentimiento(true, fecha: "2023-05-03"), stream: e, institution: "CEAV")
        try await world.run("validar-registro", CaseFixtures.validacion(2, fecha: "2023-05-04"), stream: e, institution: "CEAV")
        try await world.run("vincular-expedientes", ["fecha": "2023-05-05", "expediente": .string(a), "motivo": "Misma CURP."], stream: e, institution: "CEAV")

        var result = try await world.report(#"{"titulo": "Personas", "fuente": "personas", "filas": "sexo", "columnas": "entidadDeDeteccion", "medida": "personas"}"#)
        #expect(result.cell("mujer", "07") == 1 && result.cell("mujer") == 1 && result.cell("hombre", "14") == 1 && result.cell("total") == 2)
        result = try await world.report(#"{"titulo": "Modalidades", "fuente": "personas", "filas": "modalidades", "columnas": "grupoDeEdad", "filtros": {"sexo": ["mujer"]}, "medida": "personas"}"#)
        #expect(result.cell("explotacion-sexual") == 1 && result.cell("trabajo-forzado") == 1 && result.cell("total") == 1 && result.multiValued)
        #expect(result.columns.map(\.label) == ["De 18 a 25 años"], "23 años, con los grupos de edad del programa estatal (el catálogo por omisión)")
        for text in [ReportRenderer.json(result), ReportRenderer.csv(result), ReportRenderer.markdown(result), ReportRenderer.html(result)] {
            #expect(!text.contains("Ficticia") && !text.contains("Apellidoinventado") && !text.contains("secret"))
        }
    }

    @Test func aReportAsOfAPastDateUsesOnlyWhatWasRecordedByThen() async throws {
        let world = try await ProjectionWorld.make()
        try await world.run("registrar-capacitacion", try training())
        // Everything was recorded today: as of yesterday the log was empty.
        let yesterday = CalendarDate.today().adding(days: -1)
        let definition = #"{"titulo": "T", "fuente": "CapacitacionImpartida", "filas": "modalidad", "medida": "registros"}"#
        let past = try await world.report(definition, asOf: yesterday)
        let now = try await world.report(definition)
        #expect(past.cell("total") == 0 && past.asOf == yesterday.description && past.date == yesterday.description)
        #expect(now.cell("total") == 1 && now.asOf == nil)
        #expect(try await world.value(Int.self, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'replay_reporte_%'") == 0, "sin esquemas sobrantes")
    }

    @Test func theCommandLineRunsAFileAndRefusesABadOneNamingTheField() async throws {
        let world = try await ProjectionWorld.make()
        try await world.run("registrar-capacitacion", try training())
        let root = TestDatabase.repositoryRoot
        let common = ["--projector-url", world.database.projectorURL, "--projections", root.appendingPathComponent("projections").path,
                      "--events", root.appendingPathComponent("events").path]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("reporte-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"{"titulo": "Por modalidad", "fuente": "CapacitacionImpartida", "filas": "modalidad", "columnas": "anio", "medida": "registros"}"#.utf8).write(to: file)
        var (status, output) = try await runSintra(["reportes", "run", file.path, "--format", "csv"] + common)
        #expect(status == 0 && output.hasPrefix("codigo,etiqueta,2023,Total\r\npresencial,Presencial,1,1\r\n"), "\(output)")
        (status, output) = try await runSintra(["reportes", "run", file.path, "--format", "md", "--umbral", "5"] + common)
        #expect(status == 0 && output.contains("| Presencial | 1 | 1 |"), "\(output)")
        try Data(#"{"titulo": "Mal", "fuente": "personas", "filas": "curp", "medida": "personas"}"#.utf8).write(to: file)
        (status, output) = try await runSintra(["reportes", "run", file.path] + common)
        #expect(status == 1 && output.contains("filas: «curp» es un dato personal"), "\(output)")
    }
}
