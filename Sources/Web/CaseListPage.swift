import API
import Accounts
import CaseFiles
import Catalog
import Hummingbird

/// «Mis expedientes»: the cases in the person's scope (propios, institución, entidad, nacional, as
/// their roles allow), newest first, with filters and pages. The scope is added to the filters,
/// never taken from them — the same rule as `GET /v1/expedientes`. Nothing personal is listed.
struct CaseListPage {
    let web: WebInterface
    static let pageSize = 50

    func register(on router: Router<APIContext>) {
        router.get("/expedientes") { request, context in
            await web.signedIn(request, context) { request, session in try await list(request, session) }
        }
    }

    /// The scope as a caseworker reads it.
    static let scopeWords = ["propios": "los que usted registró", "institucion": "los de su institución y los canalizados a ella",
                             "entidad": "los de su entidad federativa", "nacional": "todo el país"]

    func list(_ request: Request, _ session: WebSession) async throws -> Response {
        guard let scope = web.services.accounts.authorizer.widestScope(session.identity, .leerExpedientes) else {
            throw WebError.forbidden("su cuenta no tiene permiso para «leer-expedientes»")
        }
        let query = request.uri.queryParameters
        func text(_ name: String) -> String? { query[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
        var filter = CaseFilter(entidad: text("entidad").flatMap { $0.count == 2 && $0.allSatisfy(\.isNumber) ? $0 : nil },
                                status: text("estado").flatMap { ["abierto", "cerrado"].contains($0) ? $0 : nil },
                                modality: text("modalidad"), detectedFrom: text("desde").flatMap { CalendarDate($0) },
                                detectedTo: text("hasta").flatMap { CalendarDate($0) },
                                validated: text("validado").flatMap { $0 == "si" ? true : $0 == "no" ? false : nil })
        if text("canalizados") == "si" { filter.institution = session.identity.institution }
        filter.restrict(to: scope, of: session.identity)
        let page = try await web.services.cases.list(filter, pageSize: Self.pageSize, after: text("despuesDe").flatMap { Int64($0) })
        let labels = CatalogLabels(web.services.definitions.catalogs)
        let rows: [[String: Any]] = page.cases.map { item in
            ["expediente": item.caseId, "institucion": item.registeringInstitution, "calidad": labels.label("calidad-de-la-persona", item.quality),
             "sexo": labels.label("sexo", item.sex), "edad": item.age.map(String.init) ?? "—", "entidad": labels.label("entidades-federativas", item.entidad),
             "fecha": item.detectedOn.description, "estado": item.status == "abierto" ? "Abierto" : "Cerrado",
             "modalidades": item.modalities.map { labels.label("modalidades-de-explotacion", $0) }.joined(separator: ", "),
             "validado": item.validated ? "Sí" : "No"]
        }
        var next = ""
        if let cursor = page.next {
            var parameters = query.filter { $0.key != "despuesDe" }.map { "\($0.key)=\(String($0.value).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            parameters.append("despuesDe=\(cursor)")
            next = "/expedientes?" + parameters.joined(separator: "&")
        }
        let registrable = CommandPages.caseCommands(web.services.definitions, opens: true).filter { definition in
            (try? web.commands.context(session.identity, command: definition.command, client: "web/1")) != nil
        }
        return web.templates.render("expedientes", title: "Mis expedientes", session: session, [
            "expedientes": rows, "hayExpedientes": !rows.isEmpty, "siguiente": next, "alcance": Self.scopeWords[scope.rawValue] ?? scope.rawValue,
            "registrar": registrable.map { ["comando": $0.command, "titulo": FieldLabels.command($0.command)] },
            "filtroEstado": options(["abierto": "Abierto", "cerrado": "Cerrado"], text("estado")),
            "filtroValidado": options(["si": "Sí", "no": "No"], text("validado")),
            "filtroEntidad": labels.options("entidades-federativas", selected: text("entidad")),
            "filtroModalidad": labels.options("modalidades-de-explotacion", selected: text("modalidad")),
            "desde": text("desde") ?? "", "hasta": text("hasta") ?? "", "canalizados": text("canalizados") == "si",
            "hecho": text("hecho") != nil,
        ])
    }

    func options(_ values: KeyValuePairs<String, String>, _ selected: String?) -> [[String: Any]] {
        values.map { ["valor": $0.key, "etiqueta": $0.value, "elegida": $0.key == selected] }
    }
}

/// Catalogue codes as the words a person reads.
struct CatalogLabels {
    let catalogs: CatalogSet
    init(_ catalogs: CatalogSet) { self.catalogs = catalogs }

    func label(_ catalog: String, _ code: String?) -> String {
        guard let code else { return "—" }
        return catalogs[catalog]?.value(code)?.label ?? code
    }

    func options(_ catalog: String, selected: String?) -> [[String: Any]] {
        (catalogs[catalog]?.values ?? []).map { ["valor": $0.code, "etiqueta": $0.label, "elegida": $0.code == selected] }
    }
}
