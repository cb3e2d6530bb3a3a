import CanonicalJSON
import Catalog
import Commands
import Cryptography
import Definitions
import Foundation
import Indicators
import Postgres
import Privacy
import Projections
import Publications
import TestDatabase
import Testing

/// Publications and "the definition in force then", on a fixture ficha with hand-computed values:
/// EPC% = NEC/NEP·100, participation spaces held (cumulative from 2021) over NEP programmed.
@Suite(.needsDatabase) struct PublicationTests {
    /// The shared projection fixture, with the ficha history and a folder for the fixture ficha.
    struct World {
        let base: ProjectionWorld
        let projector: Projector
        let history: IndicatorDefinitionHistory
        let folder: URL
        var handler: CommandHandler { base.handler }
        var database: TestDatabase { base.database }

        static func make() async throws -> World {
            let base = try await ProjectionWorld.make()
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sintra-pub-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return World(base: base, projector: base.projector(), history: IndicatorDefinitionHistory(pool: base.store.pool), folder: folder)
        }

        /// Writes the fixture ficha with `version` and denominator `programmed`; `numerator` replaces NEC's query.
        func ficha(version: Int, programmed: Int, numerator: String? = nil) throws -> [IndicatorDefinition] {
            let count = numerator ?? "SELECT count(*)::numeric AS valor, array_agg(posicion ORDER BY posicion) AS posiciones FROM hechos WHERE tipo_evento = 'EspacioDeParticipacionCelebrado' AND anio BETWEEN $2 AND $1"
            let text = """
                {"id": "9.1", "version": \(version), "nombre": "Espacios celebrados", "objetivo": "o", "definicion": "d", "nivelDeDesagregacion": "Nacional",
                 "periodicidad": "Anual", "tipo": "Gestión", "acumuladoOPeriodico": "Acumulado", "unidadDeMedida": "Porcentaje",
                 "periodoDeRecoleccion": "Enero-Diciembre", "dimension": "Eficacia", "mesDeDisponibilidad": 2, "tendenciaEsperada": "Ascendente",
                 "unidadResponsable": "ST", "lineaBase": {"valor": 0, "anio": 2021}, "meta": {"valor": 100, "anio": 2024}, "seriePublicada": {},
                 "metodoDeCalculo": {"clave": "EPC", "formula": "(NEC/NEP)*100", "descripcion": "d", "variables": [
                   {"clave": "NEC", "nombre": "celebrados", "descripcion": "d", "consulta": "\(count)"},
                   {"clave": "NEP", "nombre": "programados", "descripcion": "d",
                    "consulta": "SELECT \(programmed)::numeric AS valor, ARRAY[]::bigint[] AS posiciones"}]}}
                """
            try text.write(to: folder.appendingPathComponent("9.1.json"), atomically: true, encoding: .utf8)
            return try IndicatorDefinition.loadAll(directory: folder)
        }

        @discardableResult
        func space(_ fecha: String) async throws -> Int64 {
            var example = try #require(repositoryDefinitions.latest("EspacioDeParticipacionCelebrado")?.examples.first)
            example = FieldPath.replacing("fecha", in: example, with: .string(fecha))
            return try await handler.handle(Command(name: "registrar-espacio-de-participacion", data: example, idempotencyKey: UUID().uuidString),
                                            context: context("2022-03-01")).position
        }

        func context(_ today: String) -> CommandContext {
            CommandContext(userId: "st", institutionId: "SEGOB", client: "pruebas", today: CalendarDate(today)!)
        }

        func head() async throws -> Int64 {
            try await projector.pool.query("SELECT position FROM log_head").first!.decode(Int64.self, 0)
        }
    }

