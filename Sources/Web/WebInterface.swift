import API
import Accounts
import CaseFiles
import Commands
import Definitions
import Foundation
import Hummingbird
import Mustache

/// The caseworker's desk: Spanish pages rendered on the server beside the API (`/` beside `/v1`),
/// calling the same services the API calls — never the API over HTTP.
public struct WebInterface: Sendable {
    public struct Configuration: Sendable {
        /// `Secure` on the session cookie: on whenever the site is reached over TLS (a proxy in front).
        public var secureCookies = false
        /// A session unused this long ends; the person logs in again.
        public var idleTimeout: TimeInterval = 30 * 60
        /// SINTRA Capacitación: every page carries the training banner and «CAPACITACIÓN» in its title.
        public var training = false
        public init() {}
    }

    let services: APIServices
    let configuration: Configuration
    let templates: Templates
    let sessions: WebSessions
    let forms: FormBuilder
    let commands: AuthorizedCommands
    let personalData: PersonalDataAccess
    let scopes: RecordScopes
    /// The annex by position of the projections (the indicators page).
    let indicatorCache = IndicatorCache()
    /// The public portal's pages by release (immutable, so never stale).
    let portalCache = PortalCache()

    /// Loads the templates and the stylesheet once; a template that does not parse stops the start.
    public init(services: APIServices, configuration: Configuration = .init()) async throws {
        self.services = services
        self.configuration = configuration
        var templates = try await Templates.load(training: configuration.training)
        templates.authorizer = services.accounts.authorizer
        self.templates = templates
        self.sessions = WebSessions(accounts: services.accounts, idleTimeout: configuration.idleTimeout)
        self.forms = FormBuilder(definitions: services.definitions)
        self.commands = AuthorizedCommands(accounts: services.accounts)
        self.personalData = PersonalDataAccess(accounts: services.accounts)
        self.scopes = services.accounts.recordScopes
    }

    /// Adds the pages to the API's router (the API's middlewares — environment header, request log,
    /// rate limits — apply to them too; the pages answer their own errors as HTML).
    public func register(on router: Router<APIContext>) {
        router.get("/estatico/sintra.css") { _, _ in templates.stylesheet() }
        router.get("/") { request, context in
            await page(request, context) { _ in try await redirectHome(request) }
        }
        LoginPages(web: self).register(on: router)
        CaseListPage(web: self).register(on: router)
        CasePage(web: self).register(on: router)
        CommandPages(web: self).register(on: router)
        InboxPage(web: self).register(on: router)
        SearchPage(web: self).register(on: router)
        AccountPages(web: self).register(on: router)
        InstitutionPages(web: self).register(on: router)
        VerificationPage(web: self).register(on: router)
        ConsultationsPage(web: self).register(on: router)
        HistoryPages(web: self).register(on: router)
        RecordPages(web: self).register(on: router)
        RecordCommandPages(web: self).register(on: router)
        CIESPage(web: self).register(on: router)
        IndicatorsPage(web: self).register(on: router)
        FichaPage(web: self).register(on: router)
        PublishPages(web: self).register(on: router)
        PortalPage(web: self).register(on: router)
        ProgramFactPages(web: self).register(on: router)
        ReportPages(web: self).register(on: router)
        AnnualReportPage(web: self).register(on: router)
    }

    /// Caseworkers start at their cases; an account without cases to read (the administrator) at a
    /// page that says what it can do here.
    func redirectHome(_ request: Request) async throws -> Response {
        guard let session = try await sessions.current(request) else { return Redirect.to("/entrar") }
        if services.accounts.authorizer.widestScope(session.identity, .leerExpedientes) != nil { return Redirect.to("/expedientes") }
        return templates.render("inicio", title: "Inicio", session: session, personal: false, [
            "roles": session.identity.roles.map(\.rawValue).sorted().joined(separator: ", "),
            "administra": session.identity.roles.contains(.administrador),
        ])
    }

    /// Runs a page; whatever goes wrong becomes a Spanish page with the right status, never a trace.
    func page(_ request: Request, _ context: APIContext, _ body: (Request) async throws -> Response) async -> Response {
        do {
            return try await body(request)
        } catch let error as WebError {
            return ErrorPages.response(error, templates: templates, session: nil)
        } catch {
            return ErrorPages.response(WebError(unexpected: error, logger: context.logger), templates: templates, session: nil)
        }
    }

    /// A page that needs a logged-in person: without a session (or with an expired one) the login page.
    func signedIn(_ request: Request, _ context: APIContext, _ body: (Request, WebSession) async throws -> Response) async -> Response {
        await page(request, context) { request in
            guard let session = try await sessions.current(request) else {
                return Redirect.to(WebSessions.hasCookie(request) ? "/entrar?motivo=expirada" : "/entrar")
            }
            context.record.account = session.identity.userId
            do {
                return try await body(request, session)
            } catch let error as WebError {
                return ErrorPages.response(error, templates: templates, session: session)
            }
        }
    }

    /// A POST of a logged-in person: its CSRF token must be the session's.
    func signedInForm(_ request: Request, _ context: APIContext,
                      _ body: (FormValues, WebSession) async throws -> Response) async -> Response {
        await signedIn(request, context) { request, session in
            let values = try await FormValues.read(request)
            guard let token = values.first("_csrf"), session.csrf.constantTimeEquals(token) else { throw WebError.staleSession }
            return try await body(values, session)
        }
    }
}
