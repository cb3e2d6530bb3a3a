import CanonicalJSON
import Catalog
import Definitions
import Foundation
import Hummingbird

/// The server enforces what the contract declares about parameters, for every operation at once:
/// a query parameter the operation does not declare is refused (commands as reads), and each
/// declared path or query parameter must satisfy its schema (pattern, enum, integer bounds, date,
/// length). One check here instead of one per handler, so the contract and the server cannot drift.
/// All problems come back together in one 400, each with its field (`consulta.entidad`, `ruta.anio`).
enum DeclaredParameters {
    static func check(_ endpoint: Endpoint, _ request: Request, _ context: APIContext) throws {
        var problems: [Problem] = []
        let declared = Dictionary(endpoint.parameters.map { ("\($0.location.rawValue) \($0.name)", $0) }, uniquingKeysWith: { first, _ in first })
        var seen: Set<String> = []
        for (key, value) in request.uri.queryParameters {
            let name = String(key)
            guard seen.insert(name).inserted else { continue }  // a repeated parameter is the handler's `Query` to refuse
            guard let parameter = declared["query \(name)"] else {
                problems.append(Problem(path: "consulta.\(name.prefix(40))", code: "parametro-desconocido",
                                        message: "parámetro desconocido «\(name.prefix(40))»; los de esta operación están en /openapi.json"))
                continue
            }
            problems += violations(String(value), parameter.schema, path: "consulta.\(name)", name: name)
        }
        for parameter in endpoint.parameters where parameter.location == .path {
            guard let value = context.parameters.get(parameter.name) else { continue }
            problems += violations(value, parameter.schema, path: "ruta.\(parameter.name)", name: parameter.name)
        }
        if !problems.isEmpty {
            throw APIProblem.malformed("La solicitud tiene \(problems.count) parámetro(s) que no cumplen el contrato; corríjalos todos.", problems: problems)
        }
    }

    /// What is wrong with `value` under `schema` (the subset of JSON Schema the contract's parameters use).
    static func violations(_ value: String, _ schema: JSONValue, path: String, name: String) -> [Problem] {
        var problems: [Problem] = []
        func fail(_ code: String, _ message: String) { problems.append(Problem(path: path, code: code, message: "\(name): \(message)")) }
        if value.isEmpty { fail("texto-no-valido", "no puede ir vacío"); return problems }
        if let allowed = schema["enum"]?.arrayValue?.compactMap(\.stringValue), !allowed.contains(value) {
            fail("valor-no-permitido", "«\(value.prefix(40))» no es un valor permitido; use \(allowed.prefix(12).joined(separator: ", "))")
            return problems
        }
        switch schema["type"]?.stringValue {
        case "integer":
            guard let number = Int64(value) else { fail("entero-no-valido", "«\(value.prefix(40))» no es un entero"); return problems }
            if let minimum = schema["minimum"]?.numberValue, Double(number) < minimum { fail("menor-al-minimo", "el mínimo es \(Int64(minimum))") }
            if let maximum = schema["maximum"]?.numberValue, Double(number) > maximum { fail("mayor-al-maximo", "el máximo es \(Int64(maximum))") }
        case "boolean":
            if value != "true" && value != "false" { fail("booleano", "true o false") }
        default:
            if let maxLength = schema["maxLength"]?.numberValue, value.count > Int(maxLength) { fail("texto-largo", "a lo más \(Int(maxLength)) caracteres") }
            if let minLength = schema["minLength"]?.numberValue, value.count < Int(minLength) { fail("texto-corto", "al menos \(Int(minLength)) caracteres") }
            if schema["format"]?.stringValue == "date", CalendarDate(value) == nil { fail("fecha-no-valida", "«\(value.prefix(20))» no es una fecha AAAA-MM-DD") }
            if let pattern = schema["pattern"]?.stringValue, value.range(of: pattern, options: .regularExpression) == nil {
                fail("formato-no-valido", "«\(value.prefix(40))» no tiene la forma que pide el contrato (\(pattern))")
            }
        }
        return problems
    }
}
