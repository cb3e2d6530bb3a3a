import CanonicalJSON
import Definitions
import Privacy

/// A case's general data (who the person is, where they were detected) as it stands after every
/// correction. Both the command path (a correction is checked on the data as it would stand) and
/// the case-file reader (the case page shows it) need it, so it lives below both.
public enum GeneralData {
    /// The registration with every correction applied, personal fields decrypted when `key` is
    /// given (null otherwise).
    public static func current(_ history: StreamHistory, subject: String, key: [UInt8]?) -> JSONValue {
        var current: JSONValue = .object([])
        for entry in history.entries {
            let fields: JSONValue?
            switch EventType(rawValue: entry.eventType) {
            case .victimaRegistrada: fields = entry.payload
            case .datosGeneralesCorregidos: fields = entry.payload["correcciones"]
            default: fields = nil
            }
            if let fields { current = merging(current, PersonalDataCipher.decrypt(fields, subject: subject, key: key).payload) }
        }
        return current
    }

    /// `base` with each member of `changes` replacing or adding its key.
    public static func merging(_ base: JSONValue, _ changes: JSONValue) -> JSONValue {
        var members = base.objectValue ?? []
        for member in changes.objectValue ?? [] {
            if let index = members.firstIndex(where: { $0.key == member.key }) { members[index] = member } else { members.append(member) }
        }
        return .object(members)
    }

    /// The parts of the person's name in general data (`nombre`, `primerApellido`,
    /// `segundoApellido` of VictimaRegistrada), those present: what the name-token index is made of.
    public static func nameParts(_ data: JSONValue) -> [String] {
        ["nombre", "primerApellido", "segundoApellido"].compactMap { data[$0]?.stringValue }
    }
}
