import API
import Accounts
import CanonicalJSON
import Commands
import Definitions
import Foundation
import Hummingbird
import Logging
import Records

/// Recording a module's record, correcting it and annulling it from the browser. A new record's
/// form is drawn from its definition (`FormBuilder`); a correction opens the record's own form as it
/// stands and sends what changed as `corregir-registro`; an annulment asks the reason
/// (`anular-registro`). All through the one command path (`CommandHandler`), with the roles and the
/// record's scope asked first, as `POST /v1/…` does.
struct RecordCommandPages {
    let web: WebInterface

    /// `append`: an event added to an existing stream that is not a module record (a CIES agreement's follow-up).
    enum Kind { case new(EventDefinition), append(String, EventDefinition), correct(ModuleRecord, EventDefinition), annul(ModuleRecord) }

    func register(on router: Router<APIContext>) {
        router.get("/registros/nuevo/:comando") { request, context in
            await web.signedIn(request, context) { request, session in
                let definition = try opening(context.parameters.get("comando"), session)
                return form(.new(definition), session, prefilled(request, definition))
            }
        }
        router.get("/cies/acuerdos/:acuerdo/seguimiento") { request, context in
            await web.signedIn(request, context) { request, session in
                let kind = try await followUp(context.parameters.get("acuerdo") ?? "", session)
                guard case .append(_, let definition) = kind else { throw WebError.notFound }
                return form(kind, session, prefilled(request, definition))
            }
        }
        router.post("/cies/acuerdos/:acuerdo/seguimiento") { request, context in
            await web.signedInForm(request, context) { values, session in
                try await submit(try await followUp(context.parameters.get("acuerdo") ?? "", session), session, values, logger: context.logger)
            }
        }
        router.post("/registros/nuevo/:comando") { request, context in
            await web.signedInForm(request, context) { values, session in
                try await submit(.new(try opening(context.parameters.get("comando"), session)), session, values, logger: context.logger)
            }
        }
        for (path, command) in [("corregir", "corregir-registro"), ("anular", "anular-registro")] {
            router.get("/registros/:registro/\(path)") { request, context in
                await web.signedIn(request, context) { _, session in
                    let kind = try await existing(context.parameters.get("registro") ?? "", command, session)
                    var values = FormValues()
                    if case .correct(let record, let definition) = kind {
                        values = RecordFormValues.values(web.services.definitions.formFields(of: definition), data: record.data)
                    }
                    return form(kind, session, values)
                }
            }
            router.post("/registros/:registro/\(path)") { request, context in
                await web.signedInForm(request, context) { values, session in
                    try await submit(try await existing(context.parameters.get("registro") ?? "", command, session), session, values, logger: context.logger)
                }
            }
        }
    }

    /// Values given in the link (the session an agreement belongs to: nothing personal) and today as the event's date.
    func prefilled(_ request: Request, _ definition: EventDefinition) -> FormValues {
        var values = FormValues()
        let fields = web.services.definitions.formFields(of: definition).filter { !$0.isPersonal }.map(\.name)
        for (name, value) in request.uri.queryParameters where fields.contains(String(name)) { values.set(String(name), String(value)) }
        if let date = definition.dateField, values.first(date) == nil { values.set(date, CalendarDateText.today) }
        return values
    }

    /// A command that opens a module's record or a CIES session or agreement, which the account's roles may send.
    func opening(_ command: String?, _ session: WebSession) throws -> EventDefinition {
        let definitions = web.services.definitions
        let openers = RecordPages.openingCommands(definitions) + CIESPage.commands.compactMap(definitions.definition(forCommand:))
        guard let command, let definition = openers.first(where: { $0.command == command }) else {
            throw WebError.notFound
        }
        do { _ = try web.commands.context(session.identity, command: command, client: "web/1") } catch { throw WebError.forbidden(error.message) }
        return definition
    }

    /// The record to correct or annul, once the roles and the record's scope allow `command` on it.
    func existing(_ recordId: String, _ command: String, _ session: WebSession) async throws -> Kind {
        guard let record = try await ModuleRecordReader(store: web.services.handler.store, definitions: web.services.definitions).read(recordId) else {
            throw WebError.notFound
        }
        guard try await mayChange(recordId, command: command, session, explain: true) else { throw WebError.forbidden("no puede cambiar este registro") }
        if record.annulledOn != nil { throw WebError.badRequest("El registro fue anulado el \(record.annulledOn ?? ""): ya no se corrige ni se anula.") }
        if command == "anular-registro" { return .annul(record) }
        guard let definition = web.services.definitions.latest(record.eventType) else { throw WebError.notFound }
        return .correct(record, definition)
    }

