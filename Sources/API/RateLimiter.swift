import Cryptography
import Foundation
import HTTPTypes
import Postgres
import Privacy

/// Token buckets per key (an account, an address): each allows `burst` requests at once and
/// `perSecond` sustained. The buckets are rows of `api_rate_limits` (migration 0110), updated in one
/// statement, so every `sintra serve` behind the proxy spends from the same bucket: a client cannot
/// multiply its limit by the number of instances. The table is unlogged (no WAL, nothing to
/// replicate) and its key is an HMAC of the address or account, never the address itself.
struct RateLimiter: Sendable {
    struct Limit: Sendable {
        let perSecond: Double
        let burst: Double
    }

    private let limit: Limit
    private let pool: ConnectionPool
    /// Derived from the keyring like the blind indexes: a copy of the table names no address.
    private let bucketKey: [UInt8]

    init(_ limit: Limit, pool: ConnectionPool, keyring: Keyring) {
        self.limit = limit
        self.pool = pool
        self.bucketKey = BlindIndex.purposeKey("sintra/api/limite-de-solicitudes/v1", keyring: keyring)
    }

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

    /// The bucket of `key` after taking one request from it, with the seconds to wait when it was empty.
    func check(_ key: String) async throws -> (wait: Int?, state: State) {
        let update = bucketUpdate(key)
        let rows = try await pool.query(update.sql, update.parameters)
        await forgetIdleBucketsNowAndThen()
        return try decision(rows)
    }

    /// `check(key)` and `others` in one round trip: the bucket's decision, and the rows of each of
    /// `others`, which the caller must ignore when the bucket refuses.
    func check(_ key: String, alongside others: [PipelinedStatement]) async throws -> (wait: Int?, state: State, others: [PostgresRows]) {
        let results = try await pool.pipeline([bucketUpdate(key)] + others)
        await forgetIdleBucketsNowAndThen()
        let (wait, state) = try decision(results[0])
        return (wait, state, Array(results.dropFirst()))
    }

    /// Refill by the time elapsed (PostgreSQL's clock: one for every instance), then take one if a whole token is there.
    func bucketUpdate(_ key: String) -> PipelinedStatement {
        let bucket = HMACSHA256.authenticationCode(for: Array(key.utf8), key: bucketKey)
        return PipelinedStatement("""
            INSERT INTO api_rate_limits AS b (bucket, tokens, updated_at, allowed) VALUES ($1, $2 - 1, now(), true)
            ON CONFLICT (bucket) DO UPDATE SET
                allowed = LEAST($2, b.tokens + GREATEST(0, EXTRACT(epoch FROM now() - b.updated_at)::float8) * $3) >= 1,
                tokens = LEAST($2, b.tokens + GREATEST(0, EXTRACT(epoch FROM now() - b.updated_at)::float8) * $3)
                         - CASE WHEN LEAST($2, b.tokens + GREATEST(0, EXTRACT(epoch FROM now() - b.updated_at)::float8) * $3) >= 1 THEN 1 ELSE 0 END,
                updated_at = GREATEST(now(), b.updated_at)
            RETURNING allowed, tokens
            """, [.bytea(bucket), .double(limit.burst), .double(limit.perSecond)])
    }

    /// Buckets idle for an hour are full again anyway: forgotten now and then.
    private func forgetIdleBucketsNowAndThen() async {
        if UInt8.random(in: 0...255) == 0 {
            _ = try? await pool.query("DELETE FROM api_rate_limits WHERE updated_at < now() - interval '1 hour'")
        }
    }

    /// What the rows of `bucketUpdate` decide.
    func decision(_ rows: PostgresRows) throws -> (wait: Int?, state: State) {
        guard let row = rows.first else { throw PostgresError(kind: .connection, message: "sin respuesta del límite de solicitudes") }
        let allowed = try row.decode(Bool.self, 0), tokens = try row.decode(Double.self, 1)
        let reset = Int(((limit.burst - tokens) / limit.perSecond).rounded(.up))
        let state = State(limit: Int(limit.burst), remaining: max(0, Int(tokens.rounded(.down))), reset: max(0, reset))
        return (allowed ? nil : max(1, Int(((1 - tokens) / limit.perSecond).rounded(.up))), state)
    }
}
