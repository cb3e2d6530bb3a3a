import CanonicalJSON
import Hummingbird
import Logging

/// The HTTP API: its endpoints, the router built from them and the application that serves it.
public struct APIServer: Sendable {
    public let services: APIServices
    public let endpoints: [Endpoint]
    /// The contract as served at `/openapi.json` (and kept in `events/openapi.json`).
    public let contract: JSONValue

    public init(services: APIServices) {
        self.services = services
        let documented = CommandEndpoints.all(services) + CaseEndpoints.all(services) + ReportEndpoints.all(services) + AuditEndpoints.all(services)
        // The system endpoints serve the contract, which lists them too: build it from a placeholder, then fill it.
        let box = ContractBox()
        let endpoints = documented + SystemEndpoints.all(services) { box.text }
        self.endpoints = endpoints
        self.contract = OpenAPIDocument.build(endpoints: endpoints, definitions: services.definitions)
        box.text = OpenAPIDocument.text(contract)
    }

    public func router() -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: AuthenticationMiddleware(access: services.access))
        for endpoint in endpoints {
            router.on(RouterPath(endpoint.routerPath), method: endpoint.method) { request, context in
                if endpoint.access == .authenticated { _ = try context.requireCaller() }
                return try await endpoint.handler(request, context)
            }
        }
        return router
    }

    public func application(host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
        Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "sintra"), logger: logger)
    }
}

/// Written once in `APIServer.init`, read by every `/openapi.json` request afterwards.
final class ContractBox: @unchecked Sendable {
    var text = ""
}
