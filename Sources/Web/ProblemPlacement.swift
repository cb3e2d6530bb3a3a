import Definitions

/// Puts each of the validator's problems beside its field, and lists them all at the top with
/// links to the fields (the GOV.UK error summary). A problem whose path names no field shown
/// (a rule about the whole record) goes to the nearest field that holds it, or only to the summary.
enum ProblemPlacement {
    struct Placed {
        let byField: [String: [String]]
        let summary: [[String: String]]
    }

    static func place(_ problems: [Problem], fields: [FormField]) -> Placed {
        let paths = Set(allPaths(fields, prefix: ""))
        var byField: [String: [String]] = [:]
        var summary: [[String: String]] = []
        for problem in problems {
            var path = problem.path
            for prefix in ["datos.", "datos"] where path.hasPrefix(prefix) { path = String(path.dropFirst(prefix.count)) }
            var target = path
            while !target.isEmpty, !paths.contains(target) {
                if let cut = target.lastIndex(where: { $0 == "." || $0 == "[" }) { target = String(target[..<cut]) } else { target = "" }
            }
            let message = problem.message.prefix(1).uppercased() + problem.message.dropFirst()
            if target.isEmpty {
                summary.append(["mensaje": message, "enlace": ""])
            } else {
                byField[target, default: []].append(message)
                summary.append(["mensaje": "\(FieldLabels.label(lastName(target))): \(message)", "enlace": "#" + FormBuilder.id(target)])
            }
        }
        return Placed(byField: byField, summary: summary)
    }

    static func lastName(_ path: String) -> String {
        String(path.split(whereSeparator: { $0 == "." }).last ?? Substring(path)).replacingOccurrences(of: "[", with: " ").replacingOccurrences(of: "]", with: "")
    }

    /// Every path a form can show, with item indices up to 50.
    private static func allPaths(_ fields: [FormField], prefix: String) -> [String] {
        fields.flatMap { field -> [String] in
            let path = prefix + field.name
            switch field.kind {
            case .group(let children): return [path] + allPaths(children, prefix: path + ".")
            case .list(let item):
                if case .group(let children) = item.kind {
                    return [path] + (0..<50).flatMap { [path + "[\($0)]"] + allPaths(children, prefix: path + "[\($0)].") }
                }
                return [path]
            default: return [path]
            }
        }
    }
}
