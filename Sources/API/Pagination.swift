import CanonicalJSON
import HTTPTypes
import Hummingbird

/// Keyset pages announce the next one as HTTP clients expect: `Link: <…?despuesDe=N>; rel="next"`,
/// the same query with the cursor of the page's last item (the body's «siguiente» holds it too).
enum Pagination {
    static func link(_ request: Request, next: Int64?) -> String? {
        guard let next else { return nil }
        var parts = request.uri.queryParameters.filter { $0.key != "despuesDe" }.map { "\($0.key)=\($0.value)" }
        parts.append("despuesDe=\(next)")
        return "<\(request.uri.path)?\(parts.joined(separator: "&"))>; rel=\"next\""
    }

    /// The JSON body with the `Link` header of its next page.
    static func json(_ request: Request, _ body: JSONValue, next: Int64?) -> Response {
        var response = SystemEndpoints.json(body)
        if let link = link(request, next: next) { response.headers[HTTPField.Name("Link")!] = link }
        return response
    }

    static let header: JSONValue = ["description": "La página siguiente (rel=\"next\"), cuando la hay.", "schema": ["type": "string"]]
}
