import Foundation

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
