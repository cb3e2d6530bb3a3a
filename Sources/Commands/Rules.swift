import CanonicalJSON
import Catalog
import Definitions

/// The business rules every command passes, whatever its stream (the rules of one kind of stream
/// are in its decider, `Deciders/`). Each rule reports with a stable code and a Spanish message;
/// all are checked.
enum Rules {
    /// The day the Ley General para Prevenir, Sancionar y Erradicar los Delitos en Materia de Trata de Personas
    /// was published (DOF 14-06-2012): SINTRA records start there unless a historical load is declared.
    static let lawDate = CalendarDate("2012-06-14")!

    static func eventDate(_ date: CalendarDate?, field: String?, command: Command, today: CalendarDate) -> [Problem] {
        guard let date, let field else { return [] }
        var problems: [Problem] = []
        if date > today {
            problems.append(Problem(path: "datos.\(field)", code: "fecha-futura", message: "la fecha \(date) es posterior a hoy (\(today))"))
        }
        if date < lawDate && !command.historicalLoad {
            problems.append(Problem(path: "datos.\(field)", code: "fecha-anterior-a-la-ley",
                message: "la fecha \(date) es anterior a la Ley General (14-06-2012); si es una carga histórica, indíquelo con «cargaHistorica»: true"))
        }
        return problems
    }

    /// Rules on the payload alone that hold for every event: a period must not end before it
    /// starts, whichever event carries it. (Rules of one kind of stream are in its decider.)
    static func periods(_ data: JSONValue) -> [Problem] {
        var problems: [Problem] = []
        for (start, end) in [("inicioDeLaExplotacion", "finDeLaExplotacion"), ("fechaDeInicio", "fechaDeConclusion"), ("fechaDeInicio", "fechaDeTermino")] {
            if let from = data[start]?.stringValue.flatMap(CalendarDate.init), let until = data[end]?.stringValue.flatMap(CalendarDate.init), until < from {
                problems.append(Problem(path: "datos.\(end)", code: "periodo-invertido", message: "termina (\(until)) antes de empezar (\(from), «\(start)»)"))
            }
        }
        // A validity (an attention's, a protection measure's) must not end before its date.
        if let from = data["fecha"]?.stringValue.flatMap(CalendarDate.init),
           let until = data["vigenteHasta"]?.stringValue.flatMap(CalendarDate.init), until < from {
            problems.append(Problem(path: "datos.vigenteHasta", code: "vigencia-anterior", message: "la vigencia termina (\(until)) antes de empezar (\(from))"))
        }
        return problems
    }

    /// Identifiers (stream ids, idempotency keys) are stored in clear and outlive an erasure, so they
    /// must not carry personal data. A CURP or an e-mail address inside one is refused.
    static func identifierProblems(_ text: String, path: String) -> [Problem] {
        guard containsCURPShape(text) || text.contains("@") else { return [] }
        return [Problem(path: path, code: "identificador-con-datos-personales",
                        message: "el identificador parece contener datos personales (una CURP o un correo); use un folio sin datos de la persona")]
    }

    /// Whether `text` contains four letters, six digits, H, M or X, and five letters (a CURP's
    /// shape, in either case). A scan of the bytes: Foundation's regular expressions compiled the
    /// pattern again on every command and took a tenth of the command path's time.
    static func containsCURPShape(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 16 else { return false }
        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        func isSex(_ byte: UInt8) -> Bool { [UInt8(ascii: "h"), UInt8(ascii: "m"), UInt8(ascii: "x")].contains(byte | 0x20) && isLetter(byte) }
        return (0...(bytes.count - 16)).contains { start in
            (0..<4).allSatisfy { isLetter(bytes[start + $0]) } && (4..<10).allSatisfy { isDigit(bytes[start + $0]) }
                && isSex(bytes[start + 10]) && (11..<16).allSatisfy { isLetter(bytes[start + $0]) }
        }
    }

    /// Completed years between two dates.
    static func years(from birth: CalendarDate, to date: CalendarDate) -> Int {
        date.year - birth.year - ((date.month, date.day) < (birth.month, birth.day) ? 1 : 0)
    }
}
