import HTTPTypes
import Hummingbird

/// What a request body and an `Accept` header may be: a JSON body is `application/json` (or a
/// `+json` type), else 415; an `Accept` that none of the operation's answers satisfies is 406.
enum ContentNegotiation {
    /// Throws 415 when the body is declared as something other than JSON (no declaration is taken as JSON).
    static func requireJSONBody(_ request: Request) throws {
        guard let declared = request.headers[.contentType] else { return }
        let type = declared.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json")) else {
            throw APIProblem(.unsupportedMediaType, title: "Tipo de contenido no admitido",
                             detail: "El cuerpo debe ser JSON (Content-Type: application/json); llegó «\(type)».")
        }
    }

    /// Whether an `Accept` header admits one of `offered` (media types without parameters). No header admits anything.
    static func accepts(_ accept: String?, offered: [String]) -> Bool {
        guard let accept, !accept.trimmingCharacters(in: .whitespaces).isEmpty else { return true }
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let wanted = parts.first, !wanted.isEmpty else { continue }
            if parts.dropFirst().contains(where: { $0.replacingOccurrences(of: " ", with: "") == "q=0" || $0.hasPrefix("q=0.0") && Double($0.dropFirst(2)) == 0 }) { continue }
            if wanted == "*/*" { return true }
            for type in offered.map({ $0.lowercased() }) {
                if wanted == type { return true }
                if wanted.hasSuffix("/*"), type.hasPrefix(wanted.dropLast()) { return true }
            }
        }
        return false
    }

    /// 406, naming what the operation can answer.
    static func notAcceptable(_ offered: [String]) -> APIProblem {
        APIProblem(.notAcceptable, title: "Formato no disponible",
                   detail: "Esta operación responde en \(offered.joined(separator: ", ")); ajuste el encabezado Accept.")
    }
}
