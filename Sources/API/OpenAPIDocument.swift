import CanonicalJSON
import Definitions
import Foundation

/// The OpenAPI 3.1 contract, built from the endpoints and the event definitions.
///
/// Request schemas are the definitions in `events/` themselves: OpenAPI 3.1 embeds JSON Schema
/// 2020-12, so each current definition becomes `components/schemas/<Tipo>.v<N>`, with the shared
/// pieces lifted to components of their own (`OpenAPIComponents`: `comun.json#/$defs/fecha` →
/// `#/components/schemas/comun.fecha`) so that client generators follow every reference.
/// `sintra definitions openapi --write` keeps `events/openapi.json` equal to it; a test checks.
public enum OpenAPIDocument {
    /// A recorded publication, as the publishing endpoints answer it.
    static let publicationSchema: JSONValue = [
        "type": "object",
        "required": ["publicacion", "posicion", "tipo", "anios", "posicionDelRegistro", "huella", "institucion", "fecha"],
        "properties": [
            "publicacion": ["type": "string", "description": "Flujo de la publicación (publicacion-…)."],
            "posicion": ["type": "integer", "description": "Posición del evento PublicacionRealizada."],
            "tipo": ["type": "string", "enum": ["anexo-de-indicadores", "estadisticas-publicas"]],
            "anios": ["type": "array", "items": ["type": "integer"]],
            "posicionDelRegistro": ["type": "integer", "description": "Hasta qué posición del registro se calculó."],
            "huella": ["type": "string", "description": "SHA-256 (hex) del documento publicado."],
            "umbral": ["type": ["integer", "null"], "description": "Umbral de supresión (estadísticas)."],
            "cifras": ["type": "integer", "description": "Cifras publicadas (anexo)."],
            "institucion": ["type": "string"], "fecha": ["type": "string", "format": "date"],
        ],
    ]

    public static func build(endpoints: [Endpoint], definitions: DefinitionSet) -> JSONValue {
        var schemas = OpenAPIComponents(definitions: definitions).schemas(current: definitions.current)
        schemas.append(.init(key: "Problema", value: problemSchema))
        schemas.append(.init(key: "ResultadoDeComando", value: commandResultSchema))
        schemas.append(.init(key: "Publicacion", value: publicationSchema))
        schemas += CatalogEndpoints.schemas
        schemas += ResponseSchemas.all
        schemas += ResponseSchemas.operations
        var paths: [String: [JSONMember]] = [:]
        for endpoint in endpoints {
            paths[endpoint.path, default: []].append(.init(key: endpoint.method.rawValue.lowercased(), value: operation(endpoint)))
        }
        return .object([
            .init(key: "openapi", value: "3.1.0"),
            .init(key: "info", value: [
                "title": "SINTRA — Sistema Nacional de Información en materia de Trata de Personas",
                "version": "1.0.0",
                "description": .string("""
                    API de acceso restringido de SINTRA. Cada escritura es un comando que se vuelve un evento inmutable; \
                    los esquemas de cada comando son las definiciones de eventos del repositorio (events/). Errores en \
                    application/problem+json (RFC 9457) con la ruta de cada problema.
                    """),
            ]),
            .init(key: "servers", value: [["url": "/"]]),
            .init(key: "paths", value: .object(paths.keys.sorted().map { .init(key: $0, value: .object(paths[$0]!)) })),
            .init(key: "components", value: .object([
                .init(key: "schemas", value: .object(schemas)),
                .init(key: "headers", value: .object(ResponseHeaders.components)),
                .init(key: "securitySchemes", value: ["bearer": ["type": "http", "scheme": "bearer", "description": "Token opaco de POST /v1/sesiones."]]),
            ])),
        ])
    }

    /// Pretty, key-sorted JSON: what `events/openapi.json` holds.
    public static func text(_ document: JSONValue) -> String {
        let data = Data(CanonicalJSON.serialize(document))
        guard let object = try? JSONSerialization.jsonObject(with: data),
              let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else {
            return String(decoding: data, as: UTF8.self)
        }
        return String(decoding: pretty, as: UTF8.self) + "\n"
    }

