import Accounts
import Hummingbird
import Logging

/// The request context every SINTRA route receives.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthenticationMiddleware` from the bearer token; nil for anonymous callers.
    public var identity: Identity?
    /// The bearer token's lookup (and its account's bucket), sent by `AddressRateLimitMiddleware` with
    /// the address's bucket; the authentication and the account's limit read them instead of asking again.
    var prefetched: PrefetchedAuthentication?

    /// The client's IP address, for the per-address rate limit: the peer's, or, when the peer is a
    /// configured proxy, the one it forwarded (`ClientAddressMiddleware`).
    public internal(set) var remoteAddress: String?
    /// The connection comes from a configured proxy: its forwarded headers are believed.
    public internal(set) var peerIsTrustedProxy = false
    /// Filled in as the request runs (the acting account), read by the request log.
    public let record = RequestRecord()
    /// The request's id (`X-Request-Id`), chosen once by `RequestLogMiddleware`; the middleware
    /// inside it (the request's span) reads it from here.
    public internal(set) var requestId: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Bodies are read by the routes themselves with `APILimits.maxBodyBytes`; this bounds Hummingbird's own decoding.
    public var maxUploadSize: Int { APILimits.maxBodyBytes }

    /// The caller, or 401.
    func requireIdentity() throws -> Identity {
        guard let identity else { throw APIProblem.unauthenticated }
        return identity
    }
}

public enum APILimits {
    /// A command's data is a few kilobytes; a megabyte leaves room for long narratives.
    public static let maxBodyBytes = 1 << 20
    public static let maxPageSize = 500
}
