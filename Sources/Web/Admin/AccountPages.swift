import API
import Accounts
import Definitions
import Foundation
import Hummingbird

/// Accounts in the browser: the list, a new account, one account with its history, and the
/// changes an administrator makes (roles, suspend, reactivate, a new password). Every change goes
/// through `AccountService`, which checks `administrar-cuentas` against the account's scope and
/// records the event, as `/v1/admin/usuarios` does; the pages only translate forms to it.
struct AccountPages {
    let web: WebInterface

    func register(on router: Router<APIContext>) {
        router.get("/admin/usuarios") { request, context in
            await web.signedIn(request, context) { request, session in
                try await list(session, institution: request.uri.queryParameters["institucion"].map(String.init))
            }
        }
        router.get("/admin/usuarios/nueva") { request, context in
            await web.signedIn(request, context) { _, session in try await newAccount(session, FormValues(), problems: []) }
        }
        router.post("/admin/usuarios/nueva") { request, context in
            await web.signedInForm(request, context) { values, session in
                let registration = UserRegistration(login: values.text("usuario") ?? "", name: values.text("nombre") ?? "", email: values.text("correo"),
                                               institution: values.text("institucion") ?? "", roles: values.all("roles").compactMap(Role.init),
                                               password: values.first("contrasena").flatMap { $0.isEmpty ? nil : $0 })
                var missing = Self.missing(values, ["usuario", "nombre", "institucion"])
                if values.all("roles").isEmpty { missing.append(Problem(path: "roles", code: "obligatorio", message: "elija al menos un rol")) }
                if !missing.isEmpty { return try await newAccount(session, values, problems: missing) }
                switch await LoginPages.result({ () async throws(AccountError) in try await web.services.accounts.registerUser(registration, by: .user(session.identity)) }) {
                case .success(let account): return Redirect.to("/admin/usuarios/\(account.userId)?hecho=registrada")
                case .failure(.invalid(let problems)): return try await newAccount(session, values, problems: problems)
                case .failure(let error): throw Self.webError(error)
                }
            }
        }
        router.get("/admin/usuarios/:usuario") { request, context in
            await web.signedIn(request, context) { request, session in
                try await AccountPage(web: web).show(context.parameters.get("usuario") ?? "", session, done: request.uri.queryParameters["hecho"].map(String.init))
            }
        }
        for change in AccountChange.allCases {
            router.post("/admin/usuarios/:usuario/\(change.rawValue)") { request, context in
                await web.signedInForm(request, context) { values, session in
                    try await AccountPage(web: web).apply(change, to: context.parameters.get("usuario") ?? "", values, session)
                }
            }
        }
    }

    /// The accounts the caller may read (`leer-cuentas`), filtered by its scope as the API filters them.
    func list(_ session: WebSession, institution: String?) async throws -> Response {
        let authorizer = web.services.accounts.authorizer
        guard let scope = authorizer.widestScope(session.identity, .leerCuentas) else {
            throw WebError.forbidden("su cuenta no tiene permiso para «leer-cuentas»")
        }
        let filter = institution.flatMap { $0.isEmpty ? nil : String($0.prefix(60)) }
        let accounts = try await web.services.accounts.directory.accounts(institution: filter).filter { account in
            switch scope {
            case .nacional: true
            case .entidad, .institucion: account.institution == session.identity.institution
            case .propios: account.userId == session.identity.userId
            }
        }
        let names = PeopleNames()
        var rows: [[String: Any]] = []
        for account in accounts.sorted(by: { ($0.institution, $0.registeredOn, $0.userId) < ($1.institution, $1.registeredOn, $1.userId) }) {
            rows.append(["usuario": account.userId, "nombre": try await names.person(account.userId, web.services),
                         "institucion": account.institution, "roles": AccountPage.roleWords(account.roles),
                         "estado": account.active ? "Activa" : "Suspendida", "registrada": account.registeredOn])
        }
        let institutions = try await web.services.accounts.directory.institutions().sorted { $0.clave < $1.clave }
        return web.templates.render("admin-usuarios", title: "Cuentas", session: session, [
            "usuarios": rows, "hayUsuarios": !rows.isEmpty, "administra": authorizer.widestScope(session.identity, .administrarCuentas) != nil,
            "instituciones": institutions.map { ["clave": $0.clave, "nombre": $0.name, "elegida": $0.clave == filter] as [String: Any] },
            "filtro": filter ?? "",
        ])
    }

    static func accountForm(_ institutions: [InstitutionRecord], _ minimum: Int) -> PlainForm { PlainForm(fields: [
        .init("usuario", "Usuario", required: true, maxLength: 200, help: "Con el que la persona entra a SINTRA; sin espacios."),
        .init("nombre", "Nombre completo", required: true, maxLength: 300),
        .init("correo", "Correo electrónico", maxLength: 300),
        .init("institucion", "Institución", required: true, kind: .choice(institutions.map(\.clave)),
              options: institutions.map { ($0.clave, "\($0.name) (\($0.clave))") }),
        .init("roles", "Roles", required: true, kind: .list(FormField(name: "rol", kind: .text)), options: AccountPage.roleOptions),
        .init("contrasena", "Contraseña inicial", maxLength: 256,
              help: "Al menos \(minimum) caracteres. Entréguela a la persona por un medio seguro; podrá cambiarla al entrar.", password: true),
    ]) }

    func newAccount(_ session: WebSession, _ values: FormValues, problems: [Problem]) async throws -> Response {
        guard web.services.accounts.authorizer.widestScope(session.identity, .administrarCuentas) != nil else {
            throw WebError.forbidden("su cuenta no tiene permiso para «administrar-cuentas»")
        }
        let institutions = try await web.services.accounts.directory.institutions().sorted { $0.clave < $1.clave }
        let form = Self.accountForm(institutions, web.services.accounts.policy.minimumPasswordLength).view(values, problems: problems)
        return web.templates.render("admin-usuario-nuevo", title: (problems.isEmpty ? "" : "Error: ") + "Nueva cuenta", session: session,
                                    status: problems.isEmpty ? .ok : .unprocessableContent, [
            "csrf": session.csrf, "campos": form.fields, "errores": form.summary, "hayErrores": !form.summary.isEmpty,
        ])
    }

    /// Required fields left empty, each as a problem on its field (the service would name them by the schema's path).
    static func missing(_ values: FormValues, _ names: [String]) -> [Problem] {
        names.filter { values.text($0) == nil }.map { Problem(path: $0, code: "obligatorio", message: "escriba este dato") }
    }

    static func webError(_ error: AccountError) -> WebError {
        switch error {
        case .forbidden(let why): .forbidden(why)
        case .notFound: .notFound
        case .invalid(let problems): .badRequest(problems.map(\.message).joined(separator: "; "))
        default: .unavailable
        }
    }
}
