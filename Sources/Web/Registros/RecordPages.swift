import API
import Accounts
import CanonicalJSON
import Catalog
import Commands
import Definitions
import Foundation
import Hummingbird
import Postgres
import Records

/// The records of the modules beside the case files (trainings, dissemination, operations,
/// instruments…): the list with its filters and one record as it stands with its history, read
/// through `ModuleRecordReader` with `leer-indicadores`, as `GET /v1/registros` reads them.
/// Recording, correcting and annulling are `RecordCommandPages`.
struct RecordPages {
    let web: WebInterface

    func register(on router: Router<APIContext>) {
        router.get("/registros") { request, context in
            await web.signedIn(request, context) { request, session in try await list(request, session) }
        }
        router.get("/registros/:registro") { request, context in
            await web.signedIn(request, context) { request, session in
                try await show(context.parameters.get("registro") ?? "", session, done: request.uri.queryParameters["hecho"].map(String.init))
            }
        }
    }

    var reader: ModuleRecordReader { ModuleRecordReader(store: web.services.handler.store, definitions: web.services.definitions) }

    func requireRead(_ session: WebSession) throws {
        guard web.services.accounts.authorizer.widestScope(session.identity, .leerIndicadores) != nil else {
            throw WebError.forbidden("su cuenta no tiene permiso para «leer-indicadores»")
        }
    }

    /// The modules with records, by their folder name, and the commands that open one.
    static func openingCommands(_ definitions: DefinitionSet) -> [EventDefinition] {
        let types = Set(ModuleRecordDecider.openingTypes(definitions))
        return definitions.current.filter { types.contains($0.eventType) && !$0.isInternal }.sorted { ($0.module, $0.command) < ($1.module, $1.command) }
    }

