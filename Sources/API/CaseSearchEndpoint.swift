import Accounts
import CanonicalJSON
import CaseFiles
import Definitions
import Hummingbird

/// «Find a person»: `POST /v1/expedientes/busqueda` with `{"curp": …}` or `{"nombre": …}`.
///
/// POST, with the CURP or name in the body, because a URL is written to access logs, proxies and
/// browser history: personal data never goes in one. The server turns what was typed into keyed
/// digests (`CaseFileReader.find(name:within:)`), so neither reaches the database. The answer is
/// rows of the list (no personal field), narrowed by the caller's scope exactly as the list is,
/// each with the warning that another institution may have registered the same person.
///
/// Like the list, the search is recorded in the request log (method, path, status, account, never
/// the body) and records no event: the log must not keep what was searched for, not even as a
/// digest, which would outlive an erasure. Opening a hit's personal data is `GET
/// /v1/expedientes/{expediente}` with a stated purpose, which records `DatosPersonalesConsultados`.
enum CaseSearchEndpoint {
    static let fields: Set<String> = ["curp", "nombre", "limite", "despuesDe"]

    static func endpoint(_ services: APIServices) -> Endpoint {
        let request: JSONValue = [
            "type": "object", "additionalProperties": false,
            "description": "Exactamente uno de «curp» o «nombre».",
            "oneOf": [["required": ["curp"]], ["required": ["nombre"]]],
            "properties": [
                "curp": ["type": "string", "minLength": 18, "maxLength": 40,
                         "description": "CURP de 18 letras y dígitos; no importan los espacios ni las mayúsculas."],
                "nombre": ["type": "string", "minLength": 1, "maxLength": .number(Double(CaseFileReader.maximumNameLength)),
                           "description": "Nombre, apellidos o parte de ellos: palabras completas, sin importar acentos, mayúsculas ni orden; todas deben coincidir."],
                "limite": ["type": "integer", "minimum": 1, "maximum": .number(Double(APILimits.maxPageSize)), "description": "Expedientes por página (50 por omisión)."],
                "despuesDe": ["type": "integer", "minimum": 0, "description": "Cursor de la página siguiente («siguiente» de la anterior)."],
            ],
        ]
        let hit: JSONValue = [
            "type": "object",
            "required": ["expediente", "institucion", "fechaDeDeteccion", "estado", "posibleDuplicadoEnOtraInstitucion"],
            "properties": [
                "expediente": ["type": "string"], "institucion": ["type": "string"], "fechaDeDeteccion": ["type": "string", "format": "date"],
                "estado": ["type": "string", "enum": ["abierto", "cerrado"]], "validado": ["type": "boolean"], "version": ["type": "integer"],
                "posibleDuplicadoEnOtraInstitucion": ["type": "boolean",
                    "description": "Otra institución registró un expediente con la misma CURP o el mismo nombre y fecha de nacimiento, y nadie ha decidido aún si es la misma persona."],
            ],
        ]
        let answer: JSONValue = [
            "type": "object", "required": ["expedientes", "siguiente", "alcance"],
            "properties": ["expedientes": ["type": "array", "items": hit], "siguiente": ["type": ["integer", "null"]],
                           "alcance": ["type": "string", "enum": ["propios", "institucion", "entidad", "nacional"]]],
        ]
        return Endpoint(.post, "/v1/expedientes/busqueda", operationId: "buscar-persona", tag: "expedientes",
                        summary: "Busca a una persona por su CURP exacta o por su nombre (índices ciegos: no se descifra nada) entre los expedientes visibles para quien llama; sin datos personales en la respuesta.",
                        access: .authenticated, requestBody: request,
                        successes: [.init(200, "Los expedientes encontrados (puede ser ninguno).", schema: answer)],
                        errors: [400, 401, 403, 413, 429, 503]) { request, context in
            try await search(request, context, services)
        }
    }

    static func search(_ request: Request, _ context: APIContext, _ services: APIServices) async throws -> Response {
        let identity = try context.requireIdentity()
        let scope = try services.requireScope(identity, .leerExpedientes)
        let body = try await Body.json(request)
        guard let members = body.objectValue else {
            throw APIProblem.malformed("el cuerpo debe ser un objeto JSON con «curp» o «nombre»", path: "datos")
        }
        var problems: [Problem] = []
        func fail(_ field: String, _ code: String, _ message: String) {
            problems.append(Problem(path: field.isEmpty ? "datos" : "datos.\(field)", code: code, message: message))
        }
        for member in members where !fields.contains(member.key) {
            fail(String(member.key.prefix(40)), "campo-desconocido", "campo desconocido «\(member.key.prefix(40))»; use «curp» o «nombre»")
        }
        func text(_ field: String) -> String? {
            guard let value = body[field], !value.isNull else { return nil }
            guard let text = value.stringValue else { fail(field, "tipo-invalido", "«\(field)» debe ser un texto"); return nil }
            return text
        }
        func integer(_ field: String, _ range: ClosedRange<Int64>) -> Int64? {
            guard let value = body[field], !value.isNull else { return nil }
            guard let number = value.int64Value, range.contains(number) else {
                fail(field, "numero-no-valido", "«\(field)» es un entero de \(range.lowerBound) a \(range.upperBound)")
                return nil
            }
            return number
        }
        let curp = text("curp"), name = text("nombre")
        let size = integer("limite", 1...Int64(APILimits.maxPageSize)) ?? 50, cursor = integer("despuesDe", 0...Int64.max)
        let hasCURP = body["curp"].map { !$0.isNull } ?? false, hasName = body["nombre"].map { !$0.isNull } ?? false
        if hasCURP && hasName { fail("", "curp-o-nombre", "indique «curp» o «nombre», no los dos") }
        if !hasCURP && !hasName { fail("", "curp-o-nombre", "indique «curp» o «nombre» de la persona que busca") }
        if let name, case .failure(let invalid) = CaseFileReader.nameSearchTokens(name) { fail("nombre", "nombre-no-valido", invalid.message) }
        guard problems.isEmpty else {
            throw APIProblem.malformed("La búsqueda tiene \(problems.count) problema(s): \(problems.map(\.message).joined(separator: "; ")).", problems: problems)
        }
        var filter = CaseFilter()
        filter.restrict(to: scope, of: identity)
        let page: CaseSearchPage
        do {
            if let curp {
                page = try await services.cases.find(curp: curp, within: filter, pageSize: Int(size), after: cursor)
            } else {
                page = try await services.cases.find(name: name ?? "", within: filter, pageSize: Int(size), after: cursor)
            }
        } catch let invalid as InvalidCaseSearch {
            throw APIProblem.malformed(invalid.message, problems: [Problem(path: "datos.\(invalid.field)", code: "\(invalid.field)-no-valido", message: invalid.message)])
        }
        let items: [JSONValue] = page.hits.map { hit in
            .object(CaseEndpoints.summary(hit.summary) + [JSONMember(key: "posibleDuplicadoEnOtraInstitucion", value: .bool(hit.possibleDuplicateElsewhere))])
        }
        var response = SystemEndpoints.json(["expedientes": .array(items), "siguiente": page.next.map { .number(Double($0)) } ?? .null,
                                             "alcance": .string(scope.rawValue)])
        // Which cases a named person has is itself personal: no cache keeps the answer.
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
