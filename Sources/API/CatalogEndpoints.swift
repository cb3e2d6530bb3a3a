import CanonicalJSON
import Catalog
import Definitions
import Hummingbird

/// The catalogues and the event definitions, for front-ends that build select lists and forms
/// without copying the repository's files. Neither holds personal data: open, cacheable, with `ETag`.
enum CatalogEndpoints {
    static func all(_ services: APIServices) -> [Endpoint] {
        let catalogs = services.definitions.catalogs.catalogs
        let cached = ["ETag": Conditional.header]
        return [
            Endpoint(.get, "/v1/catalogos", operationId: "listar-catalogos", tag: "catalogos",
                     summary: "Los catálogos de SINTRA: clave, nombre, descripción, fuente y cuántos códigos tiene cada uno.", access: .open,
                     successes: [.init(200, "Los catálogos.", schema: ["$ref": "#/components/schemas/ListaDeCatalogos"], headers: cached)],
                     errors: [400, 429]) { request, _ in
                try Query(request).finish()
                return Conditional.json(request, ["catalogos": .array(catalogs.keys.sorted().map { summary(catalogs[$0]!) })])
            },
            Endpoint(.get, "/v1/catalogos/{nombre}", operationId: "leer-catalogo", tag: "catalogos",
                     summary: "Un catálogo con sus códigos, etiquetas y vigencia; solo los vigentes en una fecha (vigenteEn) y, en municipios, los de una entidad.",
                     access: .open, parameters: [
                        .init("nombre", in: .path, description: "Clave del catálogo (p. ej. municipios).", schema: ["type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"]),
                        .init("vigenteEn", in: .query, description: "Fecha AAAA-MM-DD: solo los códigos vigentes ese día.", schema: ["type": "string", "format": "date"]),
                        .init("entidad", in: .query, description: "Clave INEGI de dos dígitos: solo los códigos de esa entidad (municipios).",
                              schema: ["type": "string", "pattern": "^[0-9]{2}$"]),
                     ],
                     successes: [.init(200, "El catálogo.", schema: ["$ref": "#/components/schemas/Catalogo"], headers: cached)],
                     errors: [400, 404, 429]) { request, context in
                let query = Query(request)
                let day = query.date("vigenteEn")
                let entidad = query.text("entidad", maxLength: 2)
                if let entidad, entidad.range(of: "^[0-9]{2}$", options: .regularExpression) == nil {
                    query.problem("consulta.entidad", "patron", "entidad: dos dígitos, la clave INEGI (p. ej. 07)")
                }
                try query.finish()
                let name = context.parameters.get("nombre") ?? ""
                guard let catalog = catalogs[name] else {
                    throw APIProblem.notFound("No hay un catálogo «\(name.prefix(60))»; GET /v1/catalogos los lista.")
                }
                if entidad != nil, catalog.fields["entidad"] == nil {
                    throw APIProblem.malformed("entidad: el catálogo «\(name)» no tiene entidad por código", path: "consulta.entidad")
                }
                let values = catalog.values.filter { value in
                    (day.map(value.isValid(on:)) ?? true) && (entidad.map { value.extra["entidad"]?.stringValue == $0 } ?? true)
                }
                guard case .object(var members) = summary(catalog) else { return SystemEndpoints.json(.null) }
                members.append(.init(key: "campos", value: .object(catalog.fields.keys.sorted().map { .init(key: $0, value: .string(catalog.fields[$0]!)) })))
                members.append(.init(key: "valores", value: .array(values.map(value))))
                return Conditional.json(request, .object(members))
            },
            Endpoint(.get, "/v1/definiciones", operationId: "listar-definiciones", tag: "catalogos",
                     summary: "Las definiciones de eventos vigentes: tipo, versión, comando, módulo, descripción y el esquema (JSON Schema 2020-12) que valida sus datos, para construir formularios.",
                     access: .open,
                     successes: [.init(200, "Las definiciones.", schema: ["$ref": "#/components/schemas/ListaDeDefiniciones"], headers: cached)],
                     errors: [400, 429]) { request, _ in
                try Query(request).finish()
                let list: [JSONValue] = services.definitions.current.map { definition in
                    ["tipo": .string(definition.eventType), "version": .number(Double(definition.version)), "comando": .string(definition.command),
                     "modulo": .string(definition.module), "descripcion": .string(definition.description),
                     "esquema": .string("#/components/schemas/\(definition.key)")]
                }
                return Conditional.json(request, ["definiciones": .array(list)])
            },
        ]
    }

    static func summary(_ catalog: Catalog) -> JSONValue {
        ["nombre": .string(catalog.id), "titulo": .string(catalog.name), "descripcion": .string(catalog.description),
         "fuente": .string(catalog.source), "codigos": .number(Double(catalog.values.count))]
    }

    static func value(_ value: CatalogValue) -> JSONValue {
        var members: [JSONMember] = [
            .init(key: "codigo", value: .string(value.code)), .init(key: "etiqueta", value: .string(value.label)),
            .init(key: "vigenteDesde", value: .string(value.validFrom.description)),
            .init(key: "vigenteHasta", value: value.validUntil.map { .string($0.description) } ?? .null),
        ]
        for key in value.extra.keys.sorted() { members.append(.init(key: key, value: value.extra[key]!)) }
        return .object(members)
    }

    /// The shapes above, as named components of the contract.
    static let schemas: [JSONMember] = [
        .init(key: "ResumenDeCatalogo", value: [
            "type": "object", "required": ["nombre", "titulo", "descripcion", "fuente", "codigos"],
            "properties": ["nombre": ["type": "string"], "titulo": ["type": "string"], "descripcion": ["type": "string"],
                           "fuente": ["type": "string"], "codigos": ["type": "integer"]],
        ]),
        .init(key: "ListaDeCatalogos", value: [
            "type": "object", "required": ["catalogos"],
            "properties": ["catalogos": ["type": "array", "items": ["$ref": "#/components/schemas/ResumenDeCatalogo"]]],
        ]),
        .init(key: "ValorDeCatalogo", value: [
            "type": "object", "required": ["codigo", "etiqueta", "vigenteDesde", "vigenteHasta"],
            "properties": ["codigo": ["type": "string"], "etiqueta": ["type": "string"], "vigenteDesde": ["type": "string", "format": "date"],
                           "vigenteHasta": ["type": ["string", "null"], "format": "date"]],
            "additionalProperties": true,
        ]),
        .init(key: "Catalogo", value: [
            "type": "object", "required": ["nombre", "titulo", "descripcion", "fuente", "codigos", "campos", "valores"],
            "properties": ["nombre": ["type": "string"], "titulo": ["type": "string"], "descripcion": ["type": "string"], "fuente": ["type": "string"],
                           "codigos": ["type": "integer", "description": "Códigos del catálogo completo (sin filtros)."],
                           "campos": ["type": "object", "additionalProperties": ["type": "string"]],
                           "valores": ["type": "array", "items": ["$ref": "#/components/schemas/ValorDeCatalogo"]]],
        ]),
        .init(key: "ListaDeDefiniciones", value: [
            "type": "object", "required": ["definiciones"],
            "properties": ["definiciones": ["type": "array", "items": [
                "type": "object", "required": ["tipo", "version", "comando", "modulo", "descripcion", "esquema"],
                "properties": ["tipo": ["type": "string"], "version": ["type": "integer"], "comando": ["type": "string"], "modulo": ["type": "string"],
                               "descripcion": ["type": "string"], "esquema": ["type": "string", "description": "Referencia al esquema en /openapi.json."]],
            ]]],
        ]),
    ]
}
