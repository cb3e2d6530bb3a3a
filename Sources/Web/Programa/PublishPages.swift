import Accounts
import API
import Catalog
import Commands
import Hummingbird
import Indicators
import Publications
import Statistics

/// «Publicar»: the indicators annex or a year's statistics published from the browser, as the
/// signed-in account — the same `IndicatorPublisher`/`StatisticsPublisher` and the same
/// `PublicacionRealizada` the CLI and `POST /v1/publicaciones/…` record, attributed to that person —
/// and each past publication beside its reproduction and today's figures.
struct PublishPages {
    let web: WebInterface

    func register(on router: Router<APIContext>) {
        router.get("/publicar") { request, context in
            await web.signedIn(request, context) { request, session in
                try await list(session, done: request.uri.queryParameters["hecho"].map(String.init))
            }
        }
        router.post("/publicar/indicadores") { request, context in
            await web.signedInForm(request, context) { values, session in try await publishIndicators(values, session) }
        }
        router.post("/publicar/estadisticas") { request, context in
            await web.signedInForm(request, context) { values, session in try await publishStatistics(values, session) }
        }
        router.get("/publicar/:publicacion") { request, context in
            await web.signedIn(request, context) { _, session in try await comparison(context.parameters.get("publicacion"), session) }
        }
    }

    func commandContext(_ session: WebSession) throws -> CommandContext {
        do { return try web.commands.context(session.identity, action: .publicar, client: "web/1") } catch {
            throw WebError.forbidden(error.message)
        }
    }

    func list(_ session: WebSession, done: String? = nil, problem: (field: String, message: String)? = nil,
              status: HTTPResponse.Status = .ok) async throws -> Response {
        _ = try commandContext(session)
        let publications = try await Publication.all(try web.projector.pool).reversed()
        return web.templates.render("publicar", title: (problem == nil ? "" : "Error: ") + "Publicar", session: session, status: status, personal: false, [
            "csrf": session.csrf, "hecho": done ?? "", "error": problem?.message ?? "", "campoConError": problem?.field ?? "",
            "anios": ProgramYears.annex.map { ["anio": String($0), "desde": $0 == 2019, "hasta": $0 == 2024] },
            "aniosEstadisticas": Array(2012...CalendarDate.today().year).reversed().map { ["anio": String($0)] },
            "publicaciones": publications.map { publication in
                ["publicacion": publication.streamId, "fecha": publication.date.description,
                 "tipo": publication.kind == .statistics ? "Estadísticas públicas" : "Anexo de indicadores",
                 "anios": publication.years.map(String.init).joined(separator: ", "), "institucion": publication.institution,
                 "posicion": String(publication.logPosition), "huella": String(publication.fingerprint.prefix(16))]
            },
            "hayPublicaciones": !publications.isEmpty,
        ])
    }

    func publishIndicators(_ values: FormValues, _ session: WebSession) async throws -> Response {
        let context = try commandContext(session)
        guard let from = try ProgramYears.year(values.text("desde"), in: 2019...2100),
              let to = try ProgramYears.year(values.text("hasta"), in: 2019...2100) else {
            return try await list(session, problem: ("desde", "Elija el primer y el último año del anexo."), status: .unprocessableContent)
        }
        guard from <= to else {
            return try await list(session, problem: ("hasta", "El último año (\(to)) es anterior al primero (\(from))."), status: .unprocessableContent)
        }
        let projector = try web.projector
        let publisher = IndicatorPublisher(projector: projector, history: IndicatorDefinitionHistory(pool: projector.pool), current: web.services.indicators)
        let published = try await publisher.publish(years: Array(from...to), handler: web.services.handler, context: context)
        return Redirect.to("/publicar/\(published.publication.streamId)?hecho=publicada")
    }

    func publishStatistics(_ values: FormValues, _ session: WebSession) async throws -> Response {
        let context = try commandContext(session)
        let year = try ProgramYears.year(values.text("anio"), in: 2012...2100)
        let projector = try web.projector
        let publisher = StatisticsPublisher(projector: projector, labels: Labels(catalogs: web.services.definitions.catalogs))
        do {
            let published = try await publisher.publish(year: year, threshold: web.services.statisticsThreshold, handler: web.services.handler, context: context)
            return Redirect.to("/publicar/\(published.publication.streamId)?hecho=publicada")
        } catch PublicationError.refused(let reason) {
            return try await list(session, problem: ("anio", "No se publicó: \(reason)."), status: .conflict)
        } catch let error as PublicationError {
            return try await list(session, problem: ("anio", "No se publicó: \(error)."), status: .unprocessableContent)
        }
    }

    /// Published vs reproduced (recomputed at the publication's position, with the fichas then in
    /// force) vs now, figure by figure; for statistics, whether the release reproduces and which
    /// published cells differ now.
    func comparison(_ stream: String?, _ session: WebSession) async throws -> Response {
        try web.require(session, .leerIndicadores)
        let projector = try web.projector
        guard let stream, let publication = try await Publication.all(projector.pool).first(where: { $0.streamId == stream }) else { throw WebError.notFound }
        var data: [String: Any] = [
            "publicacion": publication.streamId, "fecha": publication.date.description, "institucion": publication.institution,
            "anios": publication.years.map(String.init).joined(separator: ", "), "posicion": String(publication.logPosition),
            "huella": publication.fingerprint, "umbral": publication.threshold.map(String.init) ?? "",
            "estadisticas": publication.kind == .statistics,
        ]
        if publication.kind == .statistics {
            let check = try await StatisticsPublisher(projector: projector, labels: Labels(catalogs: web.services.definitions.catalogs)).check(publication)
            data["reproduce"] = check.reproduces
            data["versionAhora"] = check.versionNow.map(String.init) ?? ""
            data["celdas"] = check.changedCells.prefix(500).map { cell in
                ["tabla": cell.table, "fila": cell.row, "columna": cell.column,
                 "entonces": cell.then.map(String.init) ?? "(s)", "ahora": cell.now.map(String.init) ?? "(s)"]
            }
            data["hayCeldas"] = !check.changedCells.isEmpty
        } else {
            let figures = try await IndicatorPublisher(projector: projector, history: IndicatorDefinitionHistory(pool: projector.pool),
                                                       current: web.services.indicators).compare(publication, today: .today())
            data["cifras"] = figures.map { figure in
                ["ficha": figure.indicator, "anio": String(figure.year), "publicada": figure.published.display,
                 "reproducida": figure.reproduced?.display ?? "—", "ahora": figure.now?.display ?? "—", "reproduce": figure.reproduces,
                 "cambio": figure.now?.display != figure.published.display,
                 "tardios": figure.laterPositions.prefix(12).map(String.init).joined(separator: ", ")] as [String: Any]
            }
            data["reproduce"] = figures.allSatisfy(\.reproduces)
        }
        return web.templates.render("publicar-comparacion", title: "Publicación \(publication.date)", session: session, personal: false, data)
    }
}
