import CanonicalJSON

/// Turns a payload recorded under an older schema version into the current one, on read.
///
/// The log is immutable, so a schema change never rewrites old events: each version step has an
/// upcaster, and readers (projections, case files, the API) always see the current shape.
/// Both versions stay valid against their own definitions; `check` proves at load time that every
/// step exists and that upcasting each old example gives a valid current payload.
public struct Upcaster: Sendable {
    public let eventType: String
    /// Converts from this version to the next.
    public let fromVersion: Int
    public let convert: @Sendable (JSONValue) -> JSONValue
}

public enum Upcasting {
    public static let all: [Upcaster] = [
        // AtencionOtorgada v2: `duracionHoras` (decimal hours) became `duracionMinutos` (whole minutes),
        // because caseworkers record sessions of 45 or 90 minutes and 0.75 h read badly; v2 also adds the
        // optional `modalidadDeAtencion`, which v1 events simply lack.
        Upcaster(eventType: EventType.atencionOtorgada.rawValue, fromVersion: 1) { payload in
            guard case .object(var members) = payload else { return payload }
            if let index = members.firstIndex(where: { $0.key == "duracionHoras" }) {
                let hours = members[index].value.numberValue ?? 0
                members[index] = JSONMember(key: "duracionMinutos", value: .number(max(1, (hours * 60).rounded())))
            }
            return .object(members)
        },
    ]

    /// The payload in the newest version of its type, and that version.
    public static func upcast(_ eventType: String, version: Int, payload: JSONValue, to target: Int) -> (version: Int, payload: JSONValue) {
        var version = version
        var payload = payload
        while version < target, let step = all.first(where: { $0.eventType == eventType && $0.fromVersion == version }) {
            payload = step.convert(payload)
            version += 1
        }
        return (version, payload)
    }

    static func check(_ set: DefinitionSet) -> [String] {
        var problems: [String] = []
        for definition in set.all {
            guard let latest = set.latest(definition.eventType), latest.version > definition.version else { continue }
            for (index, example) in definition.examples.enumerated() {
                let (reached, converted) = upcast(definition.eventType, version: definition.version, payload: example, to: latest.version)
                if reached != latest.version {
                    problems.append("\(definition.file): falta el conversor de la versión \(reached) a la \(reached + 1)")
                    break
                }
                for problem in set.validate(converted, definition: latest).problems {
                    problems.append("\(definition.file) examples[\(index)] convertido a v\(latest.version): \(problem)")
                }
            }
        }
        return problems
    }
}
