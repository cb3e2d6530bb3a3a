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
        let curpShaped = text.range(of: "[A-Za-z]{4}[0-9]{6}[HMXhmx][A-Za-z]{5}", options: .regularExpression) != nil
        guard curpShaped || text.contains("@") else { return [] }
        return [Problem(path: path, code: "identificador-con-datos-personales",
                        message: "el identificador parece contener datos personales (una CURP o un correo); use un folio sin datos de la persona")]
    }

    /// Completed years between two dates.
    static func years(from birth: CalendarDate, to date: CalendarDate) -> Int {
        date.year - birth.year - ((date.month, date.day) < (birth.month, birth.day) ? 1 : 0)
    }
}
