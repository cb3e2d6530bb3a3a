import Foundation
import HTTPTypes

/// Token buckets per key (an account, an address): each allows `burst` requests at once and
/// `perSecond` sustained. In memory: one server process is one limit.
actor RateLimiter {
    struct Limit: Sendable {
        let perSecond: Double
        let burst: Double
    }

    private let limit: Limit
    private var buckets: [String: (tokens: Double, updated: ContinuousClock.Instant)] = [:]
    private let clock = ContinuousClock()

    init(_ limit: Limit) { self.limit = limit }

    static let limitHeader = HTTPField.Name("RateLimit-Limit")!

    /// What a client is told of its limit (`RateLimit-Limit`, `-Remaining`, `-Reset`: the IETF draft's fields).
    struct State: Sendable {
        let limit: Int
        let remaining: Int
        /// Seconds until the bucket is full again.
        let reset: Int

        func apply(to headers: inout HTTPFields) {
            headers[HTTPField.Name("RateLimit-Limit")!] = String(limit)
            headers[HTTPField.Name("RateLimit-Remaining")!] = String(remaining)
            headers[HTTPField.Name("RateLimit-Reset")!] = String(reset)
        }
    }

    /// The bucket of `key` after taking one request from it, with the wait when it was empty.
    func check(_ key: String) -> (wait: Int?, state: State) {
        let wait = take(key)
        let tokens = buckets[key]?.tokens ?? limit.burst
        let reset = Int(((limit.burst - tokens) / limit.perSecond).rounded(.up))
        return (wait, State(limit: Int(limit.burst), remaining: max(0, Int(tokens.rounded(.down))), reset: max(0, reset)))
    }

    /// Nil when the request may go on; otherwise the seconds to wait.
    func take(_ key: String) -> Int? {
        let now = clock.now
        var bucket = buckets[key] ?? (limit.burst, now)
        let elapsed = Double((now - bucket.updated).components.attoseconds) / 1e18 + Double((now - bucket.updated).components.seconds)
        bucket.tokens = min(limit.burst, bucket.tokens + elapsed * limit.perSecond)
        bucket.updated = now
        defer { buckets[key] = bucket }
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            if buckets.count > 100_000 { buckets = buckets.filter { now - $0.value.updated < .seconds(60) } }
            return nil
        }
        return max(1, Int(((1 - bucket.tokens) / limit.perSecond).rounded(.up)))
    }
}
