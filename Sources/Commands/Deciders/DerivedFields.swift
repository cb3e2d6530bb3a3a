import CanonicalJSON
import Catalog

/// Fields the command path adds to what was sent, before the event is written.
///
/// The birth date is personal and is encrypted in the log, so the age tables (public statistics,
/// case files), which read only clear fields, can count a person by age only if the event itself
/// carries the age. When a birth date comes without an age, the age at the detection date is
/// derived and recorded with it.
extension CaseFileDecider {
    /// A registration with a birth date and no age gets the age at its detection date.
    static func withDerivedFields(_ data: JSONValue) -> JSONValue {
        guard case .object(var members) = data, data["edad"] == nil,
              let age = ageAtDetection(data) else { return data }
        members.append(JSONMember(key: "edad", value: .number(Double(age))))
        return .object(members)
    }

    /// A correction of the birth date without an age corrects the age too, at the detection date of
    /// the case as it would stand (`corrected`), so a derived age never contradicts a new birth date.
    static func withDerivedCorrection(_ data: JSONValue, corrected: JSONValue) -> JSONValue {
        guard case .object(let fixes)? = data["correcciones"], fixes.contains(where: { $0.key == "fechaDeNacimiento" }),
              !fixes.contains(where: { $0.key == "edad" }), case .object(let members) = data,
              let age = ageAtDetection(corrected) else { return data }
        let withAge = JSONValue.object(fixes + [JSONMember(key: "edad", value: .number(Double(age)))])
        return .object(members.map { $0.key == "correcciones" ? JSONMember(key: $0.key, value: withAge) : $0 })
    }

    /// What a retried command would have recorded, to compare with what was recorded: a correction's
    /// derived age depended on the case at the time, so it is taken from the recorded event.
    static func withRecordedAge(_ sent: JSONValue, stored: JSONValue) -> JSONValue {
        guard let age = stored["correcciones"]?["edad"],
              case .object(let fixes)? = sent["correcciones"], fixes.contains(where: { $0.key == "fechaDeNacimiento" }),
              !fixes.contains(where: { $0.key == "edad" }), case .object(let members) = sent else { return sent }
        let withAge = JSONValue.object(fixes + [JSONMember(key: "edad", value: age)])
        return .object(members.map { $0.key == "correcciones" ? JSONMember(key: $0.key, value: withAge) : $0 })
    }

    /// Completed years at detection, when both dates are valid and in order.
    private static func ageAtDetection(_ data: JSONValue) -> Int? {
        guard let birth = data["fechaDeNacimiento"]?.stringValue.flatMap(CalendarDate.init),
              let detection = data["fechaDeDeteccion"]?.stringValue.flatMap(CalendarDate.init), birth <= detection else { return nil }
        return Rules.years(from: birth, to: detection)
    }
}
