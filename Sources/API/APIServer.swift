import Accounts
import CanonicalJSON
import CaseFiles
import Commands
import Definitions
import EventLog
import Hummingbird
import Logging
import Postgres
import Privacy
import Prometheus
import ServiceLifecycle

/// The HTTP API: its endpoints, the router built from them and the application that serves it.
public struct APIServer: Sendable {
    /// Limits and observability that differ between production, tests and benchmarks.
    public struct Configuration: Sendable {
        /// Sustained requests per second and burst, per client address and per account.
        public var perAddress = (perSecond: 100.0, burst: 200.0)
        public var perAccount = (perSecond: 50.0, burst: 100.0)
        /// The bearer token a Prometheus scrape presents at `/metrics`; without one `/metrics` is off
        /// (404): the metrics name routes, modules and load, nothing for the public.
        public var metricsToken: String? = nil
        /// The proxies whose `Forwarded` / `X-Forwarded-For` are believed (`TrustedProxies`).
        public var trustedProxies = TrustedProxies([String]())
        /// `Strict-Transport-Security` on every answer: the site is reached over HTTPS only.
        public var strictTransportSecurity = false
        /// Named on every response (`SINTRA-Ambiente`); `sintra serve` checks it against the database first.
        public var environment: DeploymentEnvironment = .produccion
        public init() {}
    }

    public let services: APIServices
    public let configuration: Configuration
    public let endpoints: [Endpoint]
    /// The contract as served at `/openapi.json` (and kept in `events/openapi.json`).
    public let contract: JSONValue

    public init(services: APIServices, configuration: Configuration = .init()) {
        self.services = services
        self.configuration = configuration
        let documented = CommandEndpoints.all(services) + CaseEndpoints.all(services) + RecordEndpoints.all(services) + ReportEndpoints.all(services)
            + ReportQueryEndpoints.all(services) + AnnualReportEndpoints.all(services) + CatalogEndpoints.all(services) + AuditEndpoints.all(services)
            + SessionEndpoints.all(services) + AdminEndpoints.all(services) + LoadAndPublishEndpoints.all(services) + ProblemTypeEndpoints.all()
        // The system endpoints serve the contract, which lists them too: build it from a placeholder, then fill it.
        let box = ContractBox()
        let endpoints = documented + SystemEndpoints.all(services, metricsToken: configuration.metricsToken) { box.text }
        self.endpoints = endpoints
        self.contract = OpenAPIDocument.build(endpoints: endpoints, definitions: services.definitions)
        box.text = OpenAPIDocument.text(contract)
    }

    public func router() -> Router<APIContext> {
        let router = Router(context: APIContext.self, options: .autoGenerateHeadEndpoints)
        // Outermost, so that every answer (errors and /health included) names its environment.
        if configuration.strictTransportSecurity { router.add(middleware: TransportSecurityMiddleware()) }
        router.add(middleware: EnvironmentMiddleware(environment: configuration.environment))
        router.add(middleware: CompressionMiddleware())
        // The client's address first: the request log, the metrics and the address limit read it.
        router.add(middleware: ClientAddressMiddleware(proxies: configuration.trustedProxies))
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: RequestSpanMiddleware())
        router.add(middleware: RequestMetricsMiddleware(metrics: services.metrics))
        // The address limit before authentication (checking a token costs a query), the account limit after it.
        let perAccount = RateLimiter(.init(perSecond: configuration.perAccount.perSecond, burst: configuration.perAccount.burst),
                                     pool: services.store.pool, keyring: services.handler.vault.keyring)
        let tokenAccounts = TokenAccounts()
        router.add(middleware: AddressRateLimitMiddleware(
            perAddress: RateLimiter(.init(perSecond: configuration.perAddress.perSecond, burst: configuration.perAddress.burst),
                                    pool: services.store.pool, keyring: services.handler.vault.keyring),
            perAccount: perAccount, accounts: services.accounts, tokenAccounts: tokenAccounts))
        router.add(middleware: ProblemMiddleware(index: EndpointIndex(endpoints)))
        router.add(middleware: AuthenticationMiddleware(accounts: services.accounts))
        router.add(middleware: AccountRateLimitMiddleware(perAccount: perAccount, tokenAccounts: tokenAccounts))
        for endpoint in endpoints {
            let offered = endpoint.mediaTypes
            router.on(RouterPath(endpoint.routerPath), method: endpoint.method) { request, context in
                if endpoint.access == .authenticated { _ = try context.requireIdentity() }
                guard ContentNegotiation.accepts(request.headers[.accept], offered: offered) else { throw ContentNegotiation.notAcceptable(offered) }
                try DeclaredParameters.check(endpoint, request, context)
                var response = try await endpoint.handler(request, context)
                // What an account sees depends on who it is: a shared cache must never hand it to another.
                if endpoint.access == .authenticated { response.headers[.vary] = "Authorization" }
                return response
            }
        }
        return router
    }

    /// The server with the services that live and stop with it (the projector). `extend` adds
    /// routes beside the API's on the same router (the web interface at `/`): one process, one port.
    public func application(host: String, port: Int, logger: Logger, services: [any Service] = [],
                            extend: (Router<APIContext>) -> Void = { _ in }) -> some ApplicationProtocol {
        let router = router()
        extend(router)
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "sintra"),
                           services: services, logger: logger)
    }
}

/// Written once in `APIServer.init`, read by every `/openapi.json` request afterwards.
final class ContractBox: @unchecked Sendable {
    var text = ""
}

extension APIServer {
    /// The contract without a database or keys, for `sintra definitions openapi` and the test that
    /// keeps `events/openapi.json` current. Nothing here ever runs a route: the pool never connects
    /// and the empty permissions table allows nothing.
    public static func contract(definitions: DefinitionSet) -> JSONValue {
        let store = EventStore(pool: ConnectionPool(connectionString: "", maxConnections: 1))
        let vault = DataKeyVault(pool: store.pool, keyring: .generate())
        let services = APIServices(definitions: definitions, handler: CommandHandler(definitions: definitions, store: store, vault: vault),
                                   accounts: AccountService(handler: CommandHandler(definitions: definitions, store: store, vault: vault),
                                                            authorizer: Authorizer(permissions: [])),
                                   projector: nil,
                                   cases: CaseFileReader(store: store, vault: vault, definitions: definitions), indicators: [], statisticsThreshold: 10)
        return APIServer(services: services).contract
    }
}
