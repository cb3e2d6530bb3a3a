import CanonicalJSON
import HTTPTypes
import Hummingbird

/// One operation of the API: what the OpenAPI document says about it and the code that answers it.
///
/// The router and `/openapi.json` are both built from the same list of endpoints, so the contract
/// cannot describe a route that does not exist or miss one that does.
public struct Endpoint: Sendable {
    public enum Access: Sendable, Equatable {
        /// Anyone, without a token (health, the contract, public statistics).
        case open
        /// A valid bearer token; each handler then checks the caller's permission for the record.
        case authenticated
    }

    public struct Parameter: Sendable {
        public enum Location: String, Sendable { case path, query, header }
        public let name: String
        public let location: Location
        public let required: Bool
        public let description: String
        public let schema: JSONValue

        public init(_ name: String, in location: Location, required: Bool = false, description: String, schema: JSONValue = ["type": "string"]) {
            self.name = name
            self.location = location
            self.required = required || location == .path
            self.description = description
            self.schema = schema
        }
    }

    public struct Success: Sendable {
        public let status: Int
        public let description: String
        public let mediaType: String
        public let schema: JSONValue?
        /// Other media types the same answer may come in (a `formato` parameter), as text.
        public let alternatives: [String]
        /// Headers the answer carries (`ETag`, `Location`…), each an OpenAPI header object.
        public let headers: [String: JSONValue]

        public init(_ status: Int, _ description: String, mediaType: String = "application/json", schema: JSONValue? = nil, alternatives: [String] = [],
                    headers: [String: JSONValue] = [:]) {
            self.status = status
            self.description = description
            self.mediaType = mediaType
            self.schema = schema
            self.alternatives = alternatives
            self.headers = headers
        }
    }

    public let method: HTTPRequest.Method
    /// OpenAPI style: `/v1/flujos/{flujo}/registrar-atencion`.
    public let path: String
    public let operationId: String
    public let tag: String
    public let summary: String
    public let access: Access
    public let parameters: [Parameter]
    /// JSON Schema of the body (a `$ref` into components), nil when there is none.
    public let requestBody: JSONValue?
    public let successes: [Success]
    /// The error statuses this operation can answer, each with a problem+json body.
    public let errors: [Int]
    let handler: @Sendable (Request, APIContext) async throws -> Response

    public init(_ method: HTTPRequest.Method, _ path: String, operationId: String, tag: String, summary: String, access: Access,
                parameters: [Parameter] = [], requestBody: JSONValue? = nil, successes: [Success], errors: [Int],
                handler: @escaping @Sendable (Request, APIContext) async throws -> Response) {
        self.method = method
        self.path = path
        self.operationId = operationId
        self.tag = tag
        self.summary = summary
        self.access = access
        self.parameters = parameters
        self.requestBody = requestBody
        self.successes = successes
        self.errors = errors
        self.handler = handler
    }

    /// Every media type an answer of this operation can have (errors are problem+json).
    var mediaTypes: [String] {
        var types = successes.flatMap { [$0.mediaType] + $0.alternatives }
        for type in ["application/json", "application/problem+json"] where !types.contains(type) { types.append(type) }
        return types
    }

    /// Hummingbird's path syntax (`{flujo}` → `:flujo`).
    var routerPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : part
        }.joined(separator: "/")
    }
}
