import Accounts
import CanonicalJSON
import Cryptography
import Definitions
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Postgres
import Privacy

/// `Idempotency-Key` on every write: a retry after a timeout never acts twice.
///
/// Commands need nothing here: the log recognises their keys (`CommandHandler`). The other writes
/// (administration, one's own password) keep their first answer in `api_idempotency` (migration
/// 0011), by account and key: the same request again gets that answer; the same key with another
/// request is refused; a retry while the first is still running gets 409. Only a keyed digest of
/// the request is kept — its body may hold a password or a person's name — and the answer, which
/// never holds either.
struct IdempotentWrites: Sendable {
    let pool: ConnectionPool
    /// HMAC key of the request digests, derived from the keyring like the blind indexes: a copy of
    /// the table cannot be used to test guesses of what was sent.
    private let digestKey: [UInt8]
    /// A first request that has not answered after this long is taken to have died with its server.
    static let abandonedAfterSeconds = 60

    init(pool: ConnectionPool, keyring: Keyring) {
        self.pool = pool
        self.digestKey = BlindIndex.purposeKey("sintra/api/clave-de-idempotencia/v1", keyring: keyring)
    }

    /// The header as every write documents it.
    static let parameter = Endpoint.Parameter(
        "Idempotency-Key", in: .header, required: true,
        description: "Clave única de la escritura (1 a 200 caracteres ASCII visibles). Reenviar con la misma clave nunca la repite.",
        schema: ["type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"])

    /// The request's key; nil when missing or malformed (report `badKey`).
    static func key(_ request: Request) -> String? {
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!], (1...200).contains(key.utf8.count),
              key.utf8.allSatisfy({ (33...126).contains($0) }) else { return nil }
        return key
    }

    static let badKey = Problem(path: "encabezados.Idempotency-Key", code: "clave-de-idempotencia",
                                message: "se requiere el encabezado Idempotency-Key con 1 a 200 caracteres ASCII visibles")

    /// Runs `write` once per account and key. `body` is the parsed request body (part of what a
    /// retry must repeat exactly). A first answer of 201 is repeated as 200, as commands do.
    func once(_ request: Request, body: JSONValue, identity: Identity,
              _ write: () async throws -> (status: HTTPResponse.Status, body: JSONValue?)) async throws -> Response {
        guard let key = Self.key(request) else { throw APIProblem.malformed(Self.badKey.message, problems: [Self.badKey]) }
        let described = "\(request.method.rawValue) \(request.uri.path)\n" + String(decoding: CanonicalJSON.serialize(body), as: UTF8.self)
        let digest = HMACSHA256.authenticationCode(for: Array(described.utf8), key: digestKey)
        let owner: [PostgresValue] = [.text(identity.userId), .text(key)]
        if let earlier = try await claim(owner, digest) {
            guard earlier.digest == digest else {
                throw APIProblem.invalid([Problem(path: "encabezados.Idempotency-Key", code: "clave-de-idempotencia-reutilizada",
                    message: "esta clave de idempotencia ya se usó para otra solicitud; use una clave nueva para cada escritura distinta")])
            }
            guard let status = earlier.status else {
                var problem = APIProblem(.conflict, title: "Solicitud en curso",
                                         detail: "La primera solicitud con esta Idempotency-Key aún no termina; reintente en un momento.")
                problem.headers[.retryAfter] = "1"
                throw problem
            }
            return Self.response(status == 201 ? .ok : HTTPResponse.Status(code: status), earlier.response)
        }
        let answer: (status: HTTPResponse.Status, body: JSONValue?)
        do {
            answer = try await write()
        } catch {
            // Refused (nothing done) or uncertain: the key is free again for a corrected retry.
            _ = try? await pool.query("DELETE FROM api_idempotency WHERE account_id = $1 AND idempotency_key = $2 AND status IS NULL", owner)
            throw error
        }
        let text = answer.body.map { String(decoding: CanonicalJSON.serialize($0), as: UTF8.self) }
        // The write took effect: its answer must be kept, or a retry would run it a second time. A
        // brief failure is retried; a lasting one is reported (the claim stays, so a retry meanwhile
        // gets 409, not a second write) instead of being swallowed.
        var attempt = 0
        while true {
            do {
                _ = try await pool.query("UPDATE api_idempotency SET status = $3, response = $4 WHERE account_id = $1 AND idempotency_key = $2",
                                         owner + [.int64(Int64(answer.status.code)), text.map(PostgresValue.text) ?? .null])
                break
            } catch {
                attempt += 1
                guard attempt < 3 else {
                    throw APIProblem.unavailable("La operación se realizó, pero no se pudo guardar su respuesta; no la repita: verifique su resultado antes.")
                }
                try? await Task.sleep(for: .milliseconds(100 * attempt))
            }
        }
        return Self.response(answer.status, text)
    }

    /// Takes the key for this request (nil), or returns what an earlier request with it left.
    private func claim(_ owner: [PostgresValue], _ digest: [UInt8]) async throws -> (digest: [UInt8], status: Int?, response: String?)? {
        let claimed = try await pool.query("""
            INSERT INTO api_idempotency AS a (account_id, idempotency_key, request_digest) VALUES ($1, $2, $3)
            ON CONFLICT (account_id, idempotency_key) DO UPDATE SET request_digest = EXCLUDED.request_digest, created_at = now()
             WHERE a.status IS NULL AND a.created_at < now() - make_interval(secs => $4)
            RETURNING 1
            """, owner + [.bytea(digest), .int64(Int64(Self.abandonedAfterSeconds))])
        if !claimed.isEmpty {
            // Answers are kept a day: long enough for any retry.
            _ = try await pool.query("DELETE FROM api_idempotency WHERE created_at < now() - interval '1 day'")
            return nil
        }
        let rows = try await pool.query("""
            SELECT request_digest, status, response FROM api_idempotency WHERE account_id = $1 AND idempotency_key = $2
            """, owner)
        guard let row = rows.first else { throw APIProblem.unavailable("No se pudo reservar la Idempotency-Key; reintente.") }
        return (try row.decode([UInt8].self, 0), try row.decode(Int?.self, 1), try row.decode(String?.self, 2))
    }

    private static func response(_ status: HTTPResponse.Status, _ body: String?) -> Response {
        guard let body else { return Response(status: status) }
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

extension Endpoint {
    /// A write that is not a command (administration, one's own password): documented with its
    /// `Idempotency-Key` and the 409 of a retry that overtakes the first request, and run once per
    /// key by `IdempotentWrites`. `write` gets the parsed body (`.null` for an operation without
    /// one) and returns the answer's status and body.
    static func writeOnce(_ method: HTTPRequest.Method, _ path: String, operationId: String, tag: String, summary: String,
                          parameters: [Parameter] = [], requestBody: JSONValue? = nil, successes: [Success], errors: [Int],
                          services: APIServices,
                          _ write: @escaping @Sendable (Request, APIContext, JSONValue) async throws -> (status: HTTPResponse.Status, body: JSONValue?)) -> Endpoint {
        Endpoint(method, path, operationId: operationId, tag: tag, summary: summary, access: .authenticated,
                 parameters: parameters + [IdempotentWrites.parameter], requestBody: requestBody, successes: successes,
                 errors: Array(Set(errors + [400, 409])).sorted()) { request, context in
            let identity = try context.requireIdentity()
            let body = requestBody == nil ? JSONValue.null : try await Body.json(request)
            return try await services.idempotentWrites.once(request, body: body, identity: identity) { try await write(request, context, body) }
        }
    }
}
