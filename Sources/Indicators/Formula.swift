/// A ficha's método de cálculo (`(NEC/NEP)*100`): variable claves, numbers, + − × ÷ and parentheses.
///
/// Parsed once when the ficha loads, so a typo in a formula is a load error, not a wrong figure.
/// Evaluating never crashes: a missing variable or a zero denominator gives nil, which the
/// engine reports as ND (never a silent 0).
indirect enum Formula: Sendable, Equatable {
    case number(Double)
    case variable(String)
    case binary(Character, Formula, Formula)

    struct ParseError: Error, CustomStringConvertible { let description: String }

    static func parse(_ text: String) throws -> Formula {
        var parser = Parser(characters: Array(text))
        let formula = try parser.expression()
        parser.skipSpaces()
        guard parser.index == parser.characters.count else {
            throw ParseError(description: "sobra «\(String(parser.characters[parser.index...]))» en la fórmula «\(text)»")
        }
        return formula
    }

    var variables: [String] {
        switch self {
        case .number: []
        case .variable(let name): [name]
        case .binary(_, let left, let right): left.variables + right.variables.filter { !left.variables.contains($0) }
        }
    }

    /// The value, or nil when a variable is missing or a denominator is zero.
    func evaluate(_ values: [String: Double]) -> Double? {
        switch self {
        case .number(let value): return value
        case .variable(let name): return values[name]
        case .binary(let op, let left, let right):
            guard let a = left.evaluate(values), let b = right.evaluate(values) else { return nil }
            switch op {
            case "+": return a + b
            case "-": return a - b
            case "*": return a * b
            default: return b == 0 ? nil : a / b
            }
        }
    }

    /// `text` (the formula as the ficha writes it) with each variable replaced by its value, so the
    /// substitution keeps the ficha's own parentheses, as the annex prints it: `(2/6)*100`.
    static func substitute(_ text: String, _ values: [String: Double], _ format: (Double) -> String) -> String {
        var out = "", name = ""
        func flush() {
            guard !name.isEmpty else { return }
            out += values[name].map(format) ?? (name.first!.isLetter ? "ND" : name)
            name = ""
        }
        for character in text where !character.isWhitespace {
            if character.isLetter || character == "_" || (!name.isEmpty && character.isNumber) {
                name.append(character)
            } else {
                flush()
                out.append(character)
            }
        }
        flush()
        return out
    }

    private struct Parser {
        let characters: [Character]
        var index = 0

        mutating func skipSpaces() { while index < characters.count, characters[index].isWhitespace { index += 1 } }

        mutating func expression() throws -> Formula {
            var left = try term()
            skipSpaces()
            while index < characters.count, characters[index] == "+" || characters[index] == "-" {
                let op = characters[index]; index += 1
                left = .binary(op, left, try term())
                skipSpaces()
            }
            return left
        }

        mutating func term() throws -> Formula {
            var left = try factor()
            skipSpaces()
            while index < characters.count, characters[index] == "*" || characters[index] == "/" {
                let op = characters[index]; index += 1
                left = .binary(op, left, try factor())
                skipSpaces()
            }
            return left
        }

        mutating func factor() throws -> Formula {
            skipSpaces()
            guard index < characters.count else { throw ParseError(description: "la fórmula termina antes de tiempo") }
            let character = characters[index]
            if character == "(" {
                index += 1
                let inner = try expression()
                skipSpaces()
                guard index < characters.count, characters[index] == ")" else { throw ParseError(description: "falta «)» en la fórmula") }
                index += 1
                return inner
            }
            if character.isNumber {
                var text = ""
                while index < characters.count, characters[index].isNumber || characters[index] == "." { text.append(characters[index]); index += 1 }
                guard let value = Double(text) else { throw ParseError(description: "número «\(text)» no válido") }
                return .number(value)
            }
            if character.isLetter {
                var name = ""
                while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "_" {
                    name.append(characters[index]); index += 1
                }
                return .variable(name)
            }
            throw ParseError(description: "carácter «\(character)» inesperado en la fórmula")
        }
    }
}
