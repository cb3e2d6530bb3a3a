/// Why a text was refused, precise enough to be shown to whoever sent it.
///
/// The message is in Spanish because it reaches the application's users (through the append
/// API's input problems); `offset` and `path` let them find the spot in a large payload.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset in the input (UTF-8) where the problem was found.
    public var offset: Int
    /// JSON Pointer (RFC 6901) of the value where the problem is; "" for the root.
    public var path: String
    /// What is wrong, in Spanish, e.g. "clave duplicada «nombre»".
    public var message: String

    public init(offset: Int, path: String, message: String) {
        self.offset = offset
        self.path = path
        self.message = message
    }

    public var description: String {
        path.isEmpty ? "\(message) (byte \(offset))" : "\(message) (byte \(offset), en \(path))"
    }

    /// The same error seen from the enclosing container: errors are thrown with a path relative
    /// to the value being parsed, and each container prepends its own token while unwinding,
    /// which costs nothing on the (hot) success path.
    func inside(_ token: String) -> JSONParseError {
        JSONParseError(offset: offset, path: "/" + token + path, message: message)
    }
}
