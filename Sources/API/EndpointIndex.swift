import HTTPTypes

/// Which methods each documented path answers, for the answers HTTP clients expect when they use
/// another one: `405 Method Not Allowed` with `Allow`, and `OPTIONS` (204 with `Allow`). `HEAD` is
/// answered wherever `GET` is (the router generates it).
struct EndpointIndex: Sendable {
    private let templates: [(segments: [Substring], methods: Set<String>)]

    init(_ endpoints: [Endpoint]) {
        var byPath: [String: Set<String>] = [:]
        for endpoint in endpoints {
            byPath[endpoint.path, default: []].insert(endpoint.method.rawValue)
            if endpoint.method == .get { byPath[endpoint.path, default: []].insert("HEAD") }
        }
        templates = byPath.map { (path, methods) in (path.split(separator: "/", omittingEmptySubsequences: false), methods.union(["OPTIONS"])) }
    }

    /// The methods a concrete path answers (`/v1/expedientes/exp-1` matches `/v1/expedientes/{expediente}`),
    /// sorted; empty when no documented path matches.
    func allowed(_ path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        var methods: Set<String> = []
        for template in templates where template.segments.count == segments.count {
            let matches = zip(template.segments, segments).allSatisfy { pattern, segment in
                pattern.hasPrefix("{") && pattern.hasSuffix("}") ? !segment.isEmpty : pattern == segment
            }
            if matches { methods.formUnion(template.methods) }
        }
        return methods.sorted()
    }
}
