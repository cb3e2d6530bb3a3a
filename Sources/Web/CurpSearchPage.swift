import API
import Accounts
import Hummingbird

/// Find a person by CURP: sent by POST (never in a URL), looked up through its blind index
/// (`CaseFileReader.find(curp:)`), and only the cases the person may read are listed.
struct CurpSearchPage {
    let web: WebInterface

    func register(on router: Router<APIContext>) {
        router.get("/buscar") { request, context in
            await web.signedIn(request, context) { _, session in try render(session, results: nil, error: "") }
        }
        router.post("/buscar") { request, context in
            await web.signedInForm(request, context) { values, session in
                let curp = (values.text("curp") ?? "").uppercased()
                guard curp.count == 18, curp.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                    return try render(session, results: nil, error: "Escriba la CURP completa: 18 letras y números.", curp: curp, status: .unprocessableContent)
                }
                let authorizer = web.services.accounts.authorizer
                var visible: [String] = []
                for caseId in try await web.services.cases.find(curp: curp) {
                    if let record = try await web.scopes.scope(of: caseId), authorizer.decide(session.identity, .leerExpedientes, on: record).isAllowed {
                        visible.append(caseId)
                    }
                }
                return try render(session, results: visible, error: "", curp: curp)
            }
        }
    }

    func render(_ session: WebSession, results: [String]?, error: String, curp: String = "", status: HTTPResponse.Status = .ok) throws -> Response {
        guard web.services.accounts.authorizer.widestScope(session.identity, .leerExpedientes) != nil else {
            throw WebError.forbidden("su cuenta no tiene permiso para «leer-expedientes»")
        }
        return web.templates.render("buscar", title: error.isEmpty ? "Buscar por CURP" : "Error: Buscar por CURP", session: session, status: status, [
            "csrf": session.csrf, "curp": curp, "error": error, "buscado": results != nil,
            "resultados": (results ?? []).map { ["expediente": $0] }, "hayResultados": !(results ?? []).isEmpty,
        ])
    }
}
