import CanonicalJSON
import Definitions
import Hummingbird
import NIOCore

/// Request bodies: read up to the limit (413 past it) and parsed by the strict JSON parser
/// (duplicate keys, lone surrogates and non-finite numbers are 400, never silently accepted).
enum Body {
    static let tooLarge = APIProblem(.contentTooLarge, title: "Cuerpo demasiado grande",
                                     detail: "El cuerpo excede \(APILimits.maxBodyBytes / 1024) KiB.")

    static func json(_ request: Request) async throws -> JSONValue {
        try ContentNegotiation.requireJSONBody(request)
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: APILimits.maxBodyBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
        let bytes = buffer.readableBytesView
        guard !bytes.isEmpty else { throw APIProblem.malformed("se esperaba un cuerpo JSON", path: "cuerpo") }
        do {
            return try CanonicalJSON.parse(bytes)
        } catch {
            throw APIProblem.malformed("el cuerpo no es JSON válido: \(error.message)", path: "cuerpo")
        }
    }
}
