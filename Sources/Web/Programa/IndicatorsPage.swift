import Accounts
import API
import Catalog
import Hummingbird
import Indicators
import Postgres
import Projections
import Publications

/// «Indicadores del PNTdP»: the annex as a page — the fichas with baseline, goal and the series
/// 2019–2024 as the engine computes them now (`IndicatorEngine`, as `GET /v1/indicadores`), each
/// figure linked to its provenance; a year selector; and, with a date, the figures as they stood at
/// the end of that day (`IndicatorsAsOf`) beside today's with what changed them (`AsOfComparison`).
struct IndicatorsPage {
    let web: WebInterface

    static let flags: [[String: String]] = [
        ["marca": "NA", "significado": "No aplica: el año es anterior al de la línea base de la ficha, o la ficha no se calcula ese año."],
        ["marca": "ND", "significado": "No disponible: faltan los datos que la fórmula necesita, o el denominador es cero. Nunca se publica un 0 en su lugar."],
        ["marca": "p/", "significado": "Preliminar: se calculó antes del mes de disponibilidad de la ficha (del año siguiente), o con expedientes corregidos que esperan una nueva validación."],
    ]

    func register(on router: Router<APIContext>) {
        router.get("/indicadores") { request, context in
            await web.signedIn(request, context) { request, session in try await annex(request, session) }
        }
    }

    func annex(_ request: Request, _ session: WebSession) async throws -> Response {
        try web.require(session, .leerIndicadores)
        let query = request.uri.queryParameters
        let year = try ProgramYears.year(query["anio"].map(String.init))
        let asOf = try ProgramYears.date(query["al"].map(String.init))
        let projector = try web.projector
        let years = year.map { [$0] } ?? ProgramYears.annex
        // Positions only for the comparison with a past day, which names what was recorded since.
        let now = try await web.indicatorCache.results(years: years, today: .today(), provenance: asOf != nil, indicators: web.services.indicators,
                                                       pool: web.services.analyticsPool(projector), kept: KeptIndicators(projector: projector))
        var data: [String: Any] = [
            "fichas": web.services.indicators.map { definition in row(definition, years: years, results: now.filter { $0.id == definition.id }) },
            "anios": years.map { ["anio": String($0)] },
            "opcionesDeAnio": ProgramYears.annex.map { ["anio": String($0), "elegido": $0 == year] },
            "unAnio": year != nil, "anio": year.map(String.init) ?? "", "al": asOf?.description ?? "",
            "marcas": Self.flags, "posicion": String(now.first?.logPosition ?? 0), "hoy": CalendarDate.today().description,
        ]
        if let asOf {
            data["comparacion"] = try await comparison(asOf, years: years, now: now, projector: projector)
        }
        return web.templates.render("indicadores", title: "Indicadores del PNTdP", session: session, personal: false, data)
    }

    /// One ficha as a row: baseline, goal, each year's figure (linked to its provenance) and, for one
    /// year, the formula with its substitution; plus the series-against-goal chart.
    func row(_ definition: IndicatorDefinition, years: [Int], results: [IndicatorResult]) -> [String: Any] {
        let tableId = "tabla-indicadores"
        return [
            "id": definition.id, "nombre": definition.name, "unidad": definition.unit,
            "lineaBase": "\(IndicatorEngine.format(definition.baselineValue)) (\(definition.baselineYear))",
            "meta": "\(IndicatorEngine.format(definition.target)) (\(definition.targetYear))",
            "valores": results.map { result in
                ["anio": String(result.year), "valor": result.display, "enlace": "/indicadores/\(definition.id)/\(result.year)",
                 "sustitucion": result.substitution, "marca": result.flag?.rawValue ?? "", "alertas": result.alerts.map(\.message).joined(separator: "; ")] as [String: Any]
            },
            "grafica": years.count > 1 ? FichaView.chart(definition, results, table: tableId) : "",
        ]
    }

    /// The figures at the end of `asOf`, the differences from now, and the events recorded after
    /// that day that changed them, named.
    func comparison(_ asOf: CalendarDate, years: [Int], now: [IndicatorResult], projector: Projector) async throws -> [String: Any] {
        guard let end = Timestamp(endOfDay: asOf.description) else { throw WebError.badRequest("Fecha no válida.") }
        let position = try await projector.position(recordedAtOrBefore: end)
        let past = try await IndicatorsAsOf(projector: projector, history: IndicatorDefinitionHistory(pool: projector.pool))
            .compute(position: position, years: years, today: asOf, current: web.services.indicators)
        let comparison = AsOfComparison(asOf: asOf, today: .today(), position: position, then: past.results, now: now,
                                        definitions: web.services.indicators, withoutRecordedDefinition: past.withoutRecordedDefinition,
                                        recordChanges: try await RecordChange.after(position, projector.pool))
        let changed = comparison.differences.filter { $0.explanation != nil }
        let late = try await ProvenanceEvent.load(Array(Set(changed.flatMap(\.laterPositions))).sorted(), projector.pool)
        let byPosition = Dictionary(late.map { ($0.position, $0) }, uniquingKeysWith: { first, _ in first })
        return [
            "fecha": asOf.description, "posicion": String(position),
            "sinVersion": past.withoutRecordedDefinition.joined(separator: ", "),
            "entonces": web.services.indicators.map { definition in
                row(definition, years: years, results: past.results.filter { $0.id == definition.id })
            },
            "diferencias": changed.map { difference in
                [
                    "ficha": difference.indicator, "anio": String(difference.year),
                    "entonces": difference.then?.display ?? "—", "ahora": difference.now?.display ?? "—",
                    "explicacion": difference.explanation ?? "",
                    "tardios": difference.laterPositions.compactMap { byPosition[$0]?.view },
                    "hayTardios": difference.laterPositions.contains { byPosition[$0] != nil },
                ] as [String: Any]
            },
            "hayDiferencias": !changed.isEmpty,
        ]
    }
}
