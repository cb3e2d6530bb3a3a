import API
import Accounts
import CanonicalJSON
import Commands
import Definitions
import Foundation
import Hummingbird
import Logging
import Catalog
import Streams

/// Every command a caseworker sends from the browser, through one pair of routes and one form
/// drawn from its definition: `/nuevo/<comando>` opens a case (registrar-persona), and
/// `/expedientes/<id>/acciones/<comando>` adds to one (an attention, a referral, a validation…).
/// Submitting runs the one command path (`CommandHandler`), as `POST /v1/…` does.
struct CommandPages {
    let web: WebInterface

    func register(on router: Router<APIContext>) {
        router.get("/nuevo/:comando") { request, context in
            await web.signedIn(request, context) { request, session in
                let definition = try target(context.parameters.get("comando"), opens: true)
                try allowed(definition, session, caseId: nil)
                return form(definition, session: session, caseId: nil, values: prefilled(request, definition), version: nil)
            }
        }
        router.post("/nuevo/:comando") { request, context in
            await web.signedInForm(request, context) { values, session in
                try await submit(try target(context.parameters.get("comando"), opens: true), values, session, caseId: nil, logger: context.logger)
            }
        }
        router.get("/expedientes/:expediente/acciones/:comando") { request, context in
            await web.signedIn(request, context) { request, session in
                let definition = try target(context.parameters.get("comando"), opens: false)
                let caseId = context.parameters.get("expediente") ?? ""
                try await allowedOnCase(definition, session, caseId)
                let version = try await StreamHistory.load(caseId, from: web.services.handler.store).entries.last?.version
                return form(definition, session: session, caseId: caseId, values: prefilled(request, definition), version: version)
            }
        }
        router.post("/expedientes/:expediente/acciones/:comando") { request, context in
            await web.signedInForm(request, context) { values, session in
                let definition = try target(context.parameters.get("comando"), opens: false)
                let caseId = context.parameters.get("expediente") ?? ""
                try await allowedOnCase(definition, session, caseId)
                return try await submit(definition, values, session, caseId: caseId, logger: context.logger)
            }
        }
    }

    /// The commands of case files (stream type `Expediente`) that an account may send.
    static func caseCommands(_ definitions: DefinitionSet, opens: Bool) -> [EventDefinition] {
        definitions.current.filter { $0.streamType == "Expediente" && $0.startsStream == opens && !$0.isInternal }
            .sorted { $0.command < $1.command }
    }

    func target(_ command: String?, opens: Bool) throws -> EventDefinition {
        guard let command, let definition = web.services.definitions.definition(forCommand: command),
              Self.caseCommands(web.services.definitions, opens: opens).contains(where: { $0.command == command }) else { throw WebError.notFound }
        return definition
    }

    /// The account may send the command at all (its roles), as the API asks first.
    func allowed(_ definition: EventDefinition, _ session: WebSession, caseId: String?) throws {
        do { _ = try web.commands.context(session.identity, command: definition.command, client: "web/1") } catch {
            throw WebError.forbidden(error.message)
        }
    }

    /// …and on this case (its scope): 404 for a case that does not exist, 403 outside the scope.
    func allowedOnCase(_ definition: EventDefinition, _ session: WebSession, _ caseId: String) async throws {
        try allowed(definition, session, caseId: caseId)
        guard let record = try await web.scopes.scope(of: caseId) else { throw WebError.notFound }
        guard let action = Authorizer.action(forCommand: definition.command, definitions: web.services.definitions) else { throw WebError.notFound }
        if case .denied(let why) = web.services.accounts.authorizer.decide(session.identity, action, on: record) { throw WebError.forbidden(why) }
    }

    /// Values given in the link (a folio, the version to validate: nothing personal) and today's date as the event's date.
    func prefilled(_ request: Request, _ definition: EventDefinition) -> FormValues {
        var values = FormValues()
        let names = Set(web.services.definitions.formFields(of: definition).map(\.name))
        for (name, value) in request.uri.queryParameters where names.contains(String(name)) { values.set(String(name), String(value)) }
        if let date = definition.dateField, values.first(date) == nil { values.set(date, CalendarDateText.today) }
        return values
    }

