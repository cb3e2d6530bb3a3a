import Accounts
import API
import AnnualReport
import CanonicalJSON
import CaseFiles
import Catalog
import Commands
import Foundation
import Indicators
import Logging
import Reports
import TestDatabase
import Testing
@testable import Web

extension WebWorld {
    /// The web world with the repository's fichas and the annual report's plan, as `sintra serve`
    /// loads them, and the given suppression threshold.
    static func program(threshold: Int = 10) async throws -> WebWorld {
        let base = try await ProjectionWorld.make()
        var policy = AccountPolicy()
        policy.passwordHashing = .testing
        let accounts = try await AccountService.make(handler: base.handler, policy: policy)
        let root = TestDatabase.repositoryRoot
        var services = APIServices(definitions: repositoryDefinitions, handler: base.handler, accounts: accounts, projector: base.projector(),
                                   cases: CaseFileReader(store: base.store, vault: base.handler.vault, definitions: repositoryDefinitions),
                                   indicators: try IndicatorDefinition.loadAll(directory: root.appendingPathComponent("projections/indicators")),
                                   statisticsThreshold: threshold)
        services.annualReportPlan = try AnnualReportPlan.load(eventsDirectory: root.appendingPathComponent("events"),
                                                              catalogue: ReportCatalogue(definitions: repositoryDefinitions))
        var limits = APIServer.Configuration()
        limits.perAddress = (10_000, 10_000)
        limits.perAccount = (10_000, 10_000)
        return WebWorld(database: base.database, services: services, server: APIServer(services: services, configuration: limits),
                        web: try await WebInterface(services: services))
    }

    /// Records `command` with `data` as the Secretaría Técnica (SEGOB) would, on `today`.
    @discardableResult
    func record(_ command: String, _ data: JSONValue, stream: String? = nil, today: String = "2024-12-31", institution: String = "SEGOB") async throws -> CommandResult {
        try await services.handler.handle(Command(name: command, data: data, streamId: stream, idempotencyKey: UUID().uuidString),
                                          context: CommandContext(userId: "st", institutionId: institution, client: "pruebas", today: CalendarDate(today)!))
    }

    func head() async throws -> Int64 {
        try await services.projector!.pool.query("SELECT position FROM log_head").first!.decode(Int64.self, 0)
    }

    /// Waits until the projections have applied everything recorded so far.
    func catchUp() async throws {
        let head = try await head()
        for projection in ["hechos", "expedientes", "estadisticas"] {
            _ = try await services.projector!.waitUntil(projection, hasApplied: head, timeout: .seconds(20))
        }
    }
}

/// The Secretaría Técnica's pages: the programme facts behind ficha 1.2 recorded through the
/// generated forms, the figure and its substitution on the annex page, its provenance, the figures
/// as of an earlier day, and a publication made from the browser that reproduces.
@Suite(.needsDatabase) struct ProgramaPageTests {
    static let programmed: [(String, String)] = [
        ("fecha", "2022-12-27"), ("variable", "1-2-nep"), ("valor", "6"), ("alcanceTemporal", "periodo"),
        ("anioInicial", "2019"), ("anioFinal", "2024"), ("fundamento", "PNTdP 2022-2024, ficha 1.2: seis espacios en el sexenio."),
    ]

    static func space(_ date: String) -> [(String, String)] {
        [("fecha", date), ("nombre", "Mesa del grupo redactor"), ("tipoDeEspacio", "mesa-de-trabajo"), ("relacionadoConLaReforma", "si"),
         ("institucionConvocante", "SEGOB"), ("modalidad", "presencial"), ("sectoresParticipantes", "sector-publico"),
         ("lugar.pais", "MEX"), ("lugar.entidad", "09"), ("lugar.municipio", "09015")]
    }

