import API
import Accounts
import CaseFiles
import Hummingbird

/// Find a person by CURP or by name, sent by POST (never in a URL), through the keyed blind indexes
/// (`CaseFileReader.find(curp:within:)`, `find(name:within:)`): nothing is decrypted, «Maria Lopez»
/// finds «MARÍA LÓPEZ», and only cases within the person's scope are listed, each with the warning
/// when another institution may have registered the same person.
struct SearchPage {
    let web: WebInterface

    func register(on router: Router<APIContext>) {
        router.get("/buscar") { request, context in
            await web.signedIn(request, context) { _, session in try render(session, results: nil, problem: nil) }
        }
        router.post("/buscar") { request, context in
            await web.signedInForm(request, context) { values, session in
                let curp = (values.text("curp") ?? "").trimmingCharacters(in: .whitespaces).uppercased()
                let name = (values.text("nombre") ?? "").trimmingCharacters(in: .whitespaces)
                let entered = Entered(curp: curp, name: name)
                if curp.isEmpty == name.isEmpty {
                    return try render(session, results: nil, problem: ("nombre", "Escriba la CURP o el nombre (uno de los dos)."), entered, status: .unprocessableContent)
                }
                let scope = try scopeFilter(session)
                let page: CaseSearchPage
                if !curp.isEmpty {
                    guard curp.count == 18, curp.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                        return try render(session, results: nil, problem: ("curp", "Escriba la CURP completa: 18 letras y números."), entered, status: .unprocessableContent)
                    }
                    page = try await web.services.cases.find(curp: curp, within: scope)
                } else {
                    if case .failure(let invalid) = CaseFileReader.nameSearchTokens(name) {
                        return try render(session, results: nil, problem: ("nombre", "Nombre: \(invalid.message)."), entered, status: .unprocessableContent)
                    }
                    page = try await web.services.cases.find(name: name, within: scope)
                }
                return try render(session, results: page.hits, problem: nil, entered)
            }
        }
    }

    struct Entered { var curp = "", name = "" }

    /// The caller's scope as a filter, as the case list applies it.
    func scopeFilter(_ session: WebSession) throws -> CaseFilter {
        guard let scope = web.services.accounts.authorizer.widestScope(session.identity, .leerExpedientes) else {
            throw WebError.forbidden("su cuenta no tiene permiso para «leer-expedientes»")
        }
        var filter = CaseFilter()
        filter.restrict(to: scope, of: session.identity)
        return filter
    }

    func render(_ session: WebSession, results: [CaseSearchHit]?, problem: (field: String, message: String)?, _ entered: Entered = Entered(),
                status: HTTPResponse.Status = .ok) throws -> Response {
        _ = try scopeFilter(session)
        let labels = CatalogLabels(web.services.definitions.catalogs)
        return web.templates.render("buscar", title: problem == nil ? "Buscar a una persona" : "Error: Buscar a una persona", session: session, status: status, [
            "csrf": session.csrf, "curp": entered.curp, "nombre": entered.name, "error": problem?.message ?? "", "campoConError": problem?.field ?? "",
            "errorEnCurp": problem?.field == "curp", "errorEnNombre": problem?.field == "nombre", "buscado": results != nil,
            "resultados": (results ?? []).map { hit in
                ["expediente": hit.summary.caseId, "institucion": hit.summary.registeringInstitution, "fecha": hit.summary.detectedOn.description,
                 "entidad": labels.label("entidades-federativas", hit.summary.entidad), "duplicado": hit.possibleDuplicateElsewhere] as [String: Any]
            },
            "hayResultados": !(results ?? []).isEmpty,
        ])
    }
}
