import CanonicalJSON
import Catalog
import Definitions

/// The business rules a command must pass after its payload is valid against its definition and
/// the catalogues. Each rule reports with a stable code and a Spanish message; all are checked.
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

    /// Rules on the payload alone (no stream needed).
    static func payload(_ eventType: String, _ data: JSONValue) -> [Problem] {
        var problems: [Problem] = []
        // Corrections are checked on the data as it would stand (Rules.correction).
        if eventType == "VictimaRegistrada" {
            let birth = data["fechaDeNacimiento"]?.stringValue.flatMap(CalendarDate.init)
            // A CURP of the wrong shape is already a schema problem; the check digit is checked on well-formed ones.
            if let curp = data["curp"]?.stringValue, curp.count == 18, curp.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) {
                if !CURP.hasValidCheckDigit(curp) {
                    problems.append(Problem(path: "datos.curp", code: "curp-digito-verificador",
                        message: "la CURP no es válida: su dígito verificador (posición 18) no corresponde a los 17 caracteres anteriores"))
                } else if let birth, let encoded = CURP.birthDate(curp), encoded != birth {
                    problems.append(Problem(path: "datos.curp", code: "curp-fecha-de-nacimiento",
                        message: "la fecha de nacimiento que contiene la CURP (posiciones 5 a 10) no coincide con la fecha de nacimiento registrada"))
                }
            }
            let detection = data["fechaDeDeteccion"]?.stringValue.flatMap(CalendarDate.init)
            if let birth, let detection, birth > detection {
                problems.append(Problem(path: "datos.fechaDeNacimiento", code: "nacimiento-posterior-a-deteccion",
                    message: "la fecha de nacimiento es posterior a la de detección (\(detection))"))
            } else if let birth, let age = data["edad"]?.int64Value, let detection, age != Int64(years(from: birth, to: detection)) {
                let expected = years(from: birth, to: detection)
                problems.append(Problem(path: "datos.edad", code: "edad-inconsistente",
                    message: "la edad (\(age)) no corresponde a la fecha de nacimiento registrada: a la fecha de detección (\(detection)) "
                        + "la persona tenía \(expected) \(expected == 1 ? "año" : "años"); corrija la edad o la fecha de nacimiento, u omita la edad"))
            }
        }
        // A period must not end before it starts, whichever event carries it.
        for (start, end) in [("inicioDeLaExplotacion", "finDeLaExplotacion"), ("fechaDeInicio", "fechaDeConclusion"), ("fechaDeInicio", "fechaDeTermino")] {
            if let from = data[start]?.stringValue.flatMap(CalendarDate.init), let until = data[end]?.stringValue.flatMap(CalendarDate.init), until < from {
                problems.append(Problem(path: "datos.\(end)", code: "periodo-invertido", message: "termina (\(until)) antes de empezar (\(from), «\(start)»)"))
            }
        }
        if eventType == "AtencionOtorgada" || eventType == "MedidaDeProteccionDictada" {
            if let from = data["fecha"]?.stringValue.flatMap(CalendarDate.init),
               let until = data["vigenteHasta"]?.stringValue.flatMap(CalendarDate.init), until < from {
                problems.append(Problem(path: "datos.vigenteHasta", code: "vigencia-anterior", message: "la vigencia termina (\(until)) antes de empezar (\(from))"))
            }
        }
        return problems
    }

    /// A correction must leave the general data consistent: the registration's rules (age against
    /// birth date, CURP check digit and birth date, birth before detection) run on the data as it
    /// would stand, and are reported at the corrected fields.
    static func correction(_ data: JSONValue, _ corrected: JSONValue) -> [Problem] {
        let fields = Set((data["correcciones"]?.objectValue ?? []).map(\.key))
        guard !fields.isEmpty else { return [] }
        return payload("VictimaRegistrada", corrected).map { problem in
            let field = String(problem.path.dropFirst("datos.".count))
            let path = fields.contains(field) ? "datos.correcciones.\(field)" : "datos.correcciones"
            return Problem(path: path, code: problem.code, message: problem.message)
        }
    }

    /// The attention's classification must be the one its type belongs to in `tipos-de-atencion`.
    static func attentionClassification(_ data: JSONValue, catalogs: CatalogSet) -> [Problem] {
        guard let type = data["tipo"]?.stringValue, let classification = data["clasificacion"]?.stringValue,
              let expected = catalogs["tipos-de-atencion"]?.value(type)?.extra["clasificacion"]?.stringValue,
              expected != classification else { return [] }
        return [Problem(path: "datos.clasificacion", code: "clasificacion-no-corresponde",
                        message: "el tipo de atención «\(type)» se clasifica como «\(expected)», no como «\(classification)»")]
    }

    /// Rules that depend on the expediente's history.
    static func caseFile(_ eventType: String, _ data: JSONValue, _ state: CaseState, _ context: CommandContext, date: CalendarDate?,
                         dateField: String?) -> [Problem] {
        var problems: [Problem] = []
        func fail(_ path: String, _ code: String, _ message: String) { problems.append(Problem(path: path, code: code, message: message)) }
        let dateField = "datos.\(dateField ?? "fecha")"
        if let date, let registered = state.registeredOn, date < registered, eventType != "DatosGeneralesCorregidos" {
            fail(dateField, eventType == "AtencionOtorgada" ? "atencion-anterior-al-registro" : "fecha-anterior-al-registro",
                 "la fecha \(date) es anterior a la detección de la persona (\(registered))")
        }
        let blockedWhenClosed: Set<String> = ["AtencionOtorgada", "VictimizacionDocumentada", "CanalizacionSolicitada",
                                              "CanalizacionAceptada", "MedidaDeProteccionDictada", "CasoCerrado"]
        if state.isClosed && blockedWhenClosed.contains(eventType) {
            fail("flujo", eventType == "CasoCerrado" ? "caso-ya-cerrado" : "caso-cerrado",
                 eventType == "CasoCerrado" ? "el caso ya está cerrado" : "el caso está cerrado: reábralo (reabrir-caso) antes de registrar")
        }
        switch eventType {
        case "CasoReabierto" where !state.isClosed:
            fail("flujo", "caso-no-cerrado", "el caso no está cerrado")
        case "CanalizacionSolicitada":
            let folio = data["folio"]?.stringValue ?? ""
            if state.referrals[folio] != nil { fail("datos.folio", "folio-repetido", "ya existe una canalización con el folio «\(folio)» en este caso") }
            if let destination = data["institucionDestino"]?.stringValue, destination == context.institutionId {
                fail("datos.institucionDestino", "canalizacion-misma-institucion", "la canalización debe dirigirse a otra institución, no a la que la solicita")
            }
        case "CanalizacionAceptada", "CanalizacionRechazada":
            let folio = data["folio"]?.stringValue ?? ""
            if let referral = state.referrals[folio] {
                if referral.status != .pending { fail("datos.folio", "canalizacion-ya-resuelta", "la canalización «\(folio)» ya fue aceptada o rechazada") }
                if referral.destination != context.institutionId {
                    fail("datos.folio", "institucion-no-destinataria", "solo la institución destinataria (\(referral.destination)) puede responder la canalización «\(folio)»")
                }
            } else {
                fail("datos.folio", "canalizacion-inexistente", "no hay una canalización con el folio «\(folio)» en este caso")
            }
        case "RegistroValidado":
            if let institution = state.registeringInstitution, institution != context.institutionId {
                fail("flujo", "institucion-no-registradora", "solo la institución que registró el caso (\(institution)) puede validarlo")
            }
        case "DatosPersonalesBorrados" where state.isErased:
            fail("flujo", "datos-ya-borrados", "los datos personales de este caso ya fueron borrados")
        default: break
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
