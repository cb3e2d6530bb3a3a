import Accounts
import API
import CanonicalJSON
import Catalog
import Commands
import Definitions
import Foundation
import Hummingbird
import NIOCore
import Reports

/// «Reportes»: the reports module in the browser — a source, rows, columns, one filter and a
/// measure chosen from the variables generated from every module's definitions
/// (`ReportCatalogue`), run by the same `ReportRunner` as `POST /v1/reportes/ejecutar`, shown as a
/// table with its chart, downloadable as CSV or XLSX, and saved with `guardar-reporte`. Without
/// script the choice is two steps: the source, then its variables.
struct ReportPages {
    let web: WebInterface

    func register(on router: Router<APIContext>) {
        router.get("/reportes") { request, context in
            await web.signedIn(request, context) { request, session in try await page(request, session) }
        }
        router.post("/reportes/guardar") { request, context in
            await web.signedInForm(request, context) { values, session in try await save(values, session) }
        }
    }

    var catalogue: ReportCatalogue { ReportCatalogue(definitions: web.services.definitions) }

    /// The report document the query describes, as `ReportDefinition.parse` reads it.
    static func document(_ query: [String: String]) -> JSONValue {
        var members: [JSONMember] = [
            .init(key: "titulo", value: .string(query["titulo"].flatMap { $0.isEmpty ? nil : $0 } ?? "Reporte")),
            .init(key: "fuente", value: .string(query["fuente"] ?? "")), .init(key: "filas", value: .string(query["filas"] ?? "")),
            .init(key: "modo", value: .string(query["modo"] ?? "interno")),
        ]
        if let columns = query["columnas"], !columns.isEmpty { members.append(.init(key: "columnas", value: .string(columns))) }
        let measure = query["medida"] ?? "registros"
        members.append(.init(key: "medida", value: measure.hasPrefix("suma:") ? ["suma": .string(String(measure.dropFirst(5)))] : .string(measure)))
        if let variable = query["filtro"], !variable.isEmpty {
            let values = (query["valores"] ?? "").split(separator: ",").map { JSONValue.string($0.trimmingCharacters(in: .whitespaces)) }
            members.append(.init(key: "filtros", value: .object([.init(key: variable, value: .array(values))])))
        }
        return .object(members)
    }

    /// The query of a saved report's document (its first filter only, as the form offers one).
    static func query(_ document: JSONValue) -> String {
        var pairs: [(String, String)] = ["titulo", "fuente", "filas", "columnas", "modo"].compactMap { key in document[key]?.stringValue.map { (key, $0) } }
        if let measure = document["medida"] { pairs.append(("medida", measure.stringValue ?? "suma:" + (measure["suma"]?.stringValue ?? ""))) }
        if let filter = document["filtros"]?.objectValue?.first {
            pairs.append(("filtro", filter.key))
            pairs.append(("valores", (filter.value.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ",")))
        }
        return pairs.map { "\($0.0)=\(QueryText.encode($0.1))" }.joined(separator: "&")
    }

    func page(_ request: Request, _ session: WebSession, saved: String? = nil, problems: [Problem] = [], status: HTTPResponse.Status = .ok) async throws -> Response {
        try web.require(session, .leerIndicadores)
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        let catalogue = self.catalogue
        let source = query["fuente"].flatMap(catalogue.source)
        var data: [String: Any] = [
            "csrf": session.csrf, "titulo": query["titulo"] ?? "", "guardado": saved ?? query["guardado"] ?? "",
            "fuentes": catalogue.sources.map { ["fuente": $0.name, "modulo": $0.module, "elegida": $0.name == source?.name] },
            "fuenteElegida": source?.name ?? "",
            "interno": query["modo"] != "publicacion", "publicacion": query["modo"] == "publicacion",
        ]
        if let source {
            func options(_ key: String, blank: String?) -> [[String: Any]] {
                (blank.map { [["valor": "", "etiqueta": $0, "elegida": (query[key] ?? "").isEmpty]] } ?? [])
                    + source.dimensions.map { ["valor": $0, "etiqueta": FieldLabels.label($0), "elegida": query[key] == $0] }
            }
            let measures = (source.isPeople ? ["personas"] : ["registros"] + source.numerics.map { "suma:" + $0 })
            data["filas"] = options("filas", blank: nil)
            data["columnas"] = options("columnas", blank: "— Sin columnas —")
            data["filtros"] = options("filtro", blank: "— Sin filtro —")
            data["valores"] = query["valores"] ?? ""
            data["medidas"] = measures.map { ["valor": $0, "etiqueta": $0.hasPrefix("suma:") ? "Suma de " + FieldLabels.label(String($0.dropFirst(5))) : FieldLabels.label($0),
                                              "elegida": query["medida"] == $0] }
        }
        var problems = problems
        // «Como estaba el …»: the same report replayed from the log up to the end of that day, as
        // `POST /v1/reportes/ejecutar?asOf=` does — what an auditor asks of any figure.
        data["al"] = query["al"] ?? ""
        let asOf = (query["al"] ?? "").isEmpty ? nil : CalendarDate(query["al"]!)
        if let text = query["al"], !text.isEmpty, asOf == nil {
            problems.append(Problem(path: "al", code: "fecha-no-valida", message: "«\(text.prefix(20))» no es una fecha AAAA-MM-DD"))
        }
        if source != nil, let rows = query["filas"], !rows.isEmpty, problems.isEmpty {
            do {
                let report = try ReportDefinition.parse(Self.document(query), catalogue: catalogue)
                let projector = try web.projector
                let result = try await ReportRunner(projector: projector, catalogs: web.services.definitions.catalogs, reads: web.services.analyticsPool(projector))
                    .run(report, threshold: web.services.statisticsThreshold, asOf: asOf)
                switch query["formato"] {
                case "csv": return download(Array(ReportRenderer.csv(result).utf8), type: "text/csv; charset=utf-8", name: "reporte.csv")
                case "xlsx": return download(ReportWorkbook.xlsx(result), type: ReportWorkbook.mediaType, name: "reporte.xlsx")
                default: break
                }
                data["resultado"] = ReportView.view(result)
                data["documento"] = String(decoding: CanonicalJSON.serialize(report.document), as: UTF8.self)
                data["consulta"] = Self.query(report.document) + (asOf.map { "&al=\($0)" } ?? "")
                data["alDia"] = asOf.map { "Como estaba al final del \($0): el registro repetido hasta esa fecha." } ?? ""
            } catch let error as ReportInputError {
                problems += error.problems
            }
        }
        data["errores"] = problems.map { ["mensaje": "\(FieldLabels.label($0.path.split(separator: ".").first.map(String.init) ?? $0.path)): \($0.message)"] }
        data["hayErrores"] = !problems.isEmpty
        data["guardados"] = try await SavedReports(pool: try web.projector.pool).all().map { saved in
            ["nombre": saved.name, "descripcion": saved.description ?? "", "institucion": saved.institution, "fecha": saved.date,
             "enlace": "/reportes?" + Self.query(saved.document)]
        }
        return web.templates.render("reportes", title: (problems.isEmpty ? "" : "Error: ") + "Reportes", session: session,
                                    status: problems.isEmpty ? status : .unprocessableContent, personal: false, data)
    }

