import API
import Accounts
import CanonicalJSON
import Definitions
import Foundation
import Hummingbird
import Postgres

/// The state commissions (CIES): their sessions by entidad, the agreements each adopted and the
/// state of each agreement after its latest follow-up (adoptado, en proceso, cumplido…), read from
/// the log's `SesionCIESCelebrada`, `AcuerdoCIESAdoptado` and `AcuerdoCIESSeguido` — none carries
/// personal data, so any account that reads the module records (`leer-indicadores`) may read them.
/// Recording a session, an agreement or a follow-up goes through `RecordCommandPages`.
struct CIESPage {
    let web: WebInterface
    static let commands = ["registrar-sesion-cies", "registrar-acuerdo-cies"]
    static let followUp = "dar-seguimiento-a-acuerdo-cies"

    func register(on router: Router<APIContext>) {
        router.get("/cies") { request, context in
            await web.signedIn(request, context) { request, session in
                try await show(session, entidad: request.uri.queryParameters["entidad"].map(String.init).flatMap { $0.isEmpty ? nil : String($0.prefix(2)) },
                               done: request.uri.queryParameters["hecho"].map(String.init))
            }
        }
    }

    func show(_ session: WebSession, entidad: String?, done: String?) async throws -> Response {
        guard web.services.accounts.authorizer.widestScope(session.identity, .leerIndicadores) != nil else {
            throw WebError.forbidden("su cuenta no tiene permiso para «leer-indicadores»")
        }
        let catalogs = web.services.definitions.catalogs
        if let entidad, catalogs["entidades-federativas"]?.value(entidad) == nil { throw WebError.badRequest("«\(entidad)» no es una clave de entidad.") }
        let labels = CatalogLabels(catalogs)
        let pool = web.services.handler.store.pool
        let sessions = try await pool.query("""
            SELECT stream_id, payload::text FROM events WHERE event_type = 'SesionCIESCelebrada' AND ($1::text IS NULL OR payload->>'entidad' = $1)
             ORDER BY payload->>'entidad', payload->>'fecha' DESC, position DESC LIMIT 500
            """, [entidad.map(PostgresValue.text) ?? .null])
        let sessionIds = try sessions.map { try $0.decode(String.self, 0) }
        let agreements = try await pool.query("""
            SELECT stream_id, payload::text FROM events WHERE event_type = 'AcuerdoCIESAdoptado' AND payload->>'sesion' = ANY($1) ORDER BY position
            """, [.array(.text(sessionIds))])
        let agreementIds = try agreements.map { try $0.decode(String.self, 0) }
        var latest: [String: JSONValue] = [:]
        for row in try await pool.query("""
            SELECT stream_id, payload::text FROM events WHERE event_type = 'AcuerdoCIESSeguido' AND stream_id = ANY($1) ORDER BY version
            """, [.array(.text(agreementIds))]) {
            latest[try row.decode(String.self, 0)] = try CanonicalJSON.parse(try row.decode(String.self, 1))
        }
        var bySession: [String: [[String: Any]]] = [:]
        let canFollow = (try? web.commands.context(session.identity, command: Self.followUp, client: "web/1")) != nil
        for row in agreements {
            let id = try row.decode(String.self, 0), data = try CanonicalJSON.parse(try row.decode(String.self, 1))
            let last = latest[id]
            let status = last?["estatus"]?.stringValue ?? "adoptado"
            bySession[data["sesion"]?.stringValue ?? "", default: []].append([
                "acuerdo": id, "numero": data["numeroDeAcuerdo"]?.stringValue ?? "—", "descripcion": data["descripcion"]?.stringValue ?? "",
                "responsables": (data["responsables"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", "),
                "compromiso": data["fechaCompromiso"]?.stringValue ?? "Sin plazo",
                "estado": labels.label("estatus-de-acuerdo", status), "claveEstado": status,
                "avance": last?["avance"].map { Self.number($0) + " %" } ?? "—", "alDia": last?["fecha"]?.stringValue ?? data["fecha"]?.stringValue ?? "",
                "puedeSeguir": canFollow && status != "cumplido" && status != "cancelado",
            ])
        }
        var groups: [(entidad: String, sessions: [[String: Any]])] = []
        for row in sessions {
            let id = try row.decode(String.self, 0), data = try CanonicalJSON.parse(try row.decode(String.self, 1))
            let code = data["entidad"]?.stringValue ?? ""
            let item: [String: Any] = [
                "sesion": id, "fecha": data["fecha"]?.stringValue ?? "", "institucion": data["institucion"]?.stringValue ?? "",
                "tipo": labels.label("tipos-de-sesion", data["tipoDeSesion"]?.stringValue),
                "numero": data["numeroDeSesion"].map(Self.number) ?? "", "acuerdos": bySession[id] ?? [], "hayAcuerdos": !(bySession[id] ?? []).isEmpty,
            ]
            if groups.last?.entidad == code { groups[groups.count - 1].sessions.append(item) } else { groups.append((code, [item])) }
        }
        let allowed = Self.commands.filter { (try? web.commands.context(session.identity, command: $0, client: "web/1")) != nil }
        return web.templates.render("cies", title: "Comisiones Intersecretariales Estatales", session: session, personal: false, [
            "hecho": done.flatMap { web.services.definitions.definition(forCommand: $0) }.map { "Listo: quedó registrado «\(FieldLabels.eventType($0.eventType))»." } ?? "",
            "entidades": labels.options("entidades-federativas", selected: entidad),
            "grupos": groups.map { ["entidad": labels.label("entidades-federativas", $0.entidad), "sesiones": $0.sessions] as [String: Any] },
            "hayGrupos": !groups.isEmpty, "puedeSesion": allowed.contains("registrar-sesion-cies"), "puedeAcuerdo": allowed.contains("registrar-acuerdo-cies"),
        ])
    }

    static func number(_ value: JSONValue) -> String {
        guard case .number(let number) = value else { return value.stringValue ?? "" }
        return number.rounded() == number ? String(Int64(number)) : String(number)
    }
}
