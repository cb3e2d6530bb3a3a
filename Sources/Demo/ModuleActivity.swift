import CanonicalJSON
import Catalog
import Definitions

/// The other modules' activity, made from each definition's own examples (which are valid and
/// realistic by construction): every example is re-dated into each year 2019–2024, its recording
/// institution varied among the CI members, and its references pointed at streams the demo created.
enum ModuleActivity {
    static let members = ["SEGOB", "SRE", "SSPC", "STPS", "SSA", "BIENESTAR", "SEP", "SECTUR", "SNDIF", "CEAV", "INMUJERES", "INM", "FGR", "SICT"]

    /// The definitions to replay, streams first, and among those the ones others refer to first.
    static func ordered(_ definitions: DefinitionSet) -> [EventDefinition] {
        definitions.current
            .filter { !["atencion-a-victimas", "sistema"].contains($0.module) }
            .sorted { rank($0) < rank($1) || (rank($0) == rank($1) && $0.eventType < $1.eventType) }
    }

    private static func rank(_ definition: EventDefinition) -> Int {
        let refersToOthers = definition.examples.contains { example in
            (example.objectValue ?? []).contains { $0.value.stringValue?.range(of: "^[a-z][a-z0-9_]*-", options: .regularExpression) != nil }
        }
        return (definition.startsStream ? 0 : 2) + (refersToOthers ? 1 : 0)
    }

    /// `example` moved to a date in `year`: every `format: date` value shifted by the same number
    /// of days (so start/end pairs keep their order), `anio` set to the year.
    static func redate(_ example: JSONValue, _ definition: EventDefinition, year: Int, lastDay: CalendarDate,
                       random: inout SeededRandom) -> JSONValue? {
        let start = CalendarDate("\(year)-01-01")!.dayNumber
        let end = min(CalendarDate("\(year)-12-31")!.dayNumber, lastDay.dayNumber)
        guard start <= end else { return nil }
        return redate(example, definition, to: CalendarDate(dayNumber: random.int(start...end)))
    }

    /// `example` with its event date moved to `target` and every other date by the same amount.
    static func redate(_ example: JSONValue, _ definition: EventDefinition, to target: CalendarDate) -> JSONValue? {
        guard let field = definition.dateField, let original = example[field]?.stringValue.flatMap(CalendarDate.init) else { return example }
        let shift = target.dayNumber - original.dayNumber
        let year = target.year
        func walk(_ node: JSONValue, _ key: String?) -> JSONValue {
            switch node {
            case .string(let text):
                if let date = CalendarDate(text), text.count == 10 { return .string(date.adding(days: shift).description) }
                return node
            case .number(let value) where key == "anio" || key == "anioDelInforme":
                return .number(value + Double(year - original.year))
            case .object(let members): return .object(members.map { JSONMember(key: $0.key, value: walk($0.value, $0.key)) })
            case .array(let elements): return .array(elements.map { walk($0, key) })
            default: return node
            }
        }
        return walk(example, nil)
    }

    /// Points every reference-looking string (`sesion_cies-…`) at a stream the demo created of that
    /// category. Catalogue codes that happen to look alike (`convenio-marco`) are left alone.
    static func retarget(_ data: JSONValue, catalogPaths: Set<String>, created: [String: [String]], random: inout SeededRandom) -> JSONValue {
        func walk(_ node: JSONValue, _ path: String) -> JSONValue {
            switch node {
            case .string(let text):
                guard !catalogPaths.contains(path), let dash = text.firstIndex(of: "-"),
                      text.range(of: "^[a-z][a-z0-9_]*-[A-Za-z0-9_.:-]+$", options: .regularExpression) != nil,
                      let candidates = created[String(text[..<dash])], !candidates.isEmpty else { return node }
                return .string(random.pick(candidates))
            case .object(let members): return .object(members.map { JSONMember(key: $0.key, value: walk($0.value, FieldPath.join(path, $0.key))) })
            case .array(let elements): return .array(elements.enumerated().map { walk($1, FieldPath.index(path, $0)) })
            default: return node
            }
        }
        return walk(data, "")
    }
}
