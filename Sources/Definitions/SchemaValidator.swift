import Catalog
import CanonicalJSON

/// What validation learnt about a valid payload besides "it is valid": which values name catalogue
/// codes, which are personal, which municipios must belong to an entidad. Only annotations from
/// the branches that matched are kept (a failed `anyOf` alternative says nothing).
public struct Annotations: Sendable, Equatable {
    public struct CatalogUse: Sendable, Equatable { public let path: String, catalog: String, code: String }
    public struct MunicipioUse: Sendable, Equatable { public let path: String, municipio: String, entidad: String? }

    public var catalogUses: [CatalogUse] = []
    public var personalPaths: [String] = []
    public var municipios: [MunicipioUse] = []

    mutating func merge(_ other: Annotations) {
        catalogUses += other.catalogUses
        for path in other.personalPaths where !personalPaths.contains(path) { personalPaths.append(path) }
        municipios += other.municipios
    }
}

/// Validates JSON values against compiled schema nodes, collecting every problem.
struct SchemaValidator {
    let nodes: [String: SchemaNode]

    struct Outcome {
        var problems: [Problem] = []
        var annotations = Annotations()
        var isValid: Bool { problems.isEmpty }

        mutating func fail(_ path: String, _ code: String, _ message: String) {
            problems.append(Problem(path: path, code: code, message: message))
        }
        mutating func absorb(_ other: Outcome) {
            problems += other.problems
            annotations.merge(other.annotations)
        }
    }

    func validate(_ value: JSONValue, against node: SchemaNode, at path: String = "") -> Outcome {
        var outcome = Outcome()
        if let always = node.alwaysValid {
            if !always { outcome.fail(path, "no-permitido", "no se admite ningún valor aquí") }
            return outcome
        }
        if let ref = node.ref, let target = nodes[ref] {
            outcome.absorb(validate(value, against: target, at: path))
        }
        if let types = node.types, !types.contains(where: { $0.matches(value) }) {
            // A value of the wrong type makes the other keywords meaningless: report only this.
            let expected = types.map(\.spanishName).joined(separator: " o ")
            outcome.fail(path, "tipo-invalido", "se esperaba \(expected)")
            return outcome
        }
        if let allowed = node.enumValues, !allowed.contains(value) {
            let list = allowed.prefix(12).map(\.description).joined(separator: ", ")
            outcome.fail(path, "valor-no-permitido", "valor no permitido; se admite: \(list)\(allowed.count > 12 ? "…" : "")")
        }
        if let constant = node.constValue, constant != value {
            outcome.fail(path, "valor-no-permitido", "el valor debe ser \(constant)")
        }
        switch value {
        case .object(let members): validateObject(members, node, path, &outcome)
        case .array(let elements): validateArray(elements, node, path, &outcome)
        case .string(let text): validateString(text, node, path, &outcome)
        case .number(let number): validateNumber(number, node, path, &outcome)
        default: break
        }
        validateCombinators(value, node, path, &outcome)
        if outcome.isValid {
            if let catalog = node.catalog, case .string(let code) = value {
                outcome.annotations.catalogUses.append(.init(path: path, catalog: catalog, code: code))
            }
            if node.isPersonal, !outcome.annotations.personalPaths.contains(path) {
                outcome.annotations.personalPaths.append(path)
            }
        }
        return outcome
    }

    private func validateObject(_ members: [JSONMember], _ node: SchemaNode, _ path: String, _ outcome: inout Outcome) {
        let present = Set(members.map(\.key))
        for name in node.required where !present.contains(name) {
            outcome.fail(FieldPath.join(path, name), "requerido", "campo obligatorio")
        }
        for (name, requires) in node.dependentRequired where present.contains(name) {
            for other in requires where !present.contains(other) {
                outcome.fail(FieldPath.join(path, other), "requerido", "campo obligatorio cuando se indica «\(name)»")
            }
        }
        if let minimum = node.minProperties, members.count < minimum {
            outcome.fail(path, "campos-insuficientes", "se requiere al menos \(minimum) campo\(minimum == 1 ? "" : "s")")
        }
        if let maximum = node.maxProperties, members.count > maximum {
            outcome.fail(path, "demasiados-campos", "a lo sumo \(maximum) campos")
        }
        for member in members {
            let childPath = FieldPath.join(path, member.key)
            if let property = node.properties.first(where: { $0.name == member.key })?.schema {
                outcome.absorb(validate(member.value, against: property, at: childPath))
                if let sibling = entidadSibling(of: property), case .string(let municipio) = member.value {
                    let entidad = members.first { $0.key == sibling }?.value.stringValue
                    outcome.annotations.municipios.append(.init(path: childPath, municipio: municipio, entidad: entidad))
                }
            } else if let additional = node.additionalProperties {
                if additional.alwaysValid == false {
                    outcome.fail(childPath, "campo-no-permitido", "campo no previsto en la definición (¿error de escritura?)")
                } else {
                    outcome.absorb(validate(member.value, against: additional, at: childPath))
                }
            }
        }
    }

    private func entidadSibling(of node: SchemaNode) -> String? {
        var current: SchemaNode? = node
        var hops = 0
        while let candidate = current, hops < 16 {
            if let sibling = candidate.entidadSibling { return sibling }
            current = candidate.ref.flatMap { nodes[$0] }
            hops += 1
        }
        return nil
    }