    static func operation(_ endpoint: Endpoint) -> JSONValue {
        var members: [JSONMember] = [
            .init(key: "operationId", value: .string(endpoint.operationId)),
            .init(key: "tags", value: [.string(endpoint.tag)]),
            .init(key: "summary", value: .string(endpoint.summary)),
        ]
        if !endpoint.parameters.isEmpty {
            members.append(.init(key: "parameters", value: .array(endpoint.parameters.map { parameter in
                ["name": .string(parameter.name), "in": .string(parameter.location.rawValue), "required": .bool(parameter.required),
                 "description": .string(parameter.description), "schema": parameter.schema]
            })))
        }
        if let body = endpoint.requestBody {
            members.append(.init(key: "requestBody", value: ["required": true, "content": ["application/json": ["schema": body]]]))
        }
        var responses: [JSONMember] = endpoint.successes.map { success in
            var response: [JSONMember] = [.init(key: "description", value: .string(success.description))]
            let headers = ResponseHeaders.common(endpoint, status: success.status).merging(success.headers) { _, own in own }
            response.append(.init(key: "headers", value: .object(headers.keys.sorted().map { .init(key: $0, value: headers[$0]!) })))
            if let schema = success.schema {
                let alternatives = success.alternatives.map { type in
                    JSONMember(key: type, value: ["schema": type.hasSuffix("json") ? ["type": "array", "items": ["type": "object"]] : ["type": "string"]])
                }
                response.append(.init(key: "content", value: .object([.init(key: success.mediaType, value: ["schema": schema])] + alternatives)))
            }
            return .init(key: String(success.status), value: .object(response))
        }
        // An answer with an ETag is also a 304 to a client that sends it back in If-None-Match.
        if endpoint.successes.contains(where: { $0.headers["ETag"] != nil && $0.status == 200 }) {
            let headers = ResponseHeaders.common(endpoint, status: 304).merging(["ETag": Conditional.header]) { _, own in own }
            responses.append(.init(key: "304", value: [
                "description": "No cambió desde la versión que indica If-None-Match: sin cuerpo.",
                "headers": .object(headers.keys.sorted().map { .init(key: $0, value: headers[$0]!) }),
            ]))
        }
        // Every operation refuses an Accept it cannot satisfy and a query parameter it does not declare
        // (DeclaredParameters); one with a body refuses a body that is not JSON.
        let errors = Set(endpoint.errors + [400, 406] + (endpoint.requestBody == nil ? [] : [415]))
        for status in errors.sorted() {
            let headers = ResponseHeaders.common(endpoint, status: status)
            responses.append(.init(key: String(status), value: [
                "description": .string(errorDescriptions[status] ?? "Error"),
                "headers": .object(headers.keys.sorted().map { .init(key: $0, value: headers[$0]!) }),
                "content": ["application/problem+json": ["schema": ["$ref": "#/components/schemas/Problema"]]],
            ]))
        }
        members.append(.init(key: "responses", value: .object(responses)))
        members.append(.init(key: "security", value: endpoint.access == .open ? [] : [["bearer": []]]))
        return .object(members)
    }

    static let errorDescriptions: [Int: String] = [
        400: "Solicitud mal formada (JSON no válido, encabezado faltante o mal escrito).",
        401: "Sin token válido.",
        403: "El rol o el alcance de quien llama no lo permite.",
        404: "No existe.",
        405: "La ruta existe, pero no con este método (encabezado Allow).",
        409: "Conflicto: otra escritura ganó, o una solicitud igual sigue en curso; el cuerpo trae versionActual cuando aplica.",
        412: "La versión del flujo cambió desde la que indica If-Match; el cuerpo trae versionActual.",
        406: "Ningún formato de la respuesta satisface el encabezado Accept.",
        413: "Cuerpo mayor al límite.",
        415: "El cuerpo no es JSON (Content-Type).",
        422: "Datos no válidos, o una Idempotency-Key ya usada para otro registro: cada problema con su ruta.",
        429: "Demasiadas solicitudes; reintente después de Retry-After.",
        503: "Base de datos no disponible o proyecciones atrasadas; reintente después de Retry-After.",
    ]

    static let problemSchema: JSONValue = [
        "type": "object", "required": ["type", "title", "status", "detail"],
        "examples": [["type": "https://sintra.gob.mx/problemas/datos-no-validos", "title": "Datos no válidos", "status": 422,
                      "detail": "La solicitud tiene 2 problema(s); corríjalos todos y vuelva a enviarla. No se registró nada.",
                      "problemas": [["ruta": "datos.fecha", "codigo": "requerido", "mensaje": "campo obligatorio"],
                                    ["ruta": "datos.clasificacion", "codigo": "valor-no-permitido", "mensaje": "«otra» no está en el catálogo clasificacion-de-atencion"]]]],
        "properties": [
            "type": ["type": "string", "format": "uri", "description": .string(ProblemType.contractDescription),
                     "enum": .array((ProblemType.all.map(\.uri) + ["about:blank"]).map(JSONValue.string))],
            "title": ["type": "string"], "status": ["type": "integer"], "detail": ["type": "string"],
            "versionActual": ["type": "integer"],
            "problemas": ["type": "array", "items": [
                "type": "object", "required": ["ruta", "codigo", "mensaje"],
                "properties": ["ruta": ["type": "string", "description": "Dónde está el problema: datos.persona.curp, consulta.anio, encabezados.If-Match…"],
                               "codigo": ["type": "string", "description": "Código estable de la regla que no se cumplió."],
                               "mensaje": ["type": "string", "description": "Qué corregir, en español."]],
            ]],
        ],
    ]

    static let commandResultSchema: JSONValue = [
        "type": "object", "required": ["comando", "evento", "flujo", "version", "posicion", "repetido", "posiblesDuplicados"],
        "examples": [["comando": "registrar-atencion", "evento": "AtencionOtorgada", "flujo": "exp-0b6f4c2e9a7d4e1f", "version": 2, "posicion": 1842,
                      "repetido": false, "posiblesDuplicados": []]],
        "properties": [
            "comando": ["type": "string"], "evento": ["type": "string"], "flujo": ["type": "string"], "version": ["type": "integer"],
            "posicion": ["type": "integer"], "repetido": ["type": "boolean"], "posiblesDuplicados": ["type": "array", "items": ["type": "string"]],
        ],
    ]
}
