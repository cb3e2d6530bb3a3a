import API
import Foundation
import Hummingbird

/// A form sent as `multipart/form-data` (a file chosen with `<input type="file">`, no script needed):
/// each part becomes a value under its field's name — a small text file's contents, as text. Only
/// what an auditor uploads here (a checkpoint, a public key: a few hundred bytes) goes this way.
enum UploadedForm {
    static let maximumBytes = 64 * 1024

    static func read(_ request: Request) async throws -> FormValues {
        let type = request.headers[.contentType] ?? ""
        guard type.lowercased().hasPrefix("multipart/form-data") else { return try await FormValues.read(request) }
        guard let boundary = type.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
            .first(where: { $0.lowercased().hasPrefix("boundary=") })?.dropFirst("boundary=".count)
            .trimmingCharacters(in: CharacterSet(charactersIn: "\"")), !boundary.isEmpty else {
            throw WebError.badRequest("El formulario no se pudo leer (falta el separador de sus partes).")
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maximumBytes) } catch {
            throw WebError.badRequest("Los archivos son demasiado grandes: un punto de control o una llave pública ocupan menos de 1 KB.")
        }
        return parse(Array(buffer.readableBytesView), boundary: boundary)
    }

    static func parse(_ body: [UInt8], boundary: String) -> FormValues {
        let delimiter = Array(("--" + boundary).utf8), headerEnd = Array("\r\n\r\n".utf8)
        var values = FormValues()
        var parts: [ArraySlice<UInt8>] = []
        var start: Int?
        var index = 0
        while let found = find(delimiter, in: body, from: index) {
            if let begin = start { parts.append(body[begin..<max(begin, found - 2)]) }  // without the CRLF before the delimiter
            start = found + delimiter.count + 2
            index = found + delimiter.count
        }
        for part in parts {
            guard let split = find(headerEnd, in: Array(part), from: 0) else { continue }
            let bytes = Array(part)
            let headers = String(decoding: bytes[..<split], as: UTF8.self)
            guard let name = headers.firstMatch(of: /name="([^"]*)"/)?.output.1 else { continue }
            values.set(String(name), String(decoding: bytes[(split + headerEnd.count)...], as: UTF8.self))
        }
        return values
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0] && Array(haystack[index..<index + needle.count]) == needle { return index }
            index += 1
        }
        return nil
    }
}

extension WebInterface {
    /// A POST of a logged-in person that may carry files: its CSRF token must be the session's.
    func signedInUpload(_ request: Request, _ context: APIContext,
                        _ body: (FormValues, WebSession) async throws -> Response) async -> Response {
        await signedIn(request, context) { request, session in
            let values = try await UploadedForm.read(request)
            guard let token = values.first("_csrf"), session.csrf.constantTimeEquals(token) else { throw WebError.staleSession }
            return try await body(values, session)
        }
    }
}
