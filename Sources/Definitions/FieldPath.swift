import CanonicalJSON

/// Field paths as users see them: dotted names and `[index]` for list elements
/// (`ruta.transito[1].municipio`). Problems, personal-data annotations and encryption all use
/// this one notation, so the path in an error is the path a caller fixes.
public enum FieldPath {
    public enum Component: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    public static func join(_ parent: String, _ child: String) -> String {
        if parent.isEmpty { return child }
        if child.isEmpty { return parent }
        return child.hasPrefix("[") ? parent + child : parent + "." + child
    }

    public static func index(_ parent: String, _ index: Int) -> String { parent + "[\(index)]" }

    /// Splits a path into keys and indexes. Keys never contain `.` or `[` (definitions use lowerCamelCase).
    public static func components(_ path: String) -> [Component] {
        var result: [Component] = []
        for segment in path.split(separator: ".") {
            var rest = Substring(segment)
            if let bracket = rest.firstIndex(of: "[") {
                if bracket > rest.startIndex { result.append(.key(String(rest[..<bracket]))) }
                rest = rest[bracket...]
                while rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                    if let number = Int(rest[rest.index(after: rest.startIndex)..<close]) { result.append(.index(number)) }
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                result.append(.key(String(rest)))
            }
        }
        return result
    }

    public static func value(at path: String, in root: JSONValue) -> JSONValue? {
        var current: JSONValue? = root
        for component in components(path) {
            switch component {
            case .key(let key): current = current?[key]
            case .index(let index): current = current?[index]
            }
        }
        return current
    }

    /// `root` with the value at `path` replaced; unchanged if the path does not exist.
    public static func replacing(_ path: String, in root: JSONValue, with value: JSONValue) -> JSONValue {
        replace(components(path)[...], in: root, with: value)
    }

    private static func replace(_ path: ArraySlice<Component>, in node: JSONValue, with value: JSONValue) -> JSONValue {
        guard let first = path.first else { return value }
        switch (first, node) {
        case (.key(let key), .object(var members)):
            guard let index = members.firstIndex(where: { $0.key == key }) else { return node }
            members[index].value = replace(path.dropFirst(), in: members[index].value, with: value)
            return .object(members)
        case (.index(let index), .array(var elements)) where elements.indices.contains(index):
            elements[index] = replace(path.dropFirst(), in: elements[index], with: value)
            return .array(elements)
        default:
            return node
        }
    }
}
