import Accounts
import API
import Commands
import Definitions
import Foundation
import Hummingbird
import Logging

/// «Hechos del programa»: a form for every programme fact the indicators read (programmed values,
/// universes of institutions, spaces of participation, coordination mechanisms, annual institutional
/// reports…), drawn from its definition by `FormBuilder` as the caseworker's forms are, and sent
/// through the one command path (`CommandHandler`) as the account — as `POST /v1/comandos/…` does.
/// A fact that adds to an existing record (a mechanism's evaluation) asks which record.
struct ProgramFactPages {
    let web: WebInterface

    func register(on router: Router<APIContext>) {
        router.get("/hechos") { request, context in
            await web.signedIn(request, context) { request, session in
                try list(session, done: request.uri.queryParameters["hecho"].map(String.init), stream: request.uri.queryParameters["flujo"].map(String.init))
            }
        }
        router.get("/hechos/:comando") { request, context in
            await web.signedIn(request, context) { request, session in
                let definition = try target(context.parameters.get("comando"))
                try allowed(definition, session)
                var values = FormValues()
                if let date = definition.dateField { values.set(date, CalendarDateText.today) }
                return form(definition, session, values: values)
            }
        }
        router.post("/hechos/:comando") { request, context in
            await web.signedInForm(request, context) { values, session in
                try await submit(try target(context.parameters.get("comando")), values, session, logger: context.logger)
            }
        }
    }

    /// The module `programa`'s commands an account may send (none internal).
    static func commands(_ definitions: DefinitionSet) -> [EventDefinition] {
        definitions.current.filter { $0.module == "programa" && !$0.isInternal }.sorted { $0.command < $1.command }
    }

    func target(_ command: String?) throws -> EventDefinition {
        guard let command, let definition = Self.commands(web.services.definitions).first(where: { $0.command == command }) else { throw WebError.notFound }
        return definition
    }

    func allowed(_ definition: EventDefinition, _ session: WebSession) throws {
        do { _ = try web.commands.context(session.identity, command: definition.command, client: "web/1") } catch {
            throw WebError.forbidden(error.message)
        }
    }

    func list(_ session: WebSession, done: String?, stream: String?) throws -> Response {
        try web.require(session, .registrarHechosDelPrograma)
        let commands = Self.commands(web.services.definitions)
        return web.templates.render("hechos", title: "Hechos del programa", session: session, personal: false, [
            "hecho": done.map(FieldLabels.command) ?? "", "flujo": stream ?? "",
            "nuevos": commands.filter(\.startsStream).map { ["comando": $0.command, "titulo": FieldLabels.command($0.command), "descripcion": $0.description] },
            "agregados": commands.filter { !$0.startsStream }.map { ["comando": $0.command, "titulo": FieldLabels.command($0.command), "descripcion": $0.description] },
        ])
    }

    func form(_ definition: EventDefinition, _ session: WebSession, values: FormValues, problems: [Problem] = [],
              status: HTTPResponse.Status = .ok) -> Response {
        let shown = ProblemPlacement.place(problems, fields: web.services.definitions.formFields(of: definition))
        let title = FieldLabels.command(definition.command)
        return web.templates.render("hechos-formulario", title: (shown.summary.isEmpty ? "" : "Error: ") + title, session: session, status: status, personal: false, [
            "titulo": title, "descripcion": definition.description, "csrf": session.csrf, "accion": "/hechos/\(definition.command)",
            "clave": values.first("_clave") ?? UUID().uuidString.lowercased(), "agrega": !definition.startsStream,
            "flujo": values.first("_flujo") ?? "", "categoria": definition.streamCategory,
            "errorFlujo": shown.byField["_flujo"]?.joined(separator: "; ") ?? "",
            "campos": web.forms.view(definition, values: values, problems: shown.byField),
            "errores": shown.summary, "hayErrores": !shown.summary.isEmpty,
        ])
    }

    func submit(_ definition: EventDefinition, _ values: FormValues, _ session: WebSession, logger: Logger) async throws -> Response {
        if values.first("_agregar") != nil {
            var kept = values
            if let path = values.first("_agregar") {
                kept.set("_n:" + path, String(FormBuilder.itemCount(path, values: values, required: false)))
                kept.set("_agregar", "")
            }
            return form(definition, session, values: kept)
        }
        guard let key = values.text("_clave"), key.count <= 100 else { throw WebError.staleSession }
        let context: CommandContext
        do { context = try web.commands.context(session.identity, command: definition.command, client: "web/1") } catch {
            throw WebError.forbidden(error.message)
        }
        let stream = definition.startsStream ? nil : values.text("_flujo")
        if !definition.startsStream, !(stream ?? "").hasPrefix(definition.streamCategory + "-") {
            return form(definition, session, values: values, problems: [Problem(path: "_flujo", code: "flujo-requerido",
                        message: "registro: escriba la clave del registro al que se agrega (empieza con «\(definition.streamCategory)-»)")],
                        status: .unprocessableContent)
        }
        let data = FormPayload.data(web.services.definitions.formFields(of: definition), values: values)
        let command = Command(name: definition.command, data: data, streamId: stream, idempotencyKey: "web-" + key)
        switch await CommandPages.outcome(web.services.handler, command, context) {
        case .success(let result):
            // The indicators read the `hechos` projection: the page after shows the fact counted.
            if let projector = web.services.projector {
                _ = try? await projector.waitUntil("hechos", hasApplied: result.position, timeout: .seconds(5))
            }
            logger.info("hecho del programa desde la web", metadata: ["comando": "\(definition.command)", "repetido": "\(result.replayed)"])
            return Redirect.to("/hechos?hecho=\(definition.command)&flujo=\(result.streamId)")
        case .failure(.rejected(let rejection)):
            if rejection.codes.contains("flujo-inexistente") {
                return form(definition, session, values: values, problems: [Problem(path: "_flujo", code: "flujo-inexistente",
                            message: "registro: no existe un registro con esa clave")], status: .unprocessableContent)
            }
            return form(definition, session, values: values, problems: rejection.problems, status: .unprocessableContent)
        case .failure(.conflict):
            return form(definition, session, values: values, problems: [Problem(path: "_flujo", code: "conflicto",
                        message: "alguien registró algo en ese registro al mismo tiempo; envíe de nuevo")], status: .conflict)
        case .failure(.forbidden(let why)): throw WebError.forbidden(why)
        case .failure(.unavailable): throw WebError.unavailable
        }
    }
}
