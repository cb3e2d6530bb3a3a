import API
import Accounts
import CanonicalJSON
import CaseFiles
import Foundation
import Hummingbird

/// One case: summary, general data, referrals, the timeline of every event with who and when, and
/// the actions the person may take on it. Personal fields stay hidden until the person states a
/// purpose (POST, so the purpose never sits in a URL); opening them records the same
/// `DatosPersonalesConsultados` event the API records, before anything is shown.
struct CasePage {
    let web: WebInterface

    func register(on router: Router<APIContext>) {
        router.get("/expedientes/:expediente") { request, context in
            await web.signedIn(request, context) { request, session in
                try await show(context.parameters.get("expediente") ?? "", session, personal: nil,
                               done: request.uri.queryParameters["hecho"].map(String.init))
            }
        }
        router.post("/expedientes/:expediente/datos-personales") { request, context in
            await web.signedInForm(request, context) { values, session in
                try await show(context.parameters.get("expediente") ?? "", session, personal: values.first("finalidad") ?? "", done: nil)
            }
        }
    }

    /// `personal`: nil for the redacted page, else the purpose the person typed.
    func show(_ caseId: String, _ session: WebSession, personal purpose: String?, done: String?) async throws -> Response {
        guard let record = try await web.scopes.scope(of: caseId) else { throw WebError.notFound }
        let authorizer = web.services.accounts.authorizer
        if case .denied(let why) = authorizer.decide(session.identity, .leerExpedientes, on: record) { throw WebError.forbidden(why) }
        var purposeError = ""
        var open = false
        if let purpose {
            let trimmed = purpose.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.count < PersonalDataAccess.minimumPurposeLength {
                purposeError = "Escriba para qué abre los datos personales (al menos \(PersonalDataAccess.minimumPurposeLength) caracteres)."
            } else if case .denied(let why) = authorizer.decide(session.identity, .leerDatosPersonales, on: record, reason: trimmed) {
                throw WebError.forbidden(why)
            } else {
                open = true
            }
        }
        guard let file = try await web.services.cases.read(caseId, personal: open) else { throw WebError.notFound }
        if open && file.personalDataOpened {
            do {
                try await web.personalData.record(caseId, fields: file.personalFields, purpose: purpose ?? "", by: session.identity, client: "web/1")
            } catch { throw WebError.unavailable }
        }
        let display = CaseDisplay(definitions: web.services.definitions)
        let s = file.summary
        let labels = CatalogLabels(web.services.definitions.catalogs)
        let actions = CommandPages.caseCommands(web.services.definitions, opens: false).filter { definition in
            guard (try? web.commands.context(session.identity, command: definition.command, client: "web/1")) != nil,
                  let action = Authorizer.action(forCommand: definition.command, definitions: web.services.definitions) else { return false }
            return authorizer.decide(session.identity, action, on: record).isAllowed
        }.map { definition -> [String: String] in
            let link = "/expedientes/\(caseId)/acciones/\(definition.command)" + (definition.command == "validar-registro" ? "?versionValidada=\(s.version)" : "")
            return ["enlace": link, "titulo": FieldLabels.command(definition.command), "comando": definition.command]
        }
        let canOpen = authorizer.widestScope(session.identity, .leerDatosPersonales) != nil
        return web.templates.render("expediente", title: "Expediente", session: session, personal: true, [
            "expediente": caseId, "csrf": session.csrf, "abierto": open, "puedeAbrir": canOpen && !open, "errorFinalidad": purposeError,
            "finalidad": purpose ?? "", "hecho": done.map { command in
                // «Listo: víctima registrada.» — the event the command recorded, as the timeline names it.
                let event = web.services.definitions.definition(forCommand: command).map { FieldLabels.eventType($0.eventType) } ?? FieldLabels.command(command)
                return "Listo: quedó registrado «\(event)»."
            } ?? "",
            "resumen": [
                ["etiqueta": "Calidad", "valor": labels.label("calidad-de-la-persona", s.quality)],
                ["etiqueta": "Sexo", "valor": labels.label("sexo", s.sex)],
                ["etiqueta": "Edad", "valor": s.age.map(String.init) ?? "—"],
                ["etiqueta": "Nacionalidad", "valor": labels.label("nacionalidades", s.nationality)],
                ["etiqueta": "Entidad de detección", "valor": labels.label("entidades-federativas", s.entidad)],
                ["etiqueta": "Fecha de detección", "valor": s.detectedOn.description],
                ["etiqueta": "Estado", "valor": s.status == "abierto" ? "Abierto" : "Cerrado"],
                ["etiqueta": "Validado", "valor": s.validated ? "Sí" : "No"],
                ["etiqueta": "Modalidades", "valor": s.modalities.map { labels.label("modalidades-de-explotacion", $0) }.joined(separator: ", ")],
                ["etiqueta": "Institución que registró", "valor": s.registeringInstitution],
                ["etiqueta": "Instituciones que participan", "valor": file.institutions.joined(separator: ", ")],
                ["etiqueta": "Versión", "valor": String(s.version)],
            ],
            "datosGenerales": display.rows(file.generalData, eventType: "VictimaRegistrada"),
            "canalizaciones": file.referrals.map { r in
                ["folio": r.folio, "fecha": r.date, "de": r.from, "a": r.to, "estado": r.status, "respuesta": r.answeredOn ?? "—"]
            },
            "hayCanalizaciones": !file.referrals.isEmpty,
            "lineaDeTiempo": display.timeline(file.timeline),
            "acciones": actions, "hayAcciones": !actions.isEmpty,
            "duplicados": file.possibleDuplicates, "hayDuplicados": !file.possibleDuplicates.isEmpty,
        ])
    }
}