    func download(_ bytes: [UInt8], type: String, name: String) -> Response {
        var response = Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(name)\""],
                                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        SecurityHeaders.apply(to: &response.headers, personal: false)
        return response
    }

    /// Saves the report shown under a name, as `guardar-reporte` (the account's own command).
    func save(_ values: FormValues, _ session: WebSession) async throws -> Response {
        try web.require(session, .leerIndicadores)
        let name = values.text("nombre") ?? ""
        guard let text = values.text("documento"), let document = try? CanonicalJSON.parse(text),
              (try? ReportDefinition.parse(document, catalogue: catalogue)) != nil else {
            throw WebError.badRequest("El reporte a guardar no es válido; vuelva a calcularlo.")
        }
        var data: [JSONMember] = [.init(key: "fecha", value: .string(CalendarDate.today().description)), .init(key: "nombre", value: .string(name)),
                                  .init(key: "definicion", value: document)]
        if let description = values.text("descripcion"), !description.isEmpty { data.append(.init(key: "descripcion", value: .string(description))) }
        let context: CommandContext
        do { context = try web.commands.context(session.identity, command: "guardar-reporte", client: "web/1") } catch { throw WebError.forbidden(error.message) }
        let command = Command(name: "guardar-reporte", data: .object(data), idempotencyKey: "web-" + (values.text("_clave") ?? UUID().uuidString))
        switch await CommandPages.outcome(web.services.handler, command, context) {
        case .success(let result):
            _ = try? await web.projector.waitUntil("hechos", hasApplied: result.position, timeout: .seconds(5))
            return Redirect.to("/reportes?guardado=\(QueryText.encode(name))&" + Self.query(document))
        case .failure(.rejected(let rejection)):
            let message = rejection.problems.map { "\($0.path.replacingOccurrences(of: "datos.", with: "")): \($0.message)" }.joined(separator: "; ")
            throw WebError(status: .unprocessableContent, title: "No se guardó el reporte", message: "No se guardó: \(message). Vuelva a la página anterior y corrija el nombre.")
        case .failure(.forbidden(let why)): throw WebError.forbidden(why)
        case .failure: throw WebError.unavailable
        }
    }
}

/// A report's table (published values only: suppressed entries of a publication report are «(s)»)
/// and its chart of row totals.
enum ReportView {
    static func view(_ result: ReportResult) -> [String: Any] {
        let last = result.columns.count
        let number = { (value: Double?) in value.map(SVGChart.number) ?? "(s)" }
        return [
            "titulo": result.title, "fuente": result.source, "regla": result.rule, "posicion": String(result.position), "fecha": result.date,
            "columnas": result.columns.map { ["etiqueta": $0.label] }, "hayColumnas": !result.columns.isEmpty,
            "filas": result.rows.indices.map { row in
                ["etiqueta": result.rows[row].label, "valores": (0..<last).map { ["valor": number(result.value(row, $0))] },
                 "total": number(result.value(row, last))] as [String: Any]
            },
            "totales": (0..<last).map { ["valor": number(result.value(result.rows.count, $0))] },
            "total": number(result.value(result.rows.count, last)),
            "varios": result.multiValued ? ReportResult.multiValuedNote : "",
            "grafica": SVGChart.bars(result.rows.indices.map { SVGChart.Bar(label: result.rows[$0].label, value: result.value($0, last)) },
                                     label: "\(result.title): total por fila; las cifras están en la tabla", table: "tabla-reporte"),
        ]
    }
}

/// Percent-encoding for a query value.
enum QueryText {
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~:")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
