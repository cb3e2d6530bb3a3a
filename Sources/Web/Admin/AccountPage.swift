import API
import Accounts
import Definitions
import Foundation
import Hummingbird

/// What an administrator changes on one account; each is a POST to `/admin/usuarios/<id>/<cambio>`.
enum AccountChange: String, CaseIterable, Sendable {
    case roles, suspender, reactivar, contrasena

    var done: String {
        switch self {
        case .roles: "Listo: los roles cambiaron; cuentan desde la siguiente petición de la cuenta."
        case .suspender: "Listo: la cuenta quedó suspendida y sus sesiones cerradas."
        case .reactivar: "Listo: la cuenta quedó reactivada."
        case .contrasena: "Listo: se asignó la contraseña nueva y se cerraron las sesiones de la cuenta. Entréguela a la persona por un medio seguro."
        }
    }
}

/// One account: who, institution, roles, state, the administrator's forms, and its history —
/// every change is an event of the account's stream, shown with who made it and when.
struct AccountPage {
    let web: WebInterface

    static let roleOptions: [(code: String, label: String)] = Role.allCases.map { ($0.rawValue, roleWord($0)) }

    static func roleWord(_ role: Role) -> String {
        switch role {
        case .capturista: "Capturista"
        case .supervisorInstitucional: "Supervisión institucional"
        case .enlaceEstatal: "Enlace estatal"
        case .secretariaTecnica: "Secretaría Técnica"
        case .auditor: "Auditoría"
        case .administrador: "Administración"
        }
    }

    static func scopeWord(_ scope: Scope) -> String {
        switch scope {
        case .propios: "Sus propios registros"
        case .institucion: "Su institución"
        case .entidad: "Su entidad federativa"
        case .nacional: "Nacional"
        }
    }

    static func roleWords(_ roles: [Role]) -> String { roles.map(roleWord).joined(separator: ", ") }

    static let rolesForm = PlainForm(fields: [
        .init("roles", "Roles", required: true, kind: .list(FormField(name: "rol", kind: .text)), options: roleOptions),
        .init("motivo", "Motivo del cambio", maxLength: 500),
    ], prefix: "roles-")
    static let suspendForm = PlainForm(fields: [.init("motivo", "Motivo de la suspensión", required: true, maxLength: 500)], prefix: "suspender-")
    static let reactivateForm = PlainForm(fields: [.init("motivo", "Motivo de la reactivación", maxLength: 500)], prefix: "reactivar-")
    static func passwordForm(_ minimum: Int) -> PlainForm {
        PlainForm(fields: [.init("contrasena", "Contraseña nueva", required: true, maxLength: 256,
                                 help: "Al menos \(minimum) caracteres. Se cierran las sesiones abiertas de la cuenta.", password: true)])
    }