    static func moduleName(_ module: String) -> String {
        FieldLabels.label(module.split(separator: "-").enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }.joined())
    }

    func list(_ request: Request, _ session: WebSession) async throws -> Response {
        try requireRead(session)
        let query = request.uri.queryParameters
        func text(_ name: String) -> String? { query[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : String($0.prefix(60)) } }
        var problems: [String] = []
        func date(_ name: String) -> CalendarDate? {
            guard let value = text(name) else { return nil }
            guard let date = CalendarDate(value) else { problems.append("\(name == "desde" ? "Desde" : "Hasta"): escriba la fecha como AAAA-MM-DD."); return nil }
            return date
        }
        let filter = ModuleRecordFilter(module: text("modulo"), institution: text("institucion"), entidad: text("entidad"), from: date("desde"), to: date("hasta"))
        if case .failure(let error) = filter.validated(web.services.definitions) {
            problems += error.problems.map { "\(FieldLabels.label($0.path)): \($0.message)." }
        }
        let cursor = text("despuesDe").flatMap { Int64($0) }
        let page = problems.isEmpty ? try await reader.list(filter, pageSize: 50, after: cursor) : nil
        let labels = CatalogLabels(web.services.definitions.catalogs)
        let openers = Self.openingCommands(web.services.definitions)
        let modules = Array(Set(openers.map(\.module))).sorted()
        let allowed = openers.filter { (try? web.commands.context(session.identity, command: $0.command, client: "web/1")) != nil }
        var next = ""
        if let after = page?.next {
            var parts = ["despuesDe=\(after)"]
            for name in ["modulo", "institucion", "entidad", "desde", "hasta"] { if let value = text(name) { parts.append("\(name)=\(Browserless.encode(value))") } }
            next = "/registros?" + parts.joined(separator: "&")
        }
        let rows: [[String: String]] = (page?.records ?? []).map { record in
            ["registro": record.recordId, "tipo": FieldLabels.eventType(record.eventType), "modulo": Self.moduleName(record.module),
             "fecha": record.date, "institucion": record.institution,
             "entidad": record.data["lugar"]?["entidad"]?.stringValue.map { labels.label("entidades-federativas", $0) } ?? "—"]
        }
        let moduleOptions: [[String: Any]] = modules.map { ["valor": $0, "etiqueta": Self.moduleName($0), "elegida": $0 == filter.module] }
        let newOnes: [[String: String]] = allowed.map { ["comando": $0.command, "titulo": FieldLabels.command($0.command), "modulo": Self.moduleName($0.module)] }
        var data: [String: Any] = [
            "errores": problems.map { ["mensaje": $0] }, "hayErrores": !problems.isEmpty, "modulos": moduleOptions,
            "entidades": labels.options("entidades-federativas", selected: filter.entidad),
            "institucion": filter.institution ?? "", "desde": text("desde") ?? "", "hasta": text("hasta") ?? "",
        ]
        data["registros"] = rows
        data["hayRegistros"] = !rows.isEmpty
        data["siguiente"] = next
        data["nuevos"] = newOnes
        data["hayNuevos"] = !newOnes.isEmpty
        return web.templates.render("registros", title: (problems.isEmpty ? "" : "Error: ") + "Registros de los módulos", session: session,
                                    status: problems.isEmpty ? .ok : .unprocessableContent, personal: false, data)
    }

    func show(_ recordId: String, _ session: WebSession, done: String?) async throws -> Response {
        try requireRead(session)
        guard let record = try await reader.read(recordId) else { throw WebError.notFound }
        let display = CaseDisplay(definitions: web.services.definitions)
        let names = PeopleNames()
        var history: [[String: Any]] = []
        for change in record.history {
            let who = try await names.describe(user: change.userId ?? "", institution: change.institution, services: web.services)
            let changes = change.fields.flatMap { Self.changedRows($0, display, record.eventType) }
            history.append([
                "evento": FieldLabels.eventType(change.eventType), "posicion": String(change.position), "version": String(change.version),
                "cuando": Timestamp(iso8601: change.recordedAt).map(WebTime.text) ?? change.recordedAt,
                "persona": who.person, "institucion": who.institution, "motivo": change.reason ?? "",
                "cambios": changes, "hayCambios": !changes.isEmpty,
            ])
        }
        let actions = RecordCommandPages(web: web)
        let mayCorrect = record.annulledOn == nil ? try await actions.mayChange(recordId, command: "corregir-registro", session) : false
        let mayAnnul = record.annulledOn == nil ? try await actions.mayChange(recordId, command: "anular-registro", session) : false
        return web.templates.render("registro", title: "Registro", session: session, personal: false, [
            "registro": recordId, "tipo": FieldLabels.eventType(record.eventType), "modulo": Self.moduleName(record.module),
            "institucion": record.institution, "anulado": record.annulledOn ?? "", "vigente": record.annulledOn == nil,
            "hecho": done.map { "Listo: quedó registrado «\(FieldLabels.eventType(web.services.definitions.definition(forCommand: $0)?.eventType ?? $0))»." } ?? "",
            "datos": display.rows(record.data, eventType: record.eventType), "historial": history,
            "puedeCorregir": mayCorrect, "puedeAnular": mayAnnul,
        ])
    }

    /// A corrected field as rows before → after, in words (its catalogue's labels): a group's or a
    /// list's parts one by one, only those that changed.
    static func changedRows(_ change: ModuleRecord.FieldChange, _ display: CaseDisplay, _ eventType: String) -> [[String: String]] {
        func rows(_ value: JSONValue) -> [(label: String, value: String)] {
            value == .null ? [] : display.rows(.object([.init(key: change.field, value: value)]), eventType: eventType).map { ($0["etiqueta"] ?? "", $0["valor"] ?? "") }
        }
        let before = rows(change.before), after = rows(change.after)
        var labels = after.map(\.label)
        for row in before where !labels.contains(row.label) { labels.append(row.label) }
        return labels.compactMap { label in
            let old = before.first { $0.label == label }?.value ?? "—", new = after.first { $0.label == label }?.value ?? "—"
            return old == new ? nil : ["campo": label, "antes": old, "despues": new]
        }
    }
}

/// Query-string encoding for the links a page builds.
enum Browserless {
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