    private func validateArray(_ elements: [JSONValue], _ node: SchemaNode, _ path: String, _ outcome: inout Outcome) {
        if let minimum = node.minItems, elements.count < minimum {
            outcome.fail(path, "elementos-insuficientes", minimum == 1 ? "la lista no puede estar vacía" : "se requieren al menos \(minimum) elementos")
        }
        if let maximum = node.maxItems, elements.count > maximum {
            outcome.fail(path, "demasiados-elementos", "a lo sumo \(maximum) elementos")
        }
        if node.uniqueItems {
            for (index, element) in elements.enumerated() where elements[..<index].contains(element) {
                outcome.fail(FieldPath.index(path, index), "elemento-repetido", "elemento repetido (igual a uno anterior de la lista)")
            }
        }
        for (index, element) in elements.enumerated() {
            let schema = index < node.prefixItems.count ? node.prefixItems[index] : node.items
            if let schema { outcome.absorb(validate(element, against: schema, at: FieldPath.index(path, index))) }
        }
    }

    private func validateString(_ text: String, _ node: SchemaNode, _ path: String, _ outcome: inout Outcome) {
        let length = text.unicodeScalars.count
        if let minimum = node.minLength, length < minimum {
            outcome.fail(path, "texto-corto", minimum == 1 ? "no puede estar vacío" : "debe tener al menos \(minimum) caracteres")
        }
        if let maximum = node.maxLength, length > maximum {
            outcome.fail(path, "texto-largo", "debe tener a lo sumo \(maximum) caracteres (tiene \(length))")
        }
        if let pattern = node.pattern, !pattern.matches(text) {
            // Problems never echo the value: it may be personal (a CURP, a phone) and problems get logged.
            outcome.fail(path, "formato-invalido", "no tiene el formato esperado\(node.description.map { ": \($0)" } ?? "")")
        }
        if node.isDateFormat, CalendarDate(text) == nil {
            outcome.fail(path, "fecha-invalida", "no es una fecha válida (AAAA-MM-DD, y el día debe existir)")
        }
    }

    private func validateNumber(_ number: Double, _ node: SchemaNode, _ path: String, _ outcome: inout Outcome) {
        func show(_ value: Double) -> String { JSONValue.number(value).description }
        if let minimum = node.minimum, number < minimum { outcome.fail(path, "menor-al-minimo", "debe ser al menos \(show(minimum))") }
        if let maximum = node.maximum, number > maximum { outcome.fail(path, "mayor-al-maximo", "debe ser a lo sumo \(show(maximum))") }
        if let bound = node.exclusiveMinimum, number <= bound { outcome.fail(path, "menor-al-minimo", "debe ser mayor que \(show(bound))") }
        if let bound = node.exclusiveMaximum, number >= bound { outcome.fail(path, "mayor-al-maximo", "debe ser menor que \(show(bound))") }
        if let step = node.multipleOf, step > 0 {
            let quotient = number / step
            if quotient.rounded() != quotient { outcome.fail(path, "no-es-multiplo", "debe ser múltiplo de \(show(step))") }
        }
    }

    private func validateCombinators(_ value: JSONValue, _ node: SchemaNode, _ path: String, _ outcome: inout Outcome) {
        for schema in node.allOf { outcome.absorb(validate(value, against: schema, at: path)) }
        if !node.anyOf.isEmpty {
            let results = node.anyOf.map { validate(value, against: $0, at: path) }
            let passing = results.filter(\.isValid)
            if passing.isEmpty {
                outcome.absorb(closest(results))
            } else {
                for result in passing { outcome.annotations.merge(result.annotations) }
            }
        }
        if !node.oneOf.isEmpty {
            let results = node.oneOf.map { validate(value, against: $0, at: path) }
            let passing = results.filter(\.isValid)
            if passing.count == 1 {
                outcome.annotations.merge(passing[0].annotations)
            } else if passing.isEmpty {
                outcome.absorb(closest(results))
            } else {
                let matched = zip(node.oneOf, results).filter { $0.1.isValid }.map(\.0)
                outcome.fail(path, "alternativas-excluyentes", Self.exclusiveAlternativesMessage(value, matched))
            }
        }
        if let not = node.not, validate(value, against: not, at: path).isValid {
            outcome.fail(path, "combinacion-no-permitida", "esta combinación de campos no está permitida")
        }
        if let condition = node.ifSchema {
            let test = validate(value, against: condition, at: path)
            if test.isValid {
                outcome.annotations.merge(test.annotations)
                if let then = node.thenSchema { outcome.absorb(validate(value, against: then, at: path)) }
            } else if let otherwise = node.elseSchema {
                outcome.absorb(validate(value, against: otherwise, at: path))
            }
        }
    }

    /// Names the fields that make more than one exclusive alternative hold (each alternative's
    /// required or declared fields that the value carries), so the person knows which to drop.
    static func exclusiveAlternativesMessage(_ value: JSONValue, _ matched: [SchemaNode]) -> String {
        guard case .object(let members) = value else {
            return "cumple más de una de las alternativas excluyentes; indique solo una"
        }
        let present = Set(members.map(\.key))
        var fields: [String] = []
        for alternative in matched {
            for name in alternative.required + alternative.properties.map(\.name) where present.contains(name) && !fields.contains(name) {
                fields.append(name)
            }
        }
        guard fields.count >= 2 else { return "cumple más de una de las alternativas excluyentes; indique solo una" }
        let quoted = fields.map { "«\($0)»" }
        let list = quoted.dropLast().joined(separator: ", ") + " y " + quoted.last!
        return "\(list) son alternativas excluyentes: indique solo uno de esos campos"
    }

    /// When no alternative matches, the one with fewest problems explains best what to fix.
    private func closest(_ results: [Outcome]) -> Outcome {
        var best = results.min { $0.problems.count < $1.problems.count } ?? Outcome()
        best.annotations = Annotations()
        if best.problems.isEmpty { best.fail("", "ninguna-alternativa", "no cumple ninguna de las alternativas") }
        return best
    }
}
