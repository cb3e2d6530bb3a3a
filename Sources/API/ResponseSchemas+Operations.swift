import CanonicalJSON

/// The shapes of the administration, audit and report answers (the main reads are in
/// `ResponseSchemas`). Each is named by what it holds, in Spanish, as the fields are.
extension ResponseSchemas {
    static let boolean: JSONValue = ["type": "boolean"]
    static let optionalInteger: JSONValue = ["type": ["integer", "null"]]
    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static func object(_ required: [String], _ properties: [String: JSONValue], description: String? = nil) -> JSONValue {
        var members: [JSONMember] = [
            .init(key: "type", value: "object"),
            .init(key: "required", value: .array(required.map(JSONValue.string))),
            .init(key: "properties", value: .object(properties.keys.sorted().map { .init(key: $0, value: properties[$0]!) })),
        ]
        if let description { members.append(.init(key: "description", value: .string(description))) }
        return .object(members)
    }

    static let operations: [JSONMember] = administration + audit + reports + [ProblemTypeEndpoints.schema]

    static let administration: [JSONMember] = [
        .init(key: "Institucion", value: object(["clave", "nombre"], [
            "clave": string, "nombre": string, "nivelDeGobierno": string, "entidad": optionalString, "municipio": optionalString,
        ])),
        .init(key: "ListaDeInstituciones", value: object(["instituciones"], ["instituciones": array(ref("Institucion"))])),
        .init(key: "Cuenta", value: object(["usuario", "institucion", "roles", "activa", "registrada", "version"], [
            "usuario": string, "institucion": string, "roles": array(string), "activa": boolean,
            "registrada": ["type": "string", "format": "date"], "version": integer,
        ], description: "Una cuenta; sin contraseña ni datos personales (el nombre y el correo van cifrados en el registro).")),
        .init(key: "ListaDeCuentas", value: object(["usuarios"], ["usuarios": array(ref("Cuenta"))])),
        .init(key: "TablaDePermisos", value: object(["permisos"], ["permisos": array(object(
            ["rol", "accion", "alcance", "requiereMotivo", "explicacion"],
            ["rol": string, "accion": string, "alcance": string, "requiereMotivo": boolean, "explicacion": string]))])),
    ]

    static let audit: [JSONMember] = [
        .init(key: "HistorialDeFlujo", value: object(["flujo", "eventos"], ["flujo": string, "eventos": array(ref("EventoDelRegistro"))])),
        .init(key: "VerificacionDeLaCadena", value: object(["integro", "eventos", "posicion", "hash"], [
            "integro": boolean, "eventos": integer, "posicion": integer, "hash": ["type": "string", "description": "Hash (hex) del último evento."],
        ])),
        .init(key: "ConsultasDeDatosPersonales", value: object(["expediente", "consultas"], [
            "expediente": string,
            "consultas": array(object(["posicion", "registradoEn", "usuario", "persona", "institucion", "nombreDeLaInstitucion", "campos", "finalidad"], [
                "posicion": integer, "registradoEn": ["type": "string", "format": "date-time"], "usuario": string,
                "persona": optionalString, "institucion": string, "nombreDeLaInstitucion": optionalString,
                "campos": array(string), "finalidad": optionalString,
            ])),
        ])),
    ]

    static let reports: [JSONMember] = [
        .init(key: "VariablesDeReportes", value: object(["fuentes"], ["fuentes": array(object(
            ["fuente", "modulo", "descripcion", "dimensiones", "medidas"], [
                "fuente": string, "modulo": string, "descripcion": string,
                "dimensiones": array(object(["variable", "catalogo", "variosValores", "descripcion"],
                                            ["variable": string, "catalogo": optionalString, "variosValores": boolean, "descripcion": string])),
                "medidas": array(["description": "«personas», «registros» o {\"suma\": variable}."]),
            ]))])),
        .init(key: "ReportesGuardados", value: object(["reportes"], ["reportes": array(object(
            ["nombre", "descripcion", "definicion", "institucion", "fecha", "posicion"], [
                "nombre": string, "descripcion": optionalString, "definicion": ["type": "object", "description": "La definición, como la recibe POST /v1/reportes/ejecutar."],
                "institucion": string, "fecha": string, "posicion": integer,
            ]))])),
        .init(key: "InformeAnual", value: object(
            ["titulo", "descripcion", "anio", "fecha", "posicionDelRegistro", "secciones", "revisionDeCompletitud", "anexoDeIndicadores", "estadisticasPublicas"], [
                "titulo": string, "descripcion": string, "anio": integer, "fecha": string, "posicionDelRegistro": integer,
                "secciones": array(object(["clave", "titulo", "reportes"], [
                    "clave": string, "titulo": string,
                    "reportes": array(object(["definicion", "resultado", "total", "totalDelAnioAnterior"], [
                        "definicion": ["type": "object"], "resultado": ref("Reporte"),
                        "total": ["type": ["number", "null"]], "totalDelAnioAnterior": ["type": ["number", "null"]], "registros": optionalString,
                    ])),
                ])),
                "revisionDeCompletitud": object(["regla", "modulos", "instituciones", "pendientes"], [
                    "regla": string, "pendientes": integer,
                    "modulos": array(object(["fuente", "modulo", "descripcion"], ["fuente": string, "modulo": string, "descripcion": string])),
                    "instituciones": array(object(["clave", "nombre", "obligada", "faltantes", "registros"], [
                        "clave": string, "nombre": string, "obligada": boolean, "faltantes": array(string),
                        "registros": ["type": "object", "description": "Por fuente: {anio, anioAnterior}.",
                                      "additionalProperties": object(["anio", "anioAnterior"], ["anio": integer, "anioAnterior": integer])],
                    ])),
                ]),
                "anexoDeIndicadores": array(ref("ResultadoDeIndicador")),
                "estadisticasPublicas": ["type": "object", "description": "La entrega publicada que cubre el año (publicacion, fecha, huella, tablas), o {nota} si no la hay."],
            ], description: "El informe anual: las secciones del plan, la revisión de completitud, el anexo y las estadísticas publicadas.")),
        .init(key: "PaqueteDeDatos", value: object(["name", "resources"], [
            "profile": string, "name": string, "title": string, "description": string,
            "resources": array(["type": "object", "required": ["name", "path"], "properties": ["name": string, "path": string, "schema": ["type": "object"]]]),
        ], description: "datapackage.json (Frictionless Data): describe cada archivo de la exportación y sus campos.")),
    ]
}
