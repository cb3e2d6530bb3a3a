import API
import Accounts
import CanonicalJSON
import CaseFiles
import Definitions
import EventLog
import Foundation
import Hummingbird
import Postgres
import Privacy

/// «Quién consultó»: for a case — or for a person, found by CURP through the blind index — every
/// opening of personal data (who by name and institution, when, which fields, the stated purpose)
/// and every change of the case, as one timeline in log order. The auditor reads the purpose (it
/// is opened with the consultation's own key), as `GET /v1/auditoria/consultas/{expediente}` gives it.
struct ConsultationsPage {
    let web: WebInterface

    func register(on router: Router<APIContext>) {
        router.get("/auditoria/consultas") { request, context in
            await web.signedIn(request, context) { request, session in
                let caseId = request.uri.queryParameters["expediente"].map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
                if caseId.isEmpty { return try render(session, title: "Quién consultó", cases: [], timeline: nil, problem: nil) }
                return try await show([caseId], session, notFoundIsError: true)
            }
        }
        // A CURP travels by POST: it never sits in a URL or a log.
        router.post("/auditoria/consultas") { request, context in
            await web.signedInForm(request, context) { values, session in
                let curp = (values.text("curp") ?? "").uppercased()
                guard curp.count == 18, curp.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                    return try render(session, title: "Error: Quién consultó", cases: [], timeline: nil,
                                      problem: "Escriba la CURP completa: 18 letras y números.", status: .unprocessableContent)
                }
                try requireHistory(session)
                return try await show(try await web.services.cases.find(curp: curp), session, notFoundIsError: false)
            }
        }
    }

    func requireHistory(_ session: WebSession) throws {
        guard web.services.accounts.authorizer.widestScope(session.identity, .leerHistorial) != nil else {
            throw WebError.forbidden("su cuenta no tiene permiso para «leer-historial»")
        }
    }

    func show(_ caseIds: [String], _ session: WebSession, notFoundIsError: Bool) async throws -> Response {
        try requireHistory(session)
        var entries: [(position: Int64, row: [String: Any])] = []
        let timeline = StreamTimeline(services: web.services)
        var shown: [String] = []
        for caseId in caseIds {
            guard let record = try await web.scopes.scope(of: caseId) else {
                if notFoundIsError { throw WebError.notFound }
                continue
            }
            if case .denied(let why) = web.services.accounts.authorizer.decide(session.identity, .leerHistorial, on: record) {
                if notFoundIsError { throw WebError.forbidden(why) }
                continue
            }
            shown.append(caseId)
            for read in try await reads(caseId, timeline) { entries.append((read.position, read.row)) }
            let events = try await web.services.handler.store.readStream(caseId, limit: 10_000)
            for event in events {
                var row = try await timeline.row(event)
                row["esConsulta"] = false
                entries.append((event.position, row))
            }
        }
        return try render(session, title: "Quién consultó", cases: shown, timeline: entries.sorted { $0.position < $1.position }.map(\.row), problem: nil)
    }

    /// Each `DatosPersonalesConsultados` of the case, with the purpose opened.
    func reads(_ caseId: String, _ timeline: StreamTimeline) async throws -> [(position: Int64, row: [String: Any])] {
        let rows = try await web.services.handler.store.pool.query("""
            SELECT position, recorded_at, metadata->>'userId', metadata->>'institutionId', payload->'campos', stream_id, payload
              FROM events WHERE event_type = $2 AND payload->>'expediente' = $1 ORDER BY position
            """, [.text(caseId), .text(EventType.datosPersonalesConsultados.rawValue)])
        let names = PeopleNames()
        var result: [(position: Int64, row: [String: Any])] = []
        for row in rows {
            let position = try row.decode(Int64.self, 0)
            let user = try row.decode(String?.self, 2) ?? "", institution = try row.decode(String?.self, 3) ?? ""
            let fields = (try? CanonicalJSON.parse(try row.decode(String.self, 4)))?.arrayValue?.compactMap(\.stringValue) ?? []
            let stream = try row.decode(String.self, 5)
            let opened = PersonalDataCipher.decrypt(try CanonicalJSON.parse(try row.decode(String.self, 6)), subject: stream,
                                                    key: try await web.services.handler.vault.key(subject: stream)).payload
            let who = try await names.describe(user: user, institution: institution, services: web.services)
            result.append((position, [
                "esConsulta": true, "posicion": String(position), "id": "evento-\(position)", "flujo": caseId,
                "evento": "Consulta de datos personales", "cuando": WebTime.text(try row.decode(Timestamp.self, 1)),
                "persona": who.person, "institucion": who.institution,
                "campos": Self.fieldNames(fields),
                "finalidad": opened["finalidad"]?.stringValue ?? "(no se pudo abrir)",
                "datos": [[String: String]](),
            ]))
        }
        return result
    }

    /// «lineaDeTiempo[0].primerApellido» → «Primer apellido», each field once.
    static func fieldNames(_ paths: [String]) -> String {
        var seen: [String] = []
        for path in paths {
            let label = FieldLabels.label(String(path.split(separator: ".").last ?? Substring(path)).replacing(/\[[0-9]+\]/, with: ""))
            if !seen.contains(label) { seen.append(label) }
        }
        return seen.joined(separator: ", ")
    }

    func render(_ session: WebSession, title: String, cases: [String], timeline: [[String: Any]]?, problem: String?,
                status: HTTPResponse.Status = .ok) throws -> Response {
        try requireHistory(session)
        return web.templates.render("auditoria-consultas", title: title, session: session, status: status, [
            "csrf": session.csrf, "error": problem ?? "", "expedientes": cases.map { ["expediente": $0] },
            "buscado": timeline != nil, "historial": timeline ?? [], "hayHistorial": !(timeline ?? []).isEmpty,
            "auditor": true, "consultas": (timeline ?? []).filter { $0["esConsulta"] as? Bool == true }.count,
        ])
    }
}
