import Foundation

/// SQL text that can only come from a string literal in our source code.
///
/// Values always travel as parameters (`$1`, `$2`, …). Because `SQL` has no public
/// initialiser from a runtime `String`, building a statement by concatenating user data
/// does not compile.
public struct SQL: Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    let text: String

    public init(stringLiteral value: StaticString) {
        self.text = value.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
    }

    /// For statements this layer composes itself (cursor names, FETCH counts, quoted identifiers).
    init(composed text: String) { self.text = text }

    /// One parameterised statement read from a file shipped in the repository (an indicator
    /// variable's query in `projections/indicators/`), never from user input: like `SQLScript`, its
    /// trust comes from code review of the repository. Values still travel only as parameters.
    public init(repositoryFile text: String) { self.text = text }

    public var description: String { text }
}

/// A multi-statement SQL script read from a file shipped in the repository
/// (`migrations/`, `projections/<name>/`). Runs through the simple query protocol, without parameters.
public struct SQLScript: Sendable {
    public let text: String
    /// Where the script came from, for error messages.
    public let origin: String

    public init(_ text: String, origin: String) {
        self.text = text
        self.origin = origin
    }
}

/// Quotes an identifier (database, role, schema name) the way PostgreSQL's `quote_ident` does.
public enum SQLIdentifier {
    public static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
