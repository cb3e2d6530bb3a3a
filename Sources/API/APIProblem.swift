import CanonicalJSON
import Definitions
import HTTPTypes
import Hummingbird
import NIOCore

/// An RFC 9457 `application/problem+json` answer, in Spanish, with the field path of every problem.
///
/// Every error the API returns is one of these: a client's mistake gets its 4xx with what to fix,
/// never a 500. `ProblemMiddleware` turns anything else into one, so no handler builds error bodies.
public struct APIProblem: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    /// Short, stable Spanish title for the kind of problem.
    public let title: String
    public let detail: String
    /// Each problem with its field path (`datos.ruta.destino.municipio`), stable code and Spanish message.
    public let problems: [Problem]
    public var headers: HTTPFields = [:]
    /// Extra members (`versionActual` for a 409, for instance).
    public var extra: [JSONMember] = []

    public init(_ status: HTTPResponse.Status, title: String, detail: String, problems: [Problem] = []) {
        self.status = status
        self.title = title
        self.detail = detail
        self.problems = problems
    }

    public var json: JSONValue {
        var members: [JSONMember] = [
            .init(key: "type", value: .string(ProblemType.uri(title: title))),
            .init(key: "title", value: .string(title)),
            .init(key: "status", value: .number(Double(status.code))),
            .init(key: "detail", value: .string(detail)),
        ]
        if !problems.isEmpty {
            members.append(.init(key: "problemas", value: .array(problems.map { problem in
                ["ruta": .string(problem.path), "codigo": .string(problem.code), "mensaje": .string(problem.message)]
            })))
        }
        return .object(members + extra)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/problem+json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: CanonicalJSON.serialize(json))))
    }
}

extension APIProblem {
    static func malformed(_ detail: String, path: String = "") -> APIProblem {
        APIProblem(.badRequest, title: "Solicitud mal formada", detail: detail,
                   problems: [Problem(path: path, code: "solicitud-mal-formada", message: detail)])
    }

    static func malformed(_ detail: String, problems: [Problem]) -> APIProblem {
        APIProblem(.badRequest, title: "Solicitud mal formada", detail: detail, problems: problems)
    }

    static func invalid(_ problems: [Problem]) -> APIProblem {
        APIProblem(.unprocessableContent, title: "Datos no válidos",
                   detail: "La solicitud tiene \(problems.count) problema(s); corríjalos todos y vuelva a enviarla. No se registró nada.", problems: problems)
    }

    static let unauthenticated: APIProblem = {
        var problem = APIProblem(.unauthorized, title: "Sin autenticación", detail: "Inicie sesión y envíe el token en «Authorization: Bearer …».")
        problem.headers[.wwwAuthenticate] = "Bearer realm=\"sintra\""
        return problem
    }()

    static func forbidden(_ detail: String) -> APIProblem {
        APIProblem(.forbidden, title: "Sin permiso", detail: detail)
    }

    static func notFound(_ detail: String) -> APIProblem {
        APIProblem(.notFound, title: "No encontrado", detail: detail)
    }

    static func unavailable(_ detail: String, retryAfterSeconds: Int = 5) -> APIProblem {
        var problem = APIProblem(.serviceUnavailable, title: "Servicio no disponible", detail: detail)
        problem.headers[.retryAfter] = String(retryAfterSeconds)
        return problem
    }
}
