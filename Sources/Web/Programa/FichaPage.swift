import Accounts
import API
import CanonicalJSON
import Catalog
import Hummingbird
import Indicators

/// One ficha (`/indicadores/1.2`): its fields, the series with each year's substitution, the series
/// against the goal as a chart; and one figure's provenance (`/indicadores/1.2/2024`): each variable
/// with the events that made it and, for the fichas that count institutions, which institutions of
/// the universe reported that year (counted) and which are missing.
struct FichaPage {
    let web: WebInterface

    func register(on router: Router<APIContext>) {
        router.get("/indicadores/:ficha") { request, context in
            await web.signedIn(request, context) { _, session in try await ficha(context.parameters.get("ficha"), session) }
        }
        router.get("/indicadores/:ficha/:anio") { request, context in
            await web.signedIn(request, context) { _, session in
                try await provenance(context.parameters.get("ficha"), context.parameters.get("anio"), session)
            }
        }
    }

    func definition(_ id: String?) throws -> IndicatorDefinition {
        guard let id, let definition = web.services.indicators.first(where: { $0.id == id }) else { throw WebError.notFound }
        return definition
    }

    func ficha(_ id: String?, _ session: WebSession) async throws -> Response {
        try web.require(session, .leerIndicadores)
        let definition = try definition(id)
        let results = try await IndicatorEngine(pool: web.services.analyticsPool(try web.projector), indicators: [definition], kept: KeptIndicators(projector: try web.projector))
            .compute(years: ProgramYears.annex, today: .today(), provenance: false)
        let text = { (key: String) in definition.fields[key]?.stringValue ?? "" }
        return web.templates.render("ficha", title: "Ficha \(definition.id)", session: session, personal: false, [
            "id": definition.id, "nombre": definition.name, "objetivo": text("objetivo"), "definicion": text("definicion"),
            "unidad": definition.unit, "periodicidad": text("periodicidad"), "tendencia": text("tendenciaEsperada"),
            "observaciones": text("observaciones"), "clave": definition.formulaKey, "formula": definition.formulaText,
            "lineaBase": "\(IndicatorEngine.format(definition.baselineValue)) (\(definition.baselineYear))",
            "meta": "\(IndicatorEngine.format(definition.target)) (\(definition.targetYear))",
            "variables": definition.variables.map { ["clave": $0.key, "nombre": $0.name, "descripcion": $0.description] },
            "serie": results.map { result in
                ["anio": String(result.year), "valor": result.display, "sustitucion": result.substitution,
                 "publicada": definition.published[result.year] ?? "—", "enlace": "/indicadores/\(definition.id)/\(result.year)"]
            },
            "grafica": FichaView.chart(definition, results, table: "tabla-serie"),
            "marcas": IndicatorsPage.flags,
        ])
    }

    func provenance(_ id: String?, _ yearText: String?, _ session: WebSession) async throws -> Response {
        try web.require(session, .leerIndicadores)
        let definition = try definition(id)
        guard let year = try ProgramYears.year(yearText, in: 2019...2100) else { throw WebError.notFound }
        let pool = web.services.analyticsPool(try web.projector)
        guard let result = try await IndicatorEngine(pool: pool, indicators: [definition], kept: KeptIndicators(projector: try web.projector))
            .compute(years: [year], today: .today()).first else {
            throw WebError.notFound
        }
        let labels = CatalogLabels(web.services.definitions.catalogs)
        var variables: [[String: Any]] = []
        for variable in result.variables {
            let events = try await ProvenanceEvent.load(variable.positions, pool)
            var view: [String: Any] = [
                "clave": variable.key, "nombre": variable.name, "valor": variable.value.map(IndicatorEngine.format) ?? "sin valor (ND)",
                "eventos": events.map(\.view), "hayEventos": !events.isEmpty, "cuantos": String(variable.positions.count),
                "recortado": variable.positions.count > ProvenanceEvent.shownAtMost, "preliminar": variable.preliminary,
            ]
            if let breakdown = variable.breakdown { view.merge(FichaView.breakdown(breakdown, labels), uniquingKeysWith: { $1 }) }
            variables.append(view)
        }
        return web.templates.render("ficha-procedencia", title: "Procedencia: ficha \(definition.id), \(year)", session: session, personal: false, [
            "id": definition.id, "nombre": definition.name, "anio": String(year), "valor": result.display,
            "sustitucion": result.substitution, "formula": "\(definition.formulaKey) = \(definition.formulaText)",
            "posicion": String(result.logPosition), "variables": variables,
            "alertas": result.alerts.map(\.message).joined(separator: "; "), "marcas": IndicatorsPage.flags,
        ])
    }
}

/// How a ficha's figures are shown: the series chart and the breakdown of institutions.
enum FichaView {
    /// The series against the goal; NA/ND years break the line and show their mark.
    static func chart(_ definition: IndicatorDefinition, _ results: [IndicatorResult], table: String) -> String {
        SVGChart.series(results.map { ($0.year, $0.value, $0.display) }, goal: definition.target,
                        goalLabel: "meta \(IndicatorEngine.format(definition.target))",
                        label: "Ficha \(definition.id): serie \(results.first?.year ?? 2019)–\(results.last?.year ?? 2024) contra la meta \(IndicatorEngine.format(definition.target)); los valores están en la tabla",
                        table: table)
    }

    /// `desglose_de_instituciones` (counted, not counted, outside the list) with the institutions'
    /// names; any other breakdown as it came, in canonical JSON.
    static func breakdown(_ value: JSONValue, _ labels: CatalogLabels) -> [String: Any] {
        func names(_ key: String) -> [[String: String]] {
            (value[key]?.arrayValue ?? []).compactMap(\.stringValue).map { ["clave": $0, "nombre": labels.label("instituciones", $0)] }
        }
        if value["contadas"] != nil || value["noContadas"] != nil {
            let counted = names("contadas"), missing = names("noContadas"), outside = names("fueraDeLaLista")
            return ["instituciones": true, "contadas": counted, "noContadas": missing, "fuera": outside,
                    "nContadas": String(counted.count), "nNoContadas": String(missing.count), "hayFuera": !outside.isEmpty]
        }
        return ["desglose": String(decoding: CanonicalJSON.serialize(value), as: UTF8.self)]
    }
}
