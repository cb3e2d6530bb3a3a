import CanonicalJSON
import Definitions
import Foundation

/// Turns a submitted form back into a command's data, by the same field tree the form was drawn
/// from. Nothing is judged here: a number that does not parse goes as typed and the validator —
/// the one every door shares — says what is wrong with it.
enum FormPayload {
    static func data(_ fields: [FormField], values: FormValues) -> JSONValue {
        object(fields, prefix: "", values: values) ?? .object([])
    }

    private static func object(_ fields: [FormField], prefix: String, values: FormValues) -> JSONValue? {
        let members: [JSONMember] = fields.compactMap { field in
            value(field, path: prefix + field.name, values: values).map { .init(key: field.name, value: $0) }
        }
        return members.isEmpty ? nil : .object(members)
    }

    private static func value(_ field: FormField, path: String, values: FormValues) -> JSONValue? {
        switch field.kind {
        case .text, .longText, .date, .catalog, .choice:
            return values.text(path).map(JSONValue.string)
        case .integer, .number:
            guard let text = values.text(path) else { return nil }
            if let number = Double(text.replacingOccurrences(of: ",", with: "")), number.isFinite { return .number(number) }
            return .string(text)
        case .boolean:
            switch values.text(path) {
            case "si": return .bool(true)
            case "no": return .bool(false)
            default: return nil
            }
        case .group(let children):
            return object(children, prefix: path + ".", values: values)
        case .list(let item):
            switch item.kind {
            case .catalog, .choice:
                let chosen = values.all(path).filter { !$0.isEmpty }
                return chosen.isEmpty ? nil : .array(chosen.map(JSONValue.string))
            case .group(let children):
                let count = FormBuilder.itemCount(path, values: values, required: false)
                let items = (0..<count).compactMap { object(children, prefix: path + "[\($0)].", values: values) }
                return items.isEmpty ? nil : .array(items)
            default:
                let lines = (values.first(path) ?? "").split(whereSeparator: \.isNewline)
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                guard !lines.isEmpty else { return nil }
                let numeric = item.kind == .integer || item.kind == .number
                return .array(lines.map { line in numeric ? Double(line).map(JSONValue.number) ?? .string(line) : .string(line) })
            }
        }
    }
}
