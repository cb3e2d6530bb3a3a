import CanonicalJSON
import Catalog
import Commands
import Definitions
import Foundation
import Indicators
import Postgres
import Projections
import Publications
import Statistics
import TestDatabase
import Testing

/// One rule for who is counted (README "Who is counted"), applied by the public statistics and by
/// the fichas alike: the same history gives the same people.
@Suite(.needsDatabase) struct OneRuleTests {
    static let fichas = TestDatabase.repositoryRoot.appendingPathComponent("projections/indicators")

    func persona(_ fecha: String) -> JSONValue {
        ["calidad": "victima", "sexo": "mujer", "edad": 23, "estadoCivil": "soltero", "nacionalidad": "MEX",
         "condicionMigratoria": "no-aplica-nacional", "fechaDeDeteccion": .string(fecha), "institucionQueDetecta": "INM",
         "formaDeDeteccion": "operativo-de-rescate", "lugarDeDeteccion": ["pais": "MEX", "entidad": "07"],
         "lugarDeOrigen": ["pais": "MEX", "entidad": "07"], "nombre": "Ficticia", "primerApellido": "Apellidoinventado"]
    }

    func consentimiento(_ contar: Bool, fecha: String = "2022-03-12") -> JSONValue {
        ["fecha": .string(fecha), "compartirConOtrasInstituciones": true, "contarEnEstadisticas": .bool(contar),
         "fundamento": "consentimiento-expreso-de-la-persona"]
    }

    /// A case detected by the INM (a member of the CI, so 5.3 counts it too) on `fecha`, with or without a consent record,
    /// validated; `corregido` corrects it after the validation.
    func caso(_ world: ProjectionWorld, _ fecha: String, consentimiento contar: Bool?, corregido: Bool = false) async throws {
        let stream = try await world.run("registrar-persona", persona(fecha), institution: "INM").streamId
        if let contar { try await world.run("registrar-consentimiento", consentimiento(contar), stream: stream, institution: "INM") }
        try await world.run("validar-registro", ["fecha": "2022-03-20", "versionValidada": .number(contar == nil ? 1 : 2)], stream: stream, institution: "INM")
        if corregido {
            try await world.run("corregir-datos-generales", ["fecha": "2022-04-01", "motivo": "Acta de nacimiento.", "correcciones": ["sexo": "hombre"]],
                                stream: stream, institution: "INM")
        }
    }

