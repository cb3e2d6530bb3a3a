import Catalog
import Definitions
import Hummingbird

/// Query parameters read with every problem collected (field path `consulta.<name>`), so a bad
/// request answers 400 listing all of them at once; unknown parameters are problems too.
final class Query: @unchecked Sendable {
    private let parameters: [String: String]
    private var used: Set<String> = []
    private(set) var problems: [Problem] = []

    init(_ request: Request) {
        var values: [String: String] = [:]
        var repeated: Set<String> = []
        for (key, value) in request.uri.queryParameters {
            if values.updateValue(String(value), forKey: String(key)) != nil { repeated.insert(String(key)) }
        }
        parameters = values
        // `?anio=2023&anio=2022` is ambiguous: refused, never silently the last one.
        for name in repeated.sorted() {
            problem("consulta.\(name)", "parametro-repetido", "\(name.prefix(40)): aparece más de una vez; indíquelo una sola vez")
        }
    }

    func text(_ name: String, maxLength: Int = 500) -> String? {
        used.insert(name)
        guard let value = parameters[name] else { return nil }
        if value.isEmpty || value.count > maxLength { problem("consulta.\(name)", "texto-no-valido", "\(name): de 1 a \(maxLength) caracteres"); return nil }
        return value
    }

    func choice(_ name: String, _ allowed: [String]) -> String? {
        guard let value = text(name) else { return nil }
        guard allowed.contains(value) else { problem("consulta.\(name)", "valor-no-permitido", "\(name): use \(allowed.joined(separator: " o "))"); return nil }
        return value
    }

    func date(_ name: String) -> CalendarDate? {
        guard let value = text(name) else { return nil }
        guard let date = CalendarDate(value) else { problem("consulta.\(name)", "fecha-no-valida", "\(name): «\(value.prefix(20))» no es una fecha AAAA-MM-DD"); return nil }
        return date
    }

    func bool(_ name: String) -> Bool? {
        guard let value = text(name) else { return nil }
        switch value {
        case "true": return true
        case "false": return false
        default: problem("consulta.\(name)", "booleano", "\(name): true o false"); return nil
        }
    }

    func integer(_ name: String, _ range: ClosedRange<Int64>) -> Int64? {
        guard let value = text(name) else { return nil }
        guard let number = Int64(value), range.contains(number) else {
            problem("consulta.\(name)", "entero-fuera-de-rango", "\(name): un entero de \(range.lowerBound) a \(range.upperBound)")
            return nil
        }
        return number
    }

    func problem(_ path: String, _ code: String, _ message: String) {
        problems.append(Problem(path: path, code: code, message: message))
    }

    /// 400 with every problem, including parameters the route does not know.
    func finish() throws {
        for name in parameters.keys.sorted() where !used.contains(name) {
            problem("consulta.\(name)", "parametro-desconocido", "parámetro desconocido «\(name.prefix(40))»")
        }
        guard problems.isEmpty else { throw APIProblem.malformed(problems.map(\.message).joined(separator: "; "), problems: problems) }
    }
}
