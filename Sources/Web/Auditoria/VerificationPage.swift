import API
import Accounts
import Cryptography
import Definitions
import EventLog
import Foundation
import Hummingbird
import Postgres

/// «Verificación»: the chain's state (head, events), the last verification's result, and a new
/// verification — of the whole log, and against an auditor's signed checkpoint when one is given
/// (`sintra checkpoint` writes it; the same `Checkpoint` and `verifyChain` as `sintra verify
/// --checkpoint`). Only an account that reads the history nationally may run it, as
/// `GET /v1/auditoria/verificacion` requires. Each run is kept (`chain_verifications`).
struct VerificationPage {
    let web: WebInterface

    func register(on router: Router<APIContext>) {
        router.get("/auditoria") { request, context in
            await web.signedIn(request, context) { _, session in try await show(session, FormValues(), problems: []) }
        }
        router.get("/auditoria/verificacion") { request, context in
            await web.signedIn(request, context) { _, session in try await show(session, FormValues(), problems: []) }
        }
        router.post("/auditoria/verificacion") { request, context in
            await web.signedInUpload(request, context) { values, session in try await verify(session, values) }
        }
    }

    static let form = PlainForm(fields: [
        .init("puntoDeControl", "Punto de control firmado",
              help: "Opcional. El archivo que escribió «sintra checkpoint --key auditor.key --out punto.json». Se comprueba su firma y que el registro actual lo extienda.",
              file: true),
        .init("llavePublica", "Llave pública de la persona auditora",
              help: "Opcional. El archivo auditor.pub de «sintra keygen»: con él, el punto de control debe estar firmado con esa llave.", file: true),
    ])

    func requireNational(_ session: WebSession) throws {
        guard web.services.accounts.authorizer.widestScope(session.identity, .leerHistorial) == .nacional else {
            throw WebError.forbidden("verificar el registro completo requiere «leer-historial» con alcance nacional")
        }
    }

    func verify(_ session: WebSession, _ values: FormValues) async throws -> Response {
        try requireNational(session)
        var problems: [Problem] = []
        var trusted: Ed25519PublicKey?
        if let text = values.text("llavePublica") {
            do { trusted = try KeyFile.decodePublicKey(text) } catch {
                problems.append(Problem(path: "llavePublica", code: "llave-no-valida", message: "no es una llave pública de SINTRA (el archivo .pub de «sintra keygen»)"))
            }
        }
        var checkpoint: Checkpoint?
        if let text = values.text("puntoDeControl"), problems.isEmpty {
            do { checkpoint = try Checkpoint(fileContents: text, trustedKey: trusted) } catch let invalid as Checkpoint.Invalid {
                problems.append(Problem(path: "puntoDeControl", code: "punto-de-control-no-valido", message: invalid.description))
            } catch {
                problems.append(Problem(path: "puntoDeControl", code: "punto-de-control-no-valido", message: "no se pudo leer el punto de control"))
            }
        } else if trusted != nil && problems.isEmpty {
            problems.append(Problem(path: "puntoDeControl", code: "falta-punto-de-control", message: "pegue el punto de control que debe firmar esa llave"))
        }
        if !problems.isEmpty { return try await show(session, values, problems: problems) }
        let store = web.services.handler.store
        let head = try await store.head()
        var result = Outcome(intact: true, events: head.count, position: head.position, hash: head.hash, failure: nil)
        do {
            let verified = try await store.verifyChain(checkpoints: checkpoint.map { [$0] } ?? [])
            result = Outcome(intact: true, events: verified.count, position: verified.position, hash: verified.hash, failure: nil)
        } catch let failure as VerificationFailure {
            result = Outcome(intact: false, events: head.count, position: failure.position, hash: nil, failure: failure.description)
        }
        try await web.services.handler.store.pool.query("""
            INSERT INTO chain_verifications (user_id, intact, events, head_position, head_hash, failure, checkpoint_position, checkpoint_key)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, [.text(session.identity.userId), .bool(result.intact), .int64(result.events), .int64(result.position),
                  result.hash.map { .bytea($0) } ?? .null, result.failure.map { .text(String($0.prefix(2_000))) } ?? .null,
                  checkpoint.map { .int64($0.position) } ?? .null, checkpoint.map { .text(Hex.encode($0.publicKey.rawRepresentation)) } ?? .null])
        return Redirect.to("/auditoria/verificacion")
    }

    struct Outcome {
        let intact: Bool
        let events: Int64
        let position: Int64
        let hash: [UInt8]?
        let failure: String?
    }

    func show(_ session: WebSession, _ values: FormValues, problems: [Problem]) async throws -> Response {
        try requireNational(session)
        let store = web.services.handler.store
        let head = try await store.head()
        let rows = try await store.pool.query("""
            SELECT verified_at, user_id, intact, events, head_position, head_hash, failure, checkpoint_position, checkpoint_key
              FROM chain_verifications ORDER BY id DESC LIMIT 1
            """)
        var last: [String: Any] = [:]
        if let row = rows.first {
            let names = PeopleNames()
            let intact = try row.decode(Bool.self, 2)
            let checkpointPosition = try row.decode(Int64?.self, 7)
            last = [
                "cuando": WebTime.text(try row.decode(Timestamp.self, 0)), "quien": try await names.person(try row.decode(String.self, 1), web.services),
                "integro": intact, "eventos": String(try row.decode(Int64.self, 3)), "posicion": String(try row.decode(Int64.self, 4)),
                "hash": try row.decode([UInt8]?.self, 5).map(Hex.encode) ?? "", "falla": try row.decode(String?.self, 6) ?? "",
                "puntoDeControl": checkpointPosition.map(String.init) ?? "", "llave": try row.decode(String?.self, 8) ?? "",
            ]
        }
        let view = Self.form.view(values, problems: problems)
        return web.templates.render("verificacion", title: (problems.isEmpty ? "" : "Error: ") + "Verificación del registro", session: session,
                                    status: problems.isEmpty ? .ok : .unprocessableContent, personal: false, [
            "csrf": session.csrf, "cabeza": ["posicion": String(head.position), "eventos": String(head.count), "hash": Hex.encode(head.hash)],
            "ultima": last, "hayUltima": !last.isEmpty,
            "campos": view.fields, "errores": view.summary, "hayErrores": !view.summary.isEmpty,
        ])
    }
}
