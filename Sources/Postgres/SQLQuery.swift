/// A statement assembled from fragments written in our source code, whose parameters are numbered
/// in the order they are bound.
///
/// libpq has no named parameters: a statement with a dozen optional filters used to read
/// `$9 … $11 … $10` and a positional array that had to match it by hand. Here `bind` returns the
/// placeholder of the value it just added, and a fragment writes that placeholder where it goes, so
/// the text and the values cannot drift apart. Fragments are string literals: a runtime `String`
/// cannot be interpolated into one (only placeholders and `SQL` literals can), so values still travel
/// only as parameters.
public struct SQLQuery: Sendable {
    public private(set) var parameters: [PostgresValue] = []
    private var text: String

    public init(_ start: SQLFragment) { text = start.text }

    /// Adds `value` as the next parameter and returns its placeholder (`$n`).
    public mutating func bind(_ value: PostgresValue) -> SQLParameter {
        parameters.append(value)
        return SQLParameter(number: parameters.count)
    }

    /// Appends `fragment` after a line break.
    public mutating func append(_ fragment: SQLFragment) { text += "\n" + fragment.text }

    /// An optional condition: when `value` is set, binds it and appends `fragment` written with its
    /// placeholder; when it is nil, appends nothing.
    public mutating func append(if value: PostgresValue?, _ fragment: (SQLParameter) -> SQLFragment) {
        guard let value else { return }
        let parameter = bind(value)
        append(fragment(parameter))
    }

    public var sql: SQL { SQL(composed: text) }
}

/// The placeholder of a bound parameter: `$1`, `$2`, …
public struct SQLParameter: Sendable, CustomStringConvertible {
    public let number: Int
    public var description: String { "$\(number)" }
}

/// A piece of SQL text from a string literal, into which only placeholders and `SQL` literals
/// (a shared column list, say) can be interpolated.
public struct SQLFragment: Sendable, ExpressibleByStringInterpolation {
    let text: String

    public init(stringLiteral value: StaticString) {
        text = value.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
    }

    public init(stringInterpolation: Interpolation) { text = stringInterpolation.text }

    public struct Interpolation: StringInterpolationProtocol {
        var text = ""
        public init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity) }
        public mutating func appendLiteral(_ literal: StaticString) {
            text += literal.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
        }
        public mutating func appendInterpolation(_ parameter: SQLParameter) { text += parameter.description }
        public mutating func appendInterpolation(_ sql: SQL) { text += sql.text }
    }
}