    /// 15 validated with consent, 3 validated without any consent record, 2 corrected after validation, 1 who said no:
    /// the statistics used to count 15 (an explicit yes required, corrections suspended) and 5.3 counted 20 (no record
    /// counted, corrections counted as preliminary). One rule: no record counts (anonymous aggregates), a correction
    /// suspends until validated again → both count 18, and 5.3 says p/ because two cases of the year wait.
    @Test func theStatisticsAndIndicator5_3CountTheSamePeopleOnTheSameHistory() async throws {
        let world = try await ProjectionWorld.make()
        for _ in 0..<15 { try await caso(world, "2022-03-10", consentimiento: true) }
        for _ in 0..<3 { try await caso(world, "2022-03-10", consentimiento: nil) }
        for _ in 0..<2 { try await caso(world, "2022-03-10", consentimiento: true, corregido: true) }
        try await caso(world, "2022-03-10", consentimiento: false)
        let projector = world.projector()
        try await projector.start()

        let data = try await StatisticsSource(pool: world.owner).read()
        let report = StatisticsBuilder(labels: Labels(catalogs: repositoryDefinitions.catalogs), threshold: 0).build(data, year: 2022)
        let sexo = try #require(report.tables.first { $0.id == "personas-por-sexo" && $0.year == 2022 })
        let people = sexo.grid[sexo.rows.count][sexo.columns.count]

        let ficha = try #require(try IndicatorDefinition.loadAll(directory: Self.fichas).first { $0.id == "5.3" })
        let result = try #require(try await IndicatorEngine(pool: world.owner, indicators: [ficha])
            .compute(years: [2022], today: CalendarDate("2025-12-31")!).first)
        let detected = result.variables.first { $0.key == "DPVTI" }?.value
        #expect(people == 18 && detected == 18, "estadísticas \(people), indicador 5.3 \(String(describing: detected))")
        #expect(Double(people) == detected)
        #expect(result.variables.first { $0.key == "DPVTI" }?.preliminary == true, "dos expedientes esperan una nueva validación")
        #expect(StatisticsRenderer.json(report).contains("sin registro de consentimiento se cuentan"))
        // Where the two still differ (by definition), the indicator's output says why, beside the figure.
        let item = try CanonicalJSON.parse(AnnexRenderer.json([result]))
        let criterion = item[0]?["variables"]?[0]?["desglose"]?["criterio"]?.stringValue ?? ""
        #expect(criterion.contains("integrantes de la CI") && item[0]?["variables"]?[0]?["desglose"]?["enEsperaDeValidacion"]?.numberValue == 2)
    }

    /// Consent is the person's (the latest decision in any of their linked cases) and a later documentation suspends
    /// a validated case, in both: before, 5.3 read each case's own consent and ignored a documentation after validation.
    @Test func linkedCasesAndALaterDocumentationAreCountedAlikeByBoth() async throws {
        let world = try await ProjectionWorld.make()
        let a = try await world.run("registrar-persona", persona("2022-03-10"), institution: "INM").streamId
        try await world.run("registrar-consentimiento", consentimiento(true), stream: a, institution: "INM")
        try await world.run("validar-registro", ["fecha": "2022-03-20", "versionValidada": 2], stream: a, institution: "INM")
        let e = try await world.run("registrar-persona", persona("2022-04-10"), institution: "INM").streamId
        try await world.run("registrar-consentimiento", consentimiento(false, fecha: "2022-04-12"), stream: e, institution: "INM")   // later: the person says no
        try await world.run("validar-registro", ["fecha": "2022-04-20", "versionValidada": 2], stream: e, institution: "INM")
        try await world.run("vincular-expedientes", ["fecha": "2022-04-21", "expediente": .string(a), "motivo": "Misma CURP."], stream: e, institution: "INM")
        let d = try await world.run("registrar-persona", persona("2022-05-10"), institution: "INM").streamId
        try await world.run("validar-registro", ["fecha": "2022-05-20", "versionValidada": 1], stream: d, institution: "INM")
        try await world.run("documentar-victimizacion", ["fechaDeDocumentacion": "2022-05-21", "modalidades": ["explotacion-laboral"],
                                                         "formasDeEnganche": ["oferta-de-empleo"], "mediosDeTransporte": ["autobus"],
                                                         "ruta": ["origen": ["pais": "MEX", "entidad": "20"], "destino": ["pais": "MEX", "entidad": "07"]],
                                                         "cruceDeFronteraInternacional": false], stream: d, institution: "INM")
        try await caso(world, "2022-03-10", consentimiento: true)
        try await world.projector().start()

        let data = try await StatisticsSource(pool: world.owner).read()
        let report = StatisticsBuilder(labels: Labels(catalogs: repositoryDefinitions.catalogs), threshold: 0).build(data, year: 2022)
        let sexo = try #require(report.tables.first { $0.id == "personas-por-sexo" && $0.year == 2022 })
        let ficha = try #require(try IndicatorDefinition.loadAll(directory: Self.fichas).first { $0.id == "5.3" })
        let result = try #require(try await IndicatorEngine(pool: world.owner, indicators: [ficha])
            .compute(years: [2022], today: CalendarDate("2025-12-31")!).first)
        let detected = try #require(result.variables.first { $0.key == "DPVTI" })
        // Only the last case counts: A and E are one person who said no; D waits for a validation of its documentation.
        #expect(sexo.grid[sexo.rows.count][sexo.columns.count] == 1 && detected.value == 1, "\(sexo.grid) \(String(describing: detected.value))")
        #expect(detected.preliminary && detected.breakdown?["enEsperaDeValidacion"]?.numberValue == 1)
    }
}