    /// A CIES agreement's follow-up, once the roles and the agreement's scope allow it.
    func followUp(_ agreement: String, _ session: WebSession) async throws -> Kind {
        guard agreement.hasPrefix("acuerdo_cies-"), let definition = web.services.definitions.definition(forCommand: CIESPage.followUp) else { throw WebError.notFound }
        guard try await web.scopes.scope(of: agreement) != nil else { throw WebError.notFound }
        _ = try await mayChange(agreement, command: CIESPage.followUp, session, explain: true)
        return .append(agreement, definition)
    }

    func mayChange(_ recordId: String, command: String, _ session: WebSession, explain: Bool = false) async throws -> Bool {
        do { _ = try web.commands.context(session.identity, command: command, client: "web/1") } catch {
            if explain { throw WebError.forbidden(error.message) }
            return false
        }
        guard let scope = try await web.scopes.scope(of: recordId),
              let action = Authorizer.action(forCommand: command, definitions: web.services.definitions) else { return false }
        if case .denied(let why) = web.services.accounts.authorizer.decide(session.identity, action, on: scope) {
            if explain { throw WebError.forbidden(why) }
            return false
        }
        return true
    }

    /// The reason of a correction or annulment, named apart from the record's own fields (a record may have a «motivo» of its own).
    static let reason = PlainForm(fields: [.init("_motivo", "Motivo", required: true, kind: .longText, maxLength: 2_000,
                                                 help: "Por qué se corrige o se anula, y el documento que lo respalda.")])

    /// The fields the form shows (for placing problems): the definition's; for a correction the
    /// record's own non-personal ones after the reason; for an annulment only the reason.
    func fields(_ kind: Kind) -> [FormField] {
        let reason = Self.reason.fields.map(\.field)
        switch kind {
        case .new(let definition), .append(_, let definition): return web.services.definitions.formFields(of: definition)
        case .correct(_, let definition): return reason + web.services.definitions.formFields(of: definition).filter { !$0.isPersonal }
        case .annul: return reason
        }
    }

    func form(_ kind: Kind, _ session: WebSession, _ values: FormValues, problems: [Problem] = [], notice: String = "",
              status: HTTPResponse.Status = .ok) -> Response {
        let shown = ProblemPlacement.place(problems, fields: fields(kind))
        let (title, action, back, description): (String, String, String, String) = switch kind {
        case .new(let definition): (FieldLabels.command(definition.command), "/registros/nuevo/\(definition.command)",
                                    definition.module == "comisiones" ? "/cies" : "/registros", definition.description)
        case .append(let stream, let definition): (FieldLabels.command(definition.command), "/cies/acuerdos/\(stream)/seguimiento", "/cies", definition.description)
        case .correct(let record, _): ("Corregir el registro", "/registros/\(record.recordId)/corregir", "/registros/\(record.recordId)",
                                       "Cambie los datos que deban corregirse y escriba el motivo; lo anterior queda en el historial del registro.")
        case .annul(let record): ("Anular el registro", "/registros/\(record.recordId)/anular", "/registros/\(record.recordId)",
                                  "El registro deja de contar en cifras e indicadores desde hoy; sigue en el historial.")
        }
        var campos: [[String: Any]] = []
        var reason: [[String: Any]] = []
        switch kind {
        case .new(let definition), .append(_, let definition): campos = web.forms.view(definition, values: values, problems: shown.byField)
        case .correct(_, let definition):
            campos = web.forms.view(definition, values: values, problems: shown.byField).filter { $0["personal"] as? Bool != true }
            fallthrough
        case .annul:
            reason = Self.reason.view(values, problems: problems.filter { $0.path == "_motivo" }).fields
        }
        return web.templates.render("registro-formulario", title: (shown.summary.isEmpty ? "" : "Error: ") + title, session: session, status: status, [
            "titulo": title, "descripcion": description, "csrf": session.csrf, "accion": action, "volver": back,
            "clave": values.first("_clave") ?? UUID().uuidString.lowercased(), "campos": campos, "motivo": reason, "aviso": notice,
            "errores": shown.summary, "hayErrores": !shown.summary.isEmpty, "anular": { if case .annul = kind { true } else { false } }(),
        ])
    }

