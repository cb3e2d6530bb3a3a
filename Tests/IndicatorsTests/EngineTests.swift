import CanonicalJSON
import Catalog
import Commands
import Definitions
import EventLog
import Foundation
import Indicators
import Postgres
import Privacy
import Projections
import TestDatabase
import Testing

/// The engine on a fixture ficha (participation spaces held vs programmed), over scenarios built
/// event by event through the command path, with hand-computed results.
@Suite(.needsDatabase) struct EngineTests {
    static let definitions = repositoryDefinitions

    struct World {
        let database: TestDatabase
        let handler: CommandHandler
        let projector: Projector

        static func make() async throws -> World {
            let database = try await TestDatabase.migrated()
            let store = database.store()
            let handler = CommandHandler(definitions: EngineTests.definitions, store: store, vault: DataKeyVault(pool: store.pool, keyring: .generate()))
            let projections = try ProjectionDefinition.loadAll(directory: TestDatabase.repositoryRoot.appendingPathComponent("projections"))
            return World(database: database, handler: handler,
                         projector: Projector(pool: ConnectionPool(connectionString: database.projectorURL, maxConnections: 2), projections: projections))
        }

        @discardableResult
        func space(_ fecha: String) async throws -> Int64 {
            var example = try #require(EngineTests.definitions.latest("EspacioDeParticipacionCelebrado")?.examples.first)
            example = FieldPath.replacing("fecha", in: example, with: .string(fecha))
            let context = CommandContext(userId: "st", institutionId: "SEGOB", client: "pruebas", today: CalendarDate("2024-12-31")!)
            return try await handler.handle(Command(name: "registrar-espacio-de-participacion", data: example, idempotencyKey: UUID().uuidString),
                                            context: context).position
        }
    }

    /// EPC% = NEC/NEP·100, cumulative from 2021; NEP = 6 for 2021+ and 0 for 2020 (to test a zero denominator).
    func fixture(cumulative: Bool = true) throws -> [IndicatorDefinition] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sintra-ind-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let ficha = """
            {"id": "9.1", "version": 3, "nombre": "Espacios celebrados", "objetivo": "o", "definicion": "d", "nivelDeDesagregacion": "Nacional",
             "periodicidad": "Anual", "tipo": "Gestión", "acumuladoOPeriodico": "\(cumulative ? "Acumulado" : "Periódico")", "unidadDeMedida": "Porcentaje",
             "periodoDeRecoleccion": "Enero-Diciembre", "dimension": "Eficacia", "mesDeDisponibilidad": 2, "tendenciaEsperada": "Ascendente",
             "unidadResponsable": "ST", "lineaBase": {"valor": 0, "anio": 2020}, "meta": {"valor": 100, "anio": 2024},
             "seriePublicada": {"2021": "16.67"},
             "metodoDeCalculo": {"clave": "EPC", "formula": "(NEC/NEP)*100", "descripcion": "d", "variables": [
               {"clave": "NEC", "nombre": "celebrados", "descripcion": "d",
                "consulta": "SELECT count(*)::numeric AS valor, array_agg(posicion ORDER BY posicion) AS posiciones FROM hechos WHERE tipo_evento = 'EspacioDeParticipacionCelebrado' AND anio BETWEEN $2 AND $1"},
               {"clave": "NEP", "nombre": "programados", "descripcion": "d",
                "consulta": "SELECT CASE WHEN $1::int < 2021 THEN 0 ELSE 6 END::numeric AS valor, ARRAY[]::bigint[] AS posiciones"}]}}
            """
        try ficha.write(to: directory.appendingPathComponent("9.1.json"), atomically: true, encoding: .utf8)
        return try IndicatorDefinition.loadAll(directory: directory)
    }

    @Test func handComputedResultsWithFlagsSubstitutionAndProvenance() async throws {
        let world = try await World.make()
        let first = try await world.space("2021-03-01")
        let second = try await world.space("2022-05-01")
        let third = try await world.space("2022-09-01")
        try await world.projector.start()
        let engine = IndicatorEngine(pool: world.projector.pool, indicators: try fixture())
        let results = try await engine.compute(years: [2019, 2020, 2021, 2022], today: CalendarDate("2024-12-31")!)
        let byYear = Dictionary(uniqueKeysWithValues: results.map { ($0.year, $0) })
        #expect(byYear[2019]?.display == "NA", "antes de la línea base")
        #expect(byYear[2020]?.display == "ND" && byYear[2020]?.substitution == "EPC=(0/0)*100 = ND (denominador cero)", "\(byYear[2020]!)")
        #expect(byYear[2021]?.substitution == "EPC=(1/6)*100 = 16.67")
        #expect(byYear[2021]?.published == "16.67")
        // Acumulado: 2022 counts 2020 through 2022.
        #expect(byYear[2022]?.substitution == "EPC=(3/6)*100 = 50" && byYear[2022]?.display == "50")
        #expect(byYear[2022]?.variables.first?.positions == [first, second, third])
        #expect(byYear[2022]?.logPosition == third && byYear[2022]?.definitionVersion == 3)

        // Periódico: 2022 alone.
        let periodic = try await IndicatorEngine(pool: world.projector.pool, indicators: try fixture(cumulative: false))
            .compute(years: [2022], today: CalendarDate("2024-12-31")!)
        #expect(periodic.first?.substitution == "EPC=(2/6)*100 = 33.33")
        // Preliminary before February of the following year.
        let early = try await engine.compute(years: [2022], today: CalendarDate("2023-01-15")!)
        #expect(early.first?.display == "50 p/")
    }

    @Test func aLateRecordedEventChangesAPastYearNowButNotAsOfBefore() async throws {
        let world = try await World.make()
        try await world.space("2021-03-01")
        let before = try await world.projector.pool.query("SELECT position FROM log_head").first!.decode(Int64.self, 0)
        let late = try await world.space("2021-11-20")  // recorded later, dated 2021
        try await world.projector.start()
        let engine = IndicatorEngine(pool: world.projector.pool, indicators: try fixture())
        let now = try await engine.compute(years: [2021], today: CalendarDate("2024-12-31")!)
        let schemas = try await world.projector.replay(until: before, label: "antes")
        let then = try await engine.compute(years: [2021], source: .init(schemas: [schemas["hechos"]!, schemas["expedientes"]!], position: before),
                                            today: CalendarDate("2024-12-31")!)
        #expect(then.first?.display == "16.67" && now.first?.display == "33.33")
        #expect(now.first?.variables.first?.positions.contains(late) == true)
        #expect(then.first?.variables.first?.positions.contains(late) == false)
        #expect(then.first?.logPosition == before)
    }

    @Test func theRepositoryFichasLoadAndEveryQueryRunsForEveryYear() async throws {
        let directory = TestDatabase.repositoryRoot.appendingPathComponent("projections/indicators")
        let fichas = try IndicatorDefinition.loadAll(directory: directory)
        #expect(fichas.map(\.id) == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3", "5.1", "5.2", "5.3"])
        let world = try await World.make()
        try await world.space("2022-05-01")
        try await world.projector.start()
        let results = try await IndicatorEngine(pool: world.projector.pool, indicators: fichas).compute(years: Array(2019...2024), today: CalendarDate("2025-12-31")!)
        #expect(results.count == 15 * 6)
        for result in results where result.year < (fichas.first { $0.id == result.id }!.baselineYear) { #expect(result.flag == .notApplicable) }
    }
}
