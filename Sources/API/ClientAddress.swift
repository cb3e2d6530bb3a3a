import Foundation
import HTTPTypes
import Hummingbird

/// Who the client is when SINTRA sits behind a proxy (nginx, HAProxy): the proxy's own address is
/// every request's peer, so the per-address limit would throttle everyone together. The forwarded
/// address (`Forwarded: for=`, else `X-Forwarded-For`) is believed only when the peer is one of the
/// configured proxies; from anyone else those headers are the client's own text and are ignored,
/// so a client can neither dodge its limit nor spend another address's.
///
/// The chain is read from the right: each trusted proxy appends the address it saw, so the first
/// address from the right that is not a trusted proxy is the client; anything left of it could
/// have been written by the client.
public struct TrustedProxies: Sendable, Equatable {
    public let addresses: Set<String>

    public init(_ addresses: some Sequence<String>) {
        self.addresses = Set(addresses.map(Self.normalized).filter { !$0.isEmpty })
    }

    /// "127.0.0.1, ::1" as written in `SINTRA_PROXIES_CONFIABLES`.
    public init(list: String) {
        self.init(list.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init))
    }

    public func trusts(_ address: String?) -> Bool {
        guard let address else { return false }
        return addresses.contains(Self.normalized(address))
    }

    /// The client's address for a request that arrived from `peer`.
    public func client(peer: String?, headers: HTTPFields) -> String? {
        guard trusts(peer) else { return peer }
        let chain = Self.forwardedChain(headers)
        guard !chain.isEmpty else { return peer }
        return chain.reversed().first { !trusts($0) } ?? chain.first
    }

    /// Addresses in hop order, from `Forwarded` (RFC 7239) when present, else `X-Forwarded-For`.
    static func forwardedChain(_ headers: HTTPFields) -> [String] {
        let forwarded = headers[values: HTTPField.Name("Forwarded")!]
        if !forwarded.isEmpty {
            return forwarded.flatMap { $0.split(separator: ",") }.compactMap { element -> String? in
                for pair in element.split(separator: ";") {
                    let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    if parts.count == 2, parts[0].lowercased() == "for" { return normalized(parts[1]) }
                }
                return nil
            }.filter { !$0.isEmpty }
        }
        return headers[values: HTTPField.Name("X-Forwarded-For")!].flatMap { $0.split(separator: ",") }
            .map { normalized(String($0)) }.filter { !$0.isEmpty }
    }

    /// Without quotes, brackets or port ("[2001:db8::1]:4711" → "2001:db8::1", "1.2.3.4:80" → "1.2.3.4").
    static func normalized(_ raw: String) -> String {
        var text = raw.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") { return String(text[text.index(after: text.startIndex)..<close]) }
        if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") { return String(text[..<colon]) }
        // Only characters of an address: anything else (a client's junk) is no address at all.
        guard text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 58) || ($0 >= 65 && $0 <= 70) || ($0 >= 97 && $0 <= 102) || $0 == 46 }) else { return "" }
        return text.lowercased()
    }
}

/// Puts the client's address (`TrustedProxies`) in the context before anything reads it.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let proxies: TrustedProxies

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        var context = context
        let peer = context.remoteAddress
        context.peerIsTrustedProxy = proxies.trusts(peer)
        context.remoteAddress = proxies.client(peer: peer, headers: request.headers)
        return try await next(request, context)
    }
}

/// `Strict-Transport-Security` on every answer when the site is served over HTTPS (a proxy with
/// TLS in front): a browser that once reached it never again tries plain HTTP, where a session
/// cookie could be read on the way.
struct TransportSecurityMiddleware: RouterMiddleware {
    typealias Context = APIContext
    static let value = "max-age=31536000; includeSubDomains"

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[HTTPField.Name("Strict-Transport-Security")!] = Self.value
        return response
    }
}
