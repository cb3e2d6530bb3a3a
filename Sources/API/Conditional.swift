import CanonicalJSON
import Cryptography
import HTTPTypes
import Hummingbird
import NIOCore

/// Answers that do not change between requests (catalogues, definitions, a published release) carry a
/// strong `ETag` (the SHA-256 of the body): a client that sends it back in `If-None-Match` gets `304`
/// and no body.
enum Conditional {
    static func etag(_ bytes: [UInt8]) -> String {
        "\"" + Hex.encode(SHA256.hash(bytes)).prefix(32) + "\""
    }

    static func response(_ request: Request, bytes: [UInt8], contentType: String, cacheControl: String) -> Response {
        let tag = etag(bytes)
        var headers: HTTPFields = [.eTag: tag, .cacheControl: cacheControl]
        if let sent = request.headers[.ifNoneMatch], EntityTag.matches(sent, tag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func json(_ request: Request, _ value: JSONValue, cacheControl: String = "public, max-age=3600") -> Response {
        response(request, bytes: CanonicalJSON.serialize(value), contentType: "application/json; charset=utf-8", cacheControl: cacheControl)
    }

    /// The `ETag` header as the contract declares it.
    static let header: JSONValue = ["description": "Etiqueta de la versión de la respuesta; envíela en If-None-Match para recibir 304 si no cambió.",
                                    "schema": ["type": "string"]]
}
