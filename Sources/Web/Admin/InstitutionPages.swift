import API
import Accounts
import Definitions
import Foundation
import Hummingbird

/// Institutions: the list (level of government, entidad) and the form to register one, from the
/// catalogue of institutions or new with its name, level and entidad (`AccountService.registerInstitution`,
/// as `POST /v1/admin/instituciones`).
struct InstitutionPages {
    let web: WebInterface

    func register(on router: Router<APIContext>) {
        router.get("/admin") { request, context in
            await web.signedIn(request, context) { _, session in
                guard web.services.accounts.authorizer.widestScope(session.identity, .leerCuentas) != nil else {
                    throw WebError.forbidden("su cuenta no tiene permiso para «leer-cuentas»")
                }
                return Redirect.to("/admin/usuarios")
            }
        }
        router.get("/admin/instituciones") { request, context in
            await web.signedIn(request, context) { request, session in
                try await show(session, FormValues(), problems: [], done: request.uri.queryParameters["hecho"] != nil)
            }
        }
        router.post("/admin/instituciones") { request, context in
            await web.signedInForm(request, context) { values, session in
                guard let clave = values.text("clave") else {
                    return try await show(session, values, problems: AccountPages.missing(values, ["clave"]), done: false)
                }
                let level = values.text("nivelDeGobierno")
                let registration = InstitutionRegistration(clave: clave, name: values.text("nombre"), level: level.flatMap(GovernmentLevel.init),
                                                           entidad: values.text("entidad"), municipio: values.text("municipio"))
                if level != nil && registration.level == nil { throw WebError.badRequest("El nivel de gobierno enviado no existe.") }
                switch await LoginPages.result({ () async throws(AccountError) in
                    try await web.services.accounts.registerInstitution(registration, by: .user(session.identity))
                }) {
                case .success: return Redirect.to("/admin/instituciones?hecho=1")
                case .failure(.invalid(let problems)): return try await show(session, values, problems: problems, done: false)
                case .failure(let error): throw AccountPages.webError(error)
                }
            }
        }
    }

    static let levels: [(code: String, label: String)] = [
        ("federal", "Federal"), ("estatal", "Estatal"), ("municipal", "Municipal"), ("no-gubernamental", "No gubernamental"),
    ]

    func form() -> PlainForm {
        let entidades: [(code: String, label: String)] = web.services.definitions.catalogs["entidades-federativas"]?.values.map { ($0.code, $0.label) } ?? []
        return PlainForm(fields: [
            .init("clave", "Clave", required: true, maxLength: 60,
                  help: "La del catálogo de instituciones (por ejemplo FGE-07); nombre, nivel y entidad se toman de él. Una clave nueva pide los tres."),
            .init("nombre", "Nombre", maxLength: 300),
            .init("nivelDeGobierno", "Nivel de gobierno", kind: .choice(Self.levels.map(\.code)), options: Self.levels),
            .init("entidad", "Entidad federativa", kind: .choice(entidades.map(\.code)), help: "Sin entidad: de alcance nacional.", options: entidades),
            .init("municipio", "Municipio", maxLength: 5, help: "Clave INEGI de cinco dígitos, solo para instituciones municipales."),
        ])
    }

    func show(_ session: WebSession, _ values: FormValues, problems: [Problem], done: Bool) async throws -> Response {
        let authorizer = web.services.accounts.authorizer
        guard authorizer.widestScope(session.identity, .leerCuentas) != nil else {
            throw WebError.forbidden("su cuenta no tiene permiso para «leer-cuentas»")
        }
        let labels = CatalogLabels(web.services.definitions.catalogs)
        let institutions = try await web.services.accounts.directory.institutions().sorted { $0.clave < $1.clave }
        let view = form().view(values, problems: problems)
        return web.templates.render("admin-instituciones", title: (problems.isEmpty ? "" : "Error: ") + "Instituciones", session: session,
                                    status: problems.isEmpty ? .ok : .unprocessableContent, personal: false, [
            "csrf": session.csrf, "hecho": done ? "Listo: la institución quedó registrada." : "",
            "instituciones": institutions.map { item in
                ["clave": item.clave, "nombre": item.name, "nivel": Self.levels.first { $0.code == item.level.rawValue }?.label ?? item.level.rawValue,
                 "entidad": item.entidad.map { labels.label("entidades-federativas", $0) } ?? "Nacional", "municipio": item.municipio ?? "—"]
            },
            "administra": authorizer.widestScope(session.identity, .administrarCuentas) != nil,
            "campos": view.fields, "errores": view.summary, "hayErrores": !view.summary.isEmpty,
        ])
    }
}