    @Test func eachFichaVersionIsAdoptedOnceAndAChangeWithoutANewVersionIsRefused() async throws {
        let world = try await World.make()
        let v1 = try world.ficha(version: 1, programmed: 6)
        #expect(try await world.history.adopt(v1, handler: world.handler, context: world.context("2022-03-01")).map(\.id) == ["9.1"])
        let afterV1 = try await world.head()
        #expect(try await world.history.adopt(v1, handler: world.handler, context: world.context("2022-03-02")).isEmpty, "ya adoptada")
        #expect(try await world.head() == afterV1, "nada escrito la segunda vez")

        let edited = try world.ficha(version: 1, programmed: 4)
        await #expect(throws: IndicatorDefinitionHistory.ChangedWithoutNewVersion.self) {
            try await world.history.adopt(edited, handler: world.handler, context: world.context("2022-03-02"))
        }
        let v2 = try world.ficha(version: 2, programmed: 4)
        #expect(try await world.history.adopt(v2, handler: world.handler, context: world.context("2022-04-01")).count == 1)

        #expect(try await world.history.inForce(at: afterV1 - 1).isEmpty)
        #expect(try await world.history.inForce(at: afterV1).map(\.version) == [1])
        #expect(try await world.history.inForce(at: world.head()).map(\.version) == [2])
        #expect(try await world.history.inForce(at: world.head()).first?.document == v2.first?.document)
    }

    @Test func aPublishedAnnexReproducesAtItsPositionAndDiffersNowByTheLateEventAndTheNewFicha() async throws {
        let world = try await World.make()
        try await world.space("2021-03-01")
        try await world.space("2021-06-01")
        let publisher = IndicatorPublisher(projector: world.projector, history: world.history, current: try world.ficha(version: 1, programmed: 6))
        let published = try await publisher.publish(years: [2020, 2021], handler: world.handler, context: world.context("2022-03-01"))
        let publication = published.publication
        // 2020 is before the baseline (NA); 2021: two spaces of six programmed, after February 2022 so not preliminary.
        #expect(publication.figures.map(\.display) == ["NA", "33.33"])
        #expect(publication.figures[1].substitution == "EPC=(2/6)*100 = 33.33")
        #expect(publication.definitions.map { "\($0.key) v\($0.version)" } == ["9.1 v1"])
        #expect(publication.logPosition == 3, "two spaces and the adoption of the ficha")
        let document = Array(published.document.utf8)
        #expect(publication.fingerprint == Hex.encode(SHA256.hash(document)))

        // The log has it, exactly as printed.
        let recorded = try #require(try await Publication.latest(.indicatorsAnnex, covering: 2021, world.projector.pool))
        #expect(recorded.figures == publication.figures && recorded.logPosition == 3 && recorded.fingerprint == publication.fingerprint)

        // Later: a space dated 2021 recorded late, and a new version of the ficha (four programmed).
        let late = try await world.space("2021-11-20")
        let newer = IndicatorPublisher(projector: world.projector, history: world.history, current: try world.ficha(version: 2, programmed: 4))
        let rows = try await newer.compare(recorded, today: CalendarDate("2023-01-10")!)
        let row2021 = try #require(rows.first { $0.year == 2021 })
        // Reproduced at position 3 with v1 in force there: still (2/6)·100.
        #expect(row2021.reproduced?.substitution == "EPC=(2/6)*100 = 33.33" && row2021.reproduces)
        #expect(row2021.reproduced?.definitionVersion == 1)
        // Now: three spaces over four programmed (v2), explained by the late event.
        #expect(row2021.now?.substitution == "EPC=(3/4)*100 = 75" && row2021.now?.definitionVersion == 2)
        #expect(row2021.laterPositions == [late])
        #expect(rows.first { $0.year == 2020 }?.reproduces == true)
    }

    @Test func aFigureThatDependsOnSomethingOutsideTheLogIsReportedAsNotReproducible() async throws {
        let world = try await World.make()
        try await world.space("2021-03-01")
        // A query that reads the clock: what it published cannot be recomputed.
        let clock = "SELECT extract(epoch FROM clock_timestamp())::numeric AS valor, ARRAY[]::bigint[] AS posiciones"
        let publisher = IndicatorPublisher(projector: world.projector, history: world.history,
                                           current: try world.ficha(version: 1, programmed: 1000, numerator: clock))
        let publication = try await publisher.publish(years: [2021], handler: world.handler, context: world.context("2022-03-01")).publication
        try await Task.sleep(for: .milliseconds(5))
        let rows = try await publisher.compare(publication, today: CalendarDate("2022-03-01")!)
        #expect(rows.count == 1 && !rows[0].reproduces)
    }

    @Test func publishListAndCompareThroughTheCommandLine() async throws {
        let world = try await World.make()
        let keyring = Keyring.generate()
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("claves-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: keys) }
        try keyring.fileText.write(toFile: keys, atomically: true, encoding: .utf8)
        // A publication is recorded in the name of an account allowed to publish (the accounts' events come first: h of them;
        // the publishing login is recorded too, before the ficha's adoption).
        let console = ["--database-url", world.database.appURL, "--master-key", keys, "--events", TestDatabase.repositoryRoot.appendingPathComponent("events").path]
        let account = try await consoleAccount(console, institution: "SEGOB", roles: "secretaria-tecnica")
        let h = try await world.head()
        try await world.space("2021-03-01")
        _ = try world.ficha(version: 1, programmed: 6)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("anexo-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let common = ["--projector-url", world.database.projectorURL, "--projections", TestDatabase.repositoryRoot.appendingPathComponent("projections").path,
                      "--indicators", world.folder.path]
        var (status, output) = try await runSintra(["publish", "indicators", "--anios", "2021", "--out", out] + console + common)
        #expect(status != 0 && output.contains("indique con qué cuenta actúa"), "\(output)")
        (status, output) = try await runSintra(["publish", "indicators", "--anios", "2021", "--out", out, "--cuenta", account.login] + console + common,
                                         environment: ["SINTRA_CONTRASENA": account.password])
        #expect(status == 0 && output.contains("1 cifras calculadas con el registro hasta la posición \(h + 3)"), "\(output)")
        let annex = try String(contentsOfFile: out + "/anexo.json", encoding: .utf8)
        #expect(output.contains("Huella SHA-256 de anexo.json: \(Hex.encode(SHA256.hash(Array(annex.utf8))))"), "\(output)")
        #expect(FileManager.default.fileExists(atPath: out + "/anexo.html") && FileManager.default.fileExists(atPath: out + "/anexo.md"))

        (status, output) = try await runSintra(["publications", "list"] + common.prefix(4))
        #expect(status == 0 && output.contains("anexo-de-indicadores | 2021–2021 | \(h + 3) | — | 9.1 v1"), "el anexo no tiene umbral: \(output)")
        try await world.space("2021-09-09")
        (status, output) = try await runSintra(["publications", "compare", "--anio", "2021"] + common)
        #expect(status == 0 && output.contains("| 9.1 | 2021 | 16.67 | 16.67 | 33.33 | posiciones \(h + 5) |"), "\(output)")
        #expect(output.contains("Las 1 cifras publicadas se reproducen exactamente"), "\(output)")
        (status, output) = try await runSintra(["publications", "compare", "--anio", "2021", "--format", "json"] + common)
        let compared = try CanonicalJSON.parse(output)
        #expect(status == 0 && compared["reproduce"] == true && compared["cifras"]?[0]?["publicado"] == "16.67", "\(output)")
        (status, output) = try await runSintra(["publications", "list", "--format", "json"] + common.prefix(4))
        let listed = try CanonicalJSON.parse(output)
        #expect(status == 0 && listed["publicaciones"]?.arrayValue?.count == 1, "\(output)")
        (status, output) = try await runSintra(["publications", "compare", "--anio", "2019"] + common)
        #expect(status != 0 && output.contains("no hay una publicación del anexo de indicadores que cubra 2019"), "\(output)")
    }
}
