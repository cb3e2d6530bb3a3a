/// One thing wrong with a command or a payload, as a public servant reads it.
///
/// `path` names the field (`datos.ruta.transito[1].municipio`), `code` is stable so programs can
/// react to it (`requerido`, `catalogo-codigo-no-vigente`, `caso-cerrado`…), and `message` is
/// Spanish. Every check collects all its problems before anything is written.
public struct Problem: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var path: String
    public var code: String
    public var message: String

    public init(path: String, code: String, message: String) {
        self.path = path
        self.code = code
        self.message = message
    }

    public var description: String { "\(path.isEmpty ? "(raíz)" : path): \(message) [\(code)]" }

    /// The same problem under a parent path (`sexo` → `datos.sexo`).
    public func prefixed(_ prefix: String) -> Problem {
        Problem(path: FieldPath.join(prefix, path), code: code, message: message)
    }
}
