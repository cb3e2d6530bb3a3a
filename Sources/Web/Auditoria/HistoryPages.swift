import API
import Accounts
import CanonicalJSON
import Cryptography
import EventLog
import Foundation
import Hummingbird
import Postgres

/// «Historial»: a stream's events in order (who, when, what, hash), optionally as the stream stood
/// at a past position or on a past date; and one event by its position in the log — as
/// `GET /v1/auditoria/flujos/{flujo}` and `/v1/auditoria/eventos/{posicion}`, with `leer-historial`
/// asked on the stream. Personal fields stay hidden here.
struct HistoryPages {
    let web: WebInterface

    func register(on router: Router<APIContext>) {
        router.get("/auditoria/historial") { request, context in
            await web.signedIn(request, context) { request, session in
                let query = request.uri.queryParameters
                if let id = query["flujo"].map(String.init)?.trimmingCharacters(in: .whitespaces), !id.isEmpty {
                    return try await stream(id, until: query["hasta"].map(String.init) ?? "", session)
                }
                if let text = query["posicion"].map(String.init), !text.isEmpty {
                    guard let position = Int64(text), position >= 1 else {
                        return try form(session, problem: "La posición es un número entero desde 1.", field: "posicion", status: .unprocessableContent)
                    }
                    return Redirect.to("/auditoria/eventos/\(position)")
                }
                return try form(session, problem: nil, field: nil)
            }
        }
        router.get("/auditoria/flujos/:flujo") { request, context in
            await web.signedIn(request, context) { request, session in
                try await stream(context.parameters.get("flujo") ?? "", until: request.uri.queryParameters["hasta"].map(String.init) ?? "", session)
            }
        }
        router.get("/auditoria/eventos/:posicion") { request, context in
            await web.signedIn(request, context) { _, session in
                guard let position = context.parameters.get("posicion").flatMap(Int64.init), position >= 1 else { throw WebError.notFound }
                return try await event(position, session)
            }
        }
    }

    func requireHistory(_ session: WebSession) throws {
        guard web.services.accounts.authorizer.widestScope(session.identity, .leerHistorial) != nil else {
            throw WebError.forbidden("su cuenta no tiene permiso para «leer-historial»")
        }
    }

    func requireStream(_ stream: String, _ session: WebSession) async throws {
        try requireHistory(session)
        guard let record = try await web.scopes.scope(of: stream) else { throw WebError.notFound }
        if case .denied(let why) = web.services.accounts.authorizer.decide(session.identity, .leerHistorial, on: record) { throw WebError.forbidden(why) }
    }

    func form(_ session: WebSession, problem: String?, field: String?, status: HTTPResponse.Status = .ok) throws -> Response {
        try requireHistory(session)
        return web.templates.render("historial", title: (problem == nil ? "" : "Error: ") + "Historial del registro", session: session, status: status,
                                    personal: false, ["error": problem ?? "", "campoConError": field ?? "", "formulario": true])
    }

    /// `until`: empty, a position (the stream as it stood once the log reached it) or a date `AAAA-MM-DD` (as it stood at the end of that day, Mexico City time).
    func stream(_ stream: String, until: String, _ session: WebSession) async throws -> Response {
        try await requireStream(stream, session)
        let limit: (Int64?, Timestamp?)
        let trimmed = until.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty {
            limit = (nil, nil)
        } else if let position = Int64(trimmed), position >= 1 {
            limit = (position, nil)
        } else if let end = Self.endOfDay(trimmed) {
            limit = (nil, end)
        } else {
            return try form(session, problem: "«Hasta» es una posición (un número desde 1) o una fecha AAAA-MM-DD.", field: "hasta", status: .unprocessableContent)
        }
        var events: [RecordedEvent] = []
        var next: Int64 = 1
        while true {
            let page = try await web.services.handler.store.readStream(stream, from: next, limit: 1_000)
            events += page
            guard page.count == 1_000, let last = page.last else { break }
            next = last.version + 1
        }
        let total = events.count
        if let position = limit.0 { events = events.filter { $0.position <= position } }
        if let end = limit.1 { events = events.filter { $0.recordedAt < end } }
        return web.templates.render("historial", title: "Historial de un flujo", session: session, personal: false, [
            "flujo": stream, "hasta": trimmed, "historial": try await StreamTimeline(services: web.services).rows(events),
            "hayHistorial": !events.isEmpty, "mostrados": String(events.count), "total": String(total), "recortado": events.count < total,
            "esExpediente": events.first?.streamType == "Expediente", "formulario": true, "auditor": true,
        ])
    }

    func event(_ position: Int64, _ session: WebSession) async throws -> Response {
        try requireHistory(session)
        var found: RecordedEvent?
        try await web.services.handler.store.readAll(after: position - 1, through: position) { found = $0.first }
        guard let event = found else { throw WebError.notFound }
        try await requireStream(event.streamId, session)
        var row = try await StreamTimeline(services: web.services).row(event)
        row["hashAnterior"] = Hex.encode(event.previousHash)
        row["tipoDeFlujo"] = event.streamType
        row["ocurrio"] = WebTime.text(event.occurredAt)
        row["esquema"] = String(event.schemaVersion)
        return web.templates.render("historial-evento", title: "Evento del registro", session: session, personal: false, [
            "evento": row, "anterior": position > 1 ? String(position - 1) : "", "siguiente": String(position + 1),
        ])
    }

    static func endOfDay(_ text: String) -> Timestamp? {
        text.count == 10 ? Timestamp(endOfDay: text) : nil
    }
}
