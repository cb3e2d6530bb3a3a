import Hummingbird
import Logging

/// Who is calling, once `AuthenticationMiddleware` has checked their bearer token.
public struct Caller: Sendable, Equatable {
    public let userId: String
    public let institutionId: String
    /// INEGI code of the institution's entidad (nil for federal institutions).
    public let entidad: String?
    public let roles: [String]

    public init(userId: String, institutionId: String, entidad: String?, roles: [String]) {
        self.userId = userId
        self.institutionId = institutionId
        self.entidad = entidad
        self.roles = roles
    }
}

/// The request context every SINTRA route receives.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthenticationMiddleware`; nil on public routes and for anonymous callers.
    public var caller: Caller?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Bodies are read by the routes themselves with `APILimits.maxBodyBytes`; this bounds Hummingbird's own decoding.
    public var maxUploadSize: Int { APILimits.maxBodyBytes }

    /// The caller, or 401.
    func requireCaller() throws -> Caller {
        guard let caller else { throw APIProblem.unauthenticated }
        return caller
    }
}

public enum APILimits {
    /// A command's data is a few kilobytes; a megabyte leaves room for long narratives.
    public static let maxBodyBytes = 1 << 20
    public static let maxPageSize = 500
}
