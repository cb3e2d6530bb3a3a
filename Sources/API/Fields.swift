import CanonicalJSON
import Definitions

/// A small JSON body read field by field with every problem collected (field path `datos.<name>`),
/// for the few bodies that are not event definitions (login, accounts). Unknown fields are problems.
struct Fields {
    private let body: JSONValue
    private var used: Set<String> = []
    private(set) var problems: [Problem] = []

    init(_ body: JSONValue) {
        self.body = body
        if !body.isObject { problems.append(Problem(path: "datos", code: "tipo-invalido", message: "se esperaba un objeto JSON")) }
    }

    mutating func text(_ name: String, required: Bool = true, maxLength: Int = 500) -> String? {
        used.insert(name)
        guard let value = body[name] else {
            if required { problems.append(Problem(path: "datos.\(name)", code: "requerido", message: "falta «\(name)»")) }
            return nil
        }
        guard let text = value.stringValue, !text.isEmpty, text.count <= maxLength else {
            problems.append(Problem(path: "datos.\(name)", code: "texto-no-valido", message: "«\(name)» es un texto de 1 a \(maxLength) caracteres"))
            return nil
        }
        return text
    }

    mutating func texts(_ name: String, maxItems: Int = 20) -> [String]? {
        used.insert(name)
        guard let items = body[name]?.arrayValue, !items.isEmpty, items.count <= maxItems,
              items.allSatisfy({ ($0.stringValue ?? "").isEmpty == false }) else {
            problems.append(Problem(path: "datos.\(name)", code: "lista-no-valida", message: "«\(name)» es una lista de 1 a \(maxItems) textos"))
            return nil
        }
        return items.compactMap(\.stringValue)
    }

    mutating func array(_ name: String, maxItems: Int) -> [JSONValue]? {
        used.insert(name)
        guard let items = body[name]?.arrayValue, !items.isEmpty, items.count <= maxItems else {
            problems.append(Problem(path: "datos.\(name)", code: "lista-no-valida", message: "«\(name)» es una lista de 1 a \(maxItems) elementos"))
            return nil
        }
        return items
    }

    /// An optional whole number within `range`.
    mutating func integer(_ name: String, _ range: ClosedRange<Int64>) -> Int64? {
        used.insert(name)
        guard let value = body[name], !value.isNull else { return nil }
        guard let number = value.int64Value, range.contains(number) else {
            problems.append(Problem(path: "datos.\(name)", code: "numero-no-valido", message: "«\(name)» es un entero de \(range.lowerBound) a \(range.upperBound)"))
            return nil
        }
        return number
    }

    mutating func problem(_ path: String, _ code: String, _ message: String) {
        problems.append(Problem(path: path, code: code, message: message))
    }

    /// 422 with every problem (unknown fields included), or nothing.
    mutating func finish() throws {
        for member in body.objectValue ?? [] where !used.contains(member.key) {
            problems.append(Problem(path: "datos.\(member.key.prefix(40))", code: "campo-desconocido", message: "campo desconocido «\(member.key.prefix(40))»"))
        }
        guard problems.isEmpty else { throw APIProblem.invalid(problems) }
    }
}
