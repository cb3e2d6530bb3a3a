import API
import Accounts
import CaseFiles
import Hummingbird

/// «Bandeja»: referrals the institution received (accept or reject, with the case's own forms) and
/// sent, and — for those who validate — the cases of their scope waiting for validation.
struct InboxPage {
    let web: WebInterface

    func register(on router: Router<APIContext>) {
        router.get("/bandeja") { request, context in
            await web.signedIn(request, context) { _, session in try await inbox(session) }
        }
    }

    func inbox(_ session: WebSession) async throws -> Response {
        let identity = session.identity
        let authorizer = web.services.accounts.authorizer
        guard authorizer.widestScope(identity, .leerExpedientes) != nil else {
            throw WebError.forbidden("su cuenta no tiene permiso para «leer-expedientes»")
        }
        let referrals = try await web.services.cases.referrals(involving: identity.institution)
        let received = referrals.filter { $0.referral.to == identity.institution }.map { item -> [String: Any] in
            let r = item.referral
            return ["expediente": item.caseId, "folio": r.folio, "fecha": r.date, "de": r.from, "estado": r.status,
                    "pendiente": r.status == "pendiente",
                    "aceptar": "/expedientes/\(item.caseId)/acciones/aceptar-canalizacion?folio=\(Self.encoded(r.folio))",
                    "rechazar": "/expedientes/\(item.caseId)/acciones/rechazar-canalizacion?folio=\(Self.encoded(r.folio))"]
        }
        let sent = referrals.filter { $0.referral.from == identity.institution }.map { item -> [String: Any] in
            let r = item.referral
            return ["expediente": item.caseId, "folio": r.folio, "fecha": r.date, "a": r.to, "estado": r.status, "respuesta": r.answeredOn ?? "—"]
        }
        var waiting: [[String: String]] = []
        let validates = authorizer.widestScope(identity, .validar)
        if let scope = validates {
            var filter = CaseFilter(validated: false)
            switch scope {
            case .nacional: break
            case .entidad: filter.withinEntidad = identity.entidad ?? "--"
            case .institucion: filter.visibleToInstitution = identity.institution
            case .propios: filter.registeredBy = identity.userId
            }
            waiting = try await web.services.cases.list(filter, pageSize: 50).cases.map { item in
                ["expediente": item.caseId, "fecha": item.detectedOn.description, "institucion": item.registeringInstitution,
                 "validar": "/expedientes/\(item.caseId)/acciones/validar-registro?versionValidada=\(item.version)"]
            }
        }
        return web.templates.render("bandeja", title: "Bandeja", session: session, [
            "recibidas": received, "hayRecibidas": !received.isEmpty, "enviadas": sent, "hayEnviadas": !sent.isEmpty,
            "valida": validates != nil, "porValidar": waiting, "hayPorValidar": !waiting.isEmpty,
        ])
    }

    static func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
}