    func submit(_ kind: Kind, _ session: WebSession, _ values: FormValues, logger: Logger) async throws -> Response {
        if values.first("_agregar") != nil {
            var kept = values
            if let path = values.first("_agregar") {
                kept.set("_n:" + path, String(FormBuilder.itemCount(path, values: values, required: false)))
                kept.set("_agregar", "")
            }
            return form(kind, session, kept)
        }
        guard let key = values.text("_clave"), key.count <= 100 else { throw WebError.staleSession }
        let definitions = web.services.definitions
        let command: Command
        switch kind {
        case .new(let definition):
            command = Command(name: definition.command, data: FormPayload.data(definitions.formFields(of: definition), values: values), idempotencyKey: "web-" + key)
        case .append(let stream, let definition):
            command = Command(name: definition.command, data: FormPayload.data(definitions.formFields(of: definition), values: values), streamId: stream,
                              idempotencyKey: "web-" + key)
        case .correct(let record, let definition):
            let own = definitions.formFields(of: definition)
            let after = FormPayload.data(own, values: values)
            let corrections = RecordFormValues.corrections(own, before: record.data, after: after)
            var data: [JSONMember] = [.init(key: "fecha", value: .string(CalendarDateText.today)), .init(key: "correcciones", value: corrections)]
            if let reason = values.text("_motivo") { data.append(.init(key: "motivo", value: .string(reason))) }
            if corrections.objectValue?.isEmpty ?? true {
                // Nothing to send: every problem at once, the missing reason too.
                var problems = [Problem(path: "", code: "sin-cambios", message: "no cambió ningún dato: corrija al menos uno")]
                if values.text("_motivo") == nil { problems.append(Problem(path: "_motivo", code: "obligatorio", message: "escriba por qué se corrige")) }
                return form(kind, session, values, problems: problems, status: .unprocessableContent)
            }
            command = Command(name: "corregir-registro", data: .object(data), streamId: record.recordId, idempotencyKey: "web-" + key)
        case .annul(let record):
            var data: [JSONMember] = [.init(key: "fecha", value: .string(CalendarDateText.today))]
            if let reason = values.text("_motivo") { data.append(.init(key: "motivo", value: .string(reason))) }
            command = Command(name: "anular-registro", data: .object(data), streamId: record.recordId, idempotencyKey: "web-" + key)
        }
        let context: CommandContext
        do { context = try web.commands.context(session.identity, command: command.name, client: "web/1") } catch { throw WebError.forbidden(error.message) }
        let result: CommandResult
        switch await CommandPages.outcome(web.services.handler, command, context) {
        case .success(let value): result = value
        case .failure(.rejected(let rejection)):
            // A correction's problems name the record's own fields («correcciones.lugar…» → «lugar…»).
            let problems = rejection.problems.map { problem in
                var path = problem.path
                for prefix in ["datos.correcciones.", "correcciones."] where path.hasPrefix(prefix) { path = String(path.dropFirst(prefix.count)) }
                if path == "datos.motivo" || path == "motivo" { path = "_motivo" }
                return Problem(path: path, code: problem.code, message: problem.message)
            }
            return form(kind, session, values, problems: problems, status: .unprocessableContent)
        case .failure(.conflict):
            return form(kind, session, values, notice: "Alguien más cambió este registro mientras usted lo editaba. Revíselo en otra pestaña; sus datos siguen aquí.", status: .conflict)
        case .failure(.forbidden(let why)): throw WebError.forbidden(why)
        case .failure(.unavailable): throw WebError.unavailable
        }
        logger.info("registro de módulo desde la web", metadata: ["comando": "\(command.name)", "repetido": "\(result.replayed)"])
        // The CIES pages read the log itself; the records list reads the `hechos` projection: wait for it (read-your-writes).
        if web.services.definitions.definition(forCommand: command.name)?.module == "comisiones" {
            return Redirect.to("/cies?hecho=\(command.name)")
        }
        if let projector = web.services.projector {
            _ = try? await projector.waitUntil("hechos", hasApplied: result.position, timeout: .seconds(5))
        }
        return Redirect.to("/registros/\(result.streamId)?hecho=\(command.name)")
    }
}