    func show(_ userId: String, _ session: WebSession, done: String?, failed: (AccountChange, FormValues, [Problem])? = nil) async throws -> Response {
        let accounts = web.services.accounts
        guard let account = try await accounts.directory.account(userId) else { throw WebError.notFound }
        let institution = try await accounts.directory.institution(account.institution)
        let scope = RecordScope(recordingUser: userId, recordingInstitution: account.institution, entidad: institution?.entidad)
        if case .denied(let why) = accounts.authorizer.decide(session.identity, .leerCuentas, on: scope) { throw WebError.forbidden(why) }
        let manages = accounts.authorizer.decide(session.identity, .administrarCuentas, on: scope).isAllowed
        let person = try await accounts.directory.personalData(of: userId)
        let history = try await StreamTimeline(services: web.services).rows(try await web.services.handler.store.readStream(userId, limit: 1_000))

        func form(_ change: AccountChange, _ plain: PlainForm, _ initial: FormValues) -> [String: Any] {
            let mine = failed?.0 == change
            let view = plain.view(mine ? failed!.1 : initial, problems: mine ? failed!.2 : [])
            return ["campos": view.fields, "errores": view.summary, "hayErrores": !view.summary.isEmpty]
        }
        var current = FormValues()
        for role in account.roles { current = FormValues(pairs: current.pairs + [("roles", role.rawValue)]) }
        let errors = failed.map { failure -> [[String: String]] in
            let plain: PlainForm = switch failure.0 {
            case .roles: Self.rolesForm
            case .suspender: Self.suspendForm
            case .reactivar: Self.reactivateForm
            case .contrasena: Self.passwordForm(accounts.policy.minimumPasswordLength)
            }
            return plain.view(failure.1, problems: failure.2).summary
        } ?? []
        return web.templates.render("admin-usuario", title: (errors.isEmpty ? "" : "Error: ") + "Cuenta", session: session,
                                    status: errors.isEmpty ? .ok : .unprocessableContent, [
            "usuario": userId, "csrf": session.csrf, "hecho": done.flatMap(AccountChange.init(rawValue:)).map(\.done)
                ?? (done == "registrada" ? "Listo: la cuenta quedó registrada. La persona ya puede entrar con su usuario y la contraseña asignada." : ""),
            "errores": errors, "hayErrores": !errors.isEmpty,
            "datos": [
                ["etiqueta": "Nombre", "valor": person?.name ?? "—"],
                ["etiqueta": "Usuario", "valor": person?.login ?? "—"],
                ["etiqueta": "Correo electrónico", "valor": person?.email ?? "—"],
                ["etiqueta": "Institución", "valor": institution.map { "\($0.name) (\($0.clave))" } ?? account.institution],
                ["etiqueta": "Roles", "valor": Self.roleWords(account.roles)],
                ["etiqueta": "Estado", "valor": account.active ? "Activa" : "Suspendida"],
                ["etiqueta": "Registrada", "valor": account.registeredOn],
                ["etiqueta": "Contraseña asignada", "valor": account.passwordSetOn ?? "Sin contraseña"],
            ],
            // What the roles allow and how far (the permissions table), so «roles» reads as scope too.
            "permisos": accounts.authorizer.permissions.filter { account.roles.contains($0.role) }.map { permission in
                ["rol": Self.roleWord(permission.role), "accion": FieldLabels.command(permission.action.rawValue),
                 "alcance": Self.scopeWord(permission.scope), "explicacion": permission.explanation + (permission.requiresReason ? " (declarando el motivo)" : "")]
            },
            "administra": manages, "activa": account.active, "propia": userId == session.identity.userId,
            "formRoles": form(.roles, Self.rolesForm, current), "formSuspender": form(.suspender, Self.suspendForm, FormValues()),
            "formReactivar": form(.reactivar, Self.reactivateForm, FormValues()),
            "formContrasena": form(.contrasena, Self.passwordForm(accounts.policy.minimumPasswordLength), FormValues()),
            "historial": Array(history.reversed()), "hayHistorial": !history.isEmpty,
            // Positions link to the event's page only for those who may read it.
            "auditor": accounts.authorizer.widestScope(session.identity, .leerHistorial) != nil,
        ])
    }

    func apply(_ change: AccountChange, to userId: String, _ values: FormValues, _ session: WebSession) async throws -> Response {
        let accounts = web.services.accounts, by = Requester.user(session.identity)
        let reason = values.text("motivo")
        let outcome: Result<Void, AccountError>
        switch change {
        case .roles:
            let names = values.all("roles")
            guard !names.isEmpty else {
                return try await show(userId, session, done: nil, failed: (change, values, [Problem(path: "roles", code: "obligatorio", message: "elija al menos un rol")]))
            }
            let roles = names.compactMap(Role.init)
            guard roles.count == names.count else { throw WebError.badRequest("Uno de los roles enviados no existe.") }
            outcome = await LoginPages.result { () async throws(AccountError) in _ = try await accounts.changeRoles(of: userId, to: roles, reason: reason, by: by) }
        case .suspender:
            guard let reason else {
                return try await show(userId, session, done: nil, failed: (change, values, [Problem(path: "motivo", code: "obligatorio", message: "escriba por qué se suspende la cuenta")]))
            }
            outcome = await LoginPages.result { () async throws(AccountError) in _ = try await accounts.suspend(userId, reason: reason, by: by) }
        case .reactivar:
            outcome = await LoginPages.result { () async throws(AccountError) in _ = try await accounts.reactivate(userId, reason: reason, by: by) }
        case .contrasena:
            let password = values.first("contrasena") ?? ""
            outcome = await LoginPages.result { () async throws(AccountError) in try await accounts.setPassword(of: userId, to: password, by: by) }
        }
        switch outcome {
        case .success: return Redirect.to("/admin/usuarios/\(userId)?hecho=\(change.rawValue)")
        case .failure(.invalid(let problems)):
            // A rule about the whole account (the last administrator, one's own account) goes to the reason.
            let placed = problems.map { $0.path == "flujo" || $0.path.isEmpty ? Problem(path: change == .contrasena ? "contrasena" : change == .roles ? "roles" : "motivo", code: $0.code, message: $0.message) : $0 }
            return try await show(userId, session, done: nil, failed: (change, values, placed))
        case .failure(let error): throw AccountPages.webError(error)
        }
    }
}
