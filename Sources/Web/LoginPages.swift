import API
import Accounts
import HTTPTypes
import Hummingbird

/// Log in, log out, change one's password. The login is the API's (`AccountService.login`): the
/// same lockout after repeated failures and the same messages; the cookie only names the session.
struct LoginPages {
    let web: WebInterface
    /// Before a session exists the login form is tied to the browser by this cookie (double submit).
    static let loginCookie = "sintra_entrada"

    func register(on router: Router<APIContext>) {
        router.get("/entrar") { request, context in
            await web.page(request, context) { request in
                let reason = request.uri.queryParameters["motivo"].map(String.init)
                let notice = reason == "expirada" ? "Su sesión terminó por inactividad. Vuelva a entrar."
                    : reason == "contrasena" ? "Su contraseña cambió. Entre con la nueva." : nil
                return loginForm(message: notice, error: nil, login: "")
            }
        }
        router.post("/entrar") { request, context in
            await web.page(request, context) { request in
                let values = try await FormValues.read(request)
                guard let token = values.first("_csrf"), let expected = Cookies.value(Self.loginCookie, in: request),
                      expected.constantTimeEquals(token) else {
                    return loginForm(message: nil, error: "El formulario venció; escriba de nuevo su usuario y contraseña.", login: "")
                }
                let login = values.first("usuario") ?? ""
                switch await web.sessions.open(login: login, password: values.first("contrasena") ?? "") {
                case .success(let id):
                    return Redirect.to("/", cookies: [Cookies.set(WebSessions.cookieName, id, secure: web.configuration.secureCookies),
                                                      Cookies.clear(Self.loginCookie, secure: web.configuration.secureCookies)])
                case .failure(let error):
                    let status: HTTPResponse.Status
                    switch error {
                    case .locked: status = .tooManyRequests
                    case .unavailable: status = .serviceUnavailable
                    default: status = .unauthorized
                    }
                    return loginForm(message: nil, error: Self.sentence(error.message), login: login, status: status)
                }
            }
        }
        router.post("/salir") { request, context in
            await web.signedInForm(request, context) { _, _ in
                await web.sessions.close(request)
                return Redirect.to("/entrar", cookies: [Cookies.clear(WebSessions.cookieName, secure: web.configuration.secureCookies)])
            }
        }
        router.get("/contrasena") { request, context in
            await web.signedIn(request, context) { _, session in passwordForm(session, problems: [:], done: false) }
        }
        router.post("/contrasena") { request, context in
            await web.signedInForm(request, context) { values, session in
                let changed = await Self.result { () async throws(AccountError) in
                    try await web.services.accounts.changeOwnPassword(session.identity, current: values.first("actual") ?? "", new: values.first("nueva") ?? "",
                                                                      currentField: "actual", newField: "nueva")
                }
                if case .failure(let error) = changed {
                    if case .invalid(let problems) = error {
                        var byField: [String: String] = [:]
                        for problem in problems { byField[problem.path] = Self.sentence(problem.message) }
                        return passwordForm(session, problems: byField, done: false, status: .unprocessableContent)
                    }
                    throw WebError.forbidden(error.message)
                }
                // A new password ends every session, this one too: log in again with it.
                await web.sessions.close(request)
                return Redirect.to("/entrar?motivo=contrasena", cookies: [Cookies.clear(WebSessions.cookieName, secure: web.configuration.secureCookies)])
            }
        }
    }

    func loginForm(message: String?, error: String?, login: String, status: HTTPResponse.Status = .ok) -> Response {
        let token = WebSessions.randomToken()
        var response = web.templates.render("entrar", title: error == nil ? "Entrar" : "Error: Entrar", session: nil, status: status, personal: false, [
            "csrf": token, "aviso": message ?? "", "error": error ?? "", "usuario": login,
        ])
        response.headers.append(HTTPField(name: .setCookie, value: Cookies.set(Self.loginCookie, token, secure: web.configuration.secureCookies)))
        return response
    }

    func passwordForm(_ session: WebSession, problems: [String: String], done: Bool, status: HTTPResponse.Status = .ok) -> Response {
        let policy = web.services.accounts.policy
        return web.templates.render("contrasena", title: problems.isEmpty ? "Cambiar contraseña" : "Error: Cambiar contraseña", session: session, status: status, [
            "csrf": session.csrf, "errorActual": problems["actual"] ?? "", "errorNueva": problems["nueva"] ?? "",
            "hayErrores": !problems.isEmpty, "minimo": String(policy.minimumPasswordLength),
        ])
    }

    /// As a `Result`: a typed-throws `catch` with patterns crashes this compiler.
    static func result<T>(_ body: () async throws(AccountError) -> T) async -> Result<T, AccountError> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    static func sentence(_ text: String) -> String {
        let trimmed = text.prefix(1).uppercased() + text.dropFirst()
        return trimmed.hasSuffix(".") ? trimmed : trimmed + "."
    }
}
