import CanonicalJSON
import Definitions
import Foundation

/// A record's data as the values of its own form — the inverse of `FormPayload.data` — so a
/// correction opens the form as the record stands, and what changed is the difference between the
/// two payloads (`corrections`): the person edits the record, not a list of field names.
enum RecordFormValues {
    static func values(_ fields: [FormField], data: JSONValue) -> FormValues {
        var pairs: [(name: String, value: String)] = []
        add(fields, prefix: "", data, into: &pairs)
        return FormValues(pairs: pairs)
    }

    private static func add(_ fields: [FormField], prefix: String, _ data: JSONValue, into pairs: inout [(name: String, value: String)]) {
        for field in fields {
            guard let value = data[field.name], value != .null else { continue }
            let path = prefix + field.name
            switch field.kind {
            case .group(let children): add(children, prefix: path + ".", value, into: &pairs)
            case .list(let item):
                let items = value.arrayValue ?? []
                switch item.kind {
                case .catalog, .choice: for item in items { pairs.append((path, text(item))) }
                case .group(let children):
                    pairs.append(("_n:" + path, String(max(1, items.count))))
                    for (index, element) in items.enumerated() { add(children, prefix: path + "[\(index)].", element, into: &pairs) }
                default: pairs.append((path, items.map(text).joined(separator: "\n")))
                }
            case .boolean: pairs.append((path, value == .bool(true) ? "si" : "no"))
            default: pairs.append((path, text(value)))
            }
        }
    }

    private static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .number(let number): return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .bool(let flag): return flag ? "si" : "no"
        default: return ""
        }
    }

    /// The top-level fields whose value differs: each with its new value, or null when it was emptied.
    /// Personal fields the form could not show (they come back null) are never touched.
    static func corrections(_ fields: [FormField], before: JSONValue, after: JSONValue) -> JSONValue {
        var members: [JSONMember] = []
        for field in fields where !field.isPersonal {
            let old = before[field.name] ?? .null, new = after[field.name] ?? .null
            // Compared in canonical form: the stored record's keys are sorted, the form's follow the definition.
            if CanonicalJSON.serialize(old) != CanonicalJSON.serialize(new) { members.append(.init(key: field.name, value: new)) }
        }
        return .object(members)
    }
}