    func form(_ definition: EventDefinition, session: WebSession, caseId: String?, values: FormValues, version: Int64?,
              problems: [Problem] = [], notice: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let shown = ProblemPlacement.place(problems, fields: web.services.definitions.formFields(of: definition))
        let title = FieldLabels.command(definition.command)
        let data: [String: Any] = [
            "titulo": title, "descripcion": definition.description, "csrf": session.csrf,
            "accion": caseId.map { "/expedientes/\($0)/acciones/\(definition.command)" } ?? "/nuevo/\(definition.command)",
            "clave": values.first("_clave") ?? UUID().uuidString.lowercased(), "version": version.map(String.init) ?? "",
            "expediente": caseId ?? "", "campos": web.forms.view(definition, values: values, problems: shown.byField),
            "errores": shown.summary, "hayErrores": !shown.summary.isEmpty, "aviso": notice ?? "",
        ]
        return web.templates.render("formulario", title: (shown.summary.isEmpty ? "" : "Error: ") + title, session: session, status: status, data)
    }

    func submit(_ definition: EventDefinition, _ values: FormValues, _ session: WebSession, caseId: String?, logger: Logger) async throws -> Response {
        let version = values.text("_version").flatMap { Int64($0) }
        // «Agregar otro»: the form again with one more item of a repeated group; nothing is sent.
        if values.first("_agregar") != nil {
            var kept = values
            if let path = values.first("_agregar") {
                kept.set("_n:" + path, String(FormBuilder.itemCount(path, values: values, required: false)))
                kept.set("_agregar", "")
            }
            return form(definition, session: session, caseId: caseId, values: kept, version: version)
        }
        guard let key = values.text("_clave"), key.count <= 100 else { throw WebError.staleSession }
        let context: CommandContext
        do { context = try web.commands.context(session.identity, command: definition.command, client: "web/1") } catch {
            throw WebError.forbidden(error.message)
        }
        let data = FormPayload.data(web.services.definitions.formFields(of: definition), values: values)
        let command = Command(name: definition.command, data: data, streamId: caseId, expectedVersion: version, idempotencyKey: "web-" + key)
        let result: CommandResult
        switch await Self.outcome(web.services.handler, command, context) {
        case .success(let value): result = value
        case .failure(.rejected(let rejection)):
            if rejection.codes.allSatisfy(["flujo-inexistente", "acuerdo-inexistente"].contains) { throw WebError.notFound }
            return form(definition, session: session, caseId: caseId, values: values, version: version, problems: rejection.problems,
                        status: .unprocessableContent)
        case .failure(.conflict(_, _, let current)):
            return form(definition, session: session, caseId: caseId, values: values, version: current,
                        notice: "Alguien más registró algo en este expediente después de que usted abrió el formulario. Revise el expediente en otra pestaña; sus datos siguen aquí y puede enviarlos de nuevo si aún corresponden.",
                        status: .conflict)
        case .failure(.forbidden(let why)): throw WebError.forbidden(why)
        case .failure(.unavailable): throw WebError.unavailable
        }
        // Read-your-writes: the case page shows the event just recorded.
        if let projector = web.services.projector {
            _ = try? await projector.waitUntil("expedientes", hasApplied: result.position, timeout: .seconds(5))
        }
        logger.info("comando desde la web", metadata: ["comando": "\(definition.command)", "repetido": "\(result.replayed)"])
        return Redirect.to("/expedientes/\(result.streamId)?hecho=\(definition.command)")
    }
}

extension CommandPages {
    /// As a `Result`: a typed-throws `catch` with patterns crashes this compiler (as in `CommandEndpoints`).
    static func outcome(_ handler: CommandHandler, _ command: Command, _ context: CommandContext) async -> Result<CommandResult, CommandError> {
        do { return .success(try await handler.handle(command, context: context)) } catch { return .failure(error) }
    }
}

enum CalendarDateText {
    static var today: String { CalendarDate.today().description }
}