    @Test func theSecretariaRecordsTheFactsOfAFichaAndSeesItsValueAndSubstitution() async throws {
        let world = try await WebWorld.program()
        try await world.account("st.web", "SEGOB", [.secretariaTecnica])
        try await world.test { browser in
            _ = try await browser.login("st.web")
            let list = try await browser.get("/hechos")
            #expect(list.status == 200 && list.html.contains("/hechos/establecer-valor-programado") && list.html.contains("/hechos/registrar-espacio-de-participacion"))
            for (command, fields) in [("establecer-valor-programado", Self.programmed), ("registrar-espacio-de-participacion", Self.space("2023-05-10")),
                                      ("registrar-espacio-de-participacion", Self.space("2023-09-02"))] {
                let form = try await browser.get("/hechos/\(command)")
                #expect(form.status == 200 && form.html.contains("name=\"_clave\""), "\(command): \(form.status)")
                let sent = try await browser.post("/hechos/\(command)", [("_csrf", form.hidden("_csrf") ?? ""), ("_clave", form.hidden("_clave") ?? "")] + fields)
                #expect(sent.status == 303 && sent.location?.hasPrefix("/hechos?hecho=\(command)") == true, "\(command): \(sent.status) \(sent.html.prefix(600))")
            }
            // Bad input: every problem named, nothing written.
            let form = try await browser.get("/hechos/establecer-valor-programado")
            let before = try await world.head()
            let bad = try await browser.post("/hechos/establecer-valor-programado", [("_csrf", form.hidden("_csrf") ?? ""), ("_clave", form.hidden("_clave") ?? ""), ("valor", "seis")])
            #expect(bad.status == 422 && bad.html.contains("no se registró nada") && bad.html.contains("href=\"#"), "\(bad.status)")
            #expect(try await world.head() == before)

            let annex = try await browser.get("/indicadores?anio=2023")
            #expect(annex.status == 200 && annex.html.contains("PEPC=(2/6)*100 = 33.33"), "\(annex.html.count)")
            let series = try await browser.get("/indicadores")
            #expect(series.status == 200 && series.html.contains("<svg") && series.html.contains("aria-describedby=\"tabla-indicadores\""))
            let provenance = try await browser.get("/indicadores/1.2/2023")
            #expect(provenance.status == 200 && provenance.html.contains("EspacioDeParticipacionCelebrado") && provenance.html.contains("ValorProgramadoEstablecido"))
            let ficha = try await browser.get("/indicadores/1.2")
            #expect(ficha.status == 200 && ficha.html.contains("tabla-serie") && ficha.html.contains("grafica-meta"))
            #expect(try await browser.get("/indicadores/9.9").status == 404)
            #expect(try await browser.get("/indicadores?anio=1990").status == 400)
            #expect(try await browser.get("/indicadores?al=2999-01-01").status == 400)

            // As of yesterday nothing was recorded: the page says which figures changed and names the events.
            let yesterday = CalendarDate(dayNumber: CalendarDate.today().dayNumber - 1)
            let asOf = try await browser.get("/indicadores?anio=2023&al=\(yesterday)")
            #expect(asOf.status == 200 && asOf.html.contains("Como estaba el \(yesterday)") && asOf.html.contains("Registrado tarde: EspacioDeParticipacionCelebrado"),
                    "\(asOf.status)")

            // Publishing from the browser records the same publication as the CLI, in this person's name.
            let publish = try await browser.get("/publicar")
            #expect(publish.status == 200)
            let published = try await browser.post("/publicar/indicadores", [("_csrf", publish.hidden("_csrf") ?? ""), ("desde", "2023"), ("hasta", "2023")])
            let location = try #require(published.location)
            #expect(published.status == 303 && location.hasPrefix("/publicar/publicacion-"), "\(published.status)")
            let comparison = try await browser.get(String(location.split(separator: "?")[0]))
            #expect(comparison.status == 200 && comparison.html.contains("Se reproduce") && comparison.html.contains("33.33"), "\(comparison.html.prefix(300))")
            let inverted = try await browser.post("/publicar/indicadores", [("_csrf", publish.hidden("_csrf") ?? ""), ("desde", "2024"), ("hasta", "2023")])
            #expect(inverted.status == 422 && inverted.html.contains("es anterior al primero"))
        }
        let authors = try await world.database.store().pool.query("""
            SELECT metadata->>'client', metadata->>'institutionId' FROM events WHERE event_type IN ('PublicacionRealizada', 'EspacioDeParticipacionCelebrado')
            """).map { "\(try $0.decode(String.self, 0))/\(try $0.decode(String.self, 1))" }
        #expect(authors == ["web/1/SEGOB", "web/1/SEGOB", "web/1/SEGOB"], "\(authors)")
    }
}
