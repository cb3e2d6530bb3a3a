import Foundation
import CompressNIO
import HTTPTypes
import Hummingbird
import NIOCore

/// Compresses text answers (JSON, CSV, the annex in Markdown or HTML, the web pages) with gzip for a
/// client that sends `Accept-Encoding: gzip`: the statistics, the annex and the case lists are
/// mostly repeated keys and digits and shrink several times over.
///
/// Only whole bodies of a known length are compressed (every JSON answer is one buffer); a streamed
/// body passes untouched. The `ETag` of a compressed answer gets a `-gzip` suffix, because a strong
/// tag names one exact sequence of bytes; `EntityTag.matches` treats both forms as the same version.
struct CompressionMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Below this, gzip's header and the CPU cost more than the bytes saved.
    static var minimumBytes: Int { 1_024 }
    static var maximumBytes: Int { 64 << 20 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard response.headers[.contentEncoding] == nil,
              let length = response.body.contentLength, length >= Self.minimumBytes, length <= Self.maximumBytes,
              let type = response.headers[.contentType], Self.isText(type) else { return response }
        // The answer depends on Accept-Encoding whether or not this client asked for gzip: a cache must know.
        response.headers[.vary] = response.headers[.vary].map { $0 + ", Accept-Encoding" } ?? "Accept-Encoding"
        guard Self.acceptsGzip(request.headers[.acceptEncoding]) else { return response }
        let collector = BodyCollector()
        try await response.body.write(collector)
        var plain = collector.buffer
        let compressed = try plain.compress(with: .gzip)
        response.body = ResponseBody(byteBuffer: compressed)
        response.headers[.contentEncoding] = "gzip"
        response.headers[.contentLength] = nil
        if let tag = response.headers[.eTag] { response.headers[.eTag] = EntityTag.compressed(tag) }
        return response
    }

    /// `gzip` (or `*`) listed without `q=0`.
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { item in
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, coding == "gzip" || coding == "*" else { return false }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0
        }
    }

    static func isText(_ contentType: String) -> Bool {
        let type = contentType.lowercased()
        return type.hasPrefix("application/json") || type.hasPrefix("application/problem+json") || type.hasPrefix("text/")
    }
}

/// Entity tags as the API writes them: `"<version or hash>"`, with `-datos-personales` when a case
/// was read with its personal data opened and `-gzip` when the answer was compressed.
enum EntityTag {
    static func compressed(_ tag: String) -> String {
        tag.hasSuffix("\"") ? String(tag.dropLast()) + "-gzip\"" : tag + "-gzip"
    }

    /// The tag without quotes, weakness or the compression suffix: what names the version.
    static func core(_ tag: String) -> String {
        var value = tag.trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("W/") { value.removeFirst(2) }
        value = value.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        if value.hasSuffix("-gzip") { value.removeLast(5) }
        return value
    }

    /// Whether an `If-None-Match` list names `tag` (in any of its encodings), or is `*`.
    static func matches(_ list: String, _ tag: String) -> Bool {
        list.split(separator: ",").contains { item in
            let sent = item.trimmingCharacters(in: .whitespaces)
            return sent == "*" || core(sent) == core(tag)
        }
    }
}

/// Gathers a body's buffers; a class so that the writer consumed by `ResponseBody.write` leaves them behind.
private final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    var buffer = ByteBuffer()
    func write(_ buffer: ByteBuffer) async throws {
        var copy = buffer
        self.buffer.writeBuffer(&copy)
    }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
