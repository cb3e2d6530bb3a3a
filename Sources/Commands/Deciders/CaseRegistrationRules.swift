import CanonicalJSON
import Catalog
import Definitions

/// The rules on a registration's general data alone: the CURP against its check digit and the
/// birth date, the age against the birth date, birth before detection. A correction runs the same
/// rules on the data as it would stand (`correctionProblems`).
extension CaseFileDecider {
    static func registrationProblems(_ data: JSONValue) -> [Problem] {
        var problems: [Problem] = []
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
        } else if let birth, let age = data["edad"]?.int64Value, let detection, age != Int64(Rules.years(from: birth, to: detection)) {
            let expected = Rules.years(from: birth, to: detection)
            problems.append(Problem(path: "datos.edad", code: "edad-inconsistente",
                message: "la edad (\(age)) no corresponde a la fecha de nacimiento registrada: a la fecha de detección (\(detection)) "
                    + "la persona tenía \(expected) \(expected == 1 ? "año" : "años"); corrija la edad o la fecha de nacimiento, u omita la edad"))
        }
        return problems
    }

    /// A correction must leave the general data consistent: the registration's rules run on the data
    /// as it would stand (`corrected`), and are reported at the corrected fields.
    static func correctionProblems(_ data: JSONValue, _ corrected: JSONValue) -> [Problem] {
        let fields = Set((data["correcciones"]?.objectValue ?? []).map(\.key))
        guard !fields.isEmpty else { return [] }
        return registrationProblems(corrected).map { problem in
            let field = String(problem.path.dropFirst("datos.".count))
            let path = fields.contains(field) ? "datos.correcciones.\(field)" : "datos.correcciones"
            return Problem(path: path, code: problem.code, message: problem.message)
        }
    }
}
