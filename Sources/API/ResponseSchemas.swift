import CanonicalJSON

/// The shapes of the main answers, as named components, so a generated client gets typed values
/// instead of dictionaries. `ResponseSchemaTests` validates real answers against them.
enum ResponseSchemas {
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    static let string: JSONValue = ["type": "string"]
    static let optionalString: JSONValue = ["type": ["string", "null"]]
    static let integer: JSONValue = ["type": "integer"]

    static let all: [JSONMember] = [
        .init(key: "ResumenDeExpediente", value: [
            "type": "object", "description": "Una fila de la lista de expedientes: ningún dato personal.",
            "required": ["expediente", "institucion", "fechaDeDeteccion", "estado", "modalidades", "validado", "version"],
            "properties": [
                "expediente": string, "institucion": string, "calidad": optionalString, "sexo": optionalString,
                "edad": ["type": ["integer", "null"]], "nacionalidad": optionalString, "entidad": optionalString, "municipio": optionalString,
                "fechaDeDeteccion": ["type": "string", "format": "date"], "estado": string, "motivoDeCierre": optionalString,
                "modalidades": ["type": "array", "items": string], "validado": ["type": "boolean"], "version": integer,
                "posibleDuplicadoEnOtraInstitucion": ["type": "boolean", "description": "Solo en las búsquedas."],
            ],
        ]),
        .init(key: "ListaDeExpedientes", value: [
            "type": "object", "required": ["expedientes", "siguiente", "alcance"],
            "properties": [
                "expedientes": ["type": "array", "items": ref("ResumenDeExpediente")],
                "siguiente": ["type": ["integer", "null"], "description": "Cursor de la página siguiente (despuesDe), o null."],
                "alcance": ["type": "string", "enum": ["propios", "institucion", "entidad", "nacional"]],
            ],
        ]),
        .init(key: "EntradaDeLineaDeTiempo", value: [
            "type": "object", "required": ["posicion", "version", "evento", "fecha", "institucion", "datos"],
            "properties": ["posicion": integer, "version": integer, "evento": string, "fecha": optionalString, "institucion": string,
                           "datos": ["description": "Los datos del evento; los campos personales en null salvo que se hayan abierto con finalidad."]],
        ]),
        .init(key: "Expediente", value: [
            "type": "object",
            "required": ["expediente", "institucionQueRegistro", "estado", "validado", "datosPersonalesBorrados", "datosPersonalesAbiertos", "version",
                         "datosGenerales", "canalizaciones", "instituciones", "posiblesDuplicados", "lineaDeTiempo"],
            "properties": [
                "expediente": string, "institucionQueRegistro": string, "estado": string, "motivoDeCierre": optionalString,
                "validado": ["type": "boolean"], "compartirConOtrasInstituciones": ["type": ["boolean", "null"]],
                "contarEnEstadisticas": ["type": ["boolean", "null"]], "datosPersonalesBorrados": ["type": "boolean"],
                "datosPersonalesAbiertos": ["type": "boolean"], "version": integer,
                "datosGenerales": ["type": "object"], "victimizacion": ["type": ["object", "null"]],
                "canalizaciones": ["type": "array", "items": [
                    "type": "object", "required": ["folio", "fecha", "origen", "destino", "estado"],
                    "properties": ["folio": string, "fecha": string, "origen": string, "destino": string, "estado": string, "fechaDeRespuesta": optionalString],
                ]],
                "instituciones": ["type": "array", "items": string],
                "posiblesDuplicados": ["type": "array", "items": string],
                "lineaDeTiempo": ["type": "array", "items": ref("EntradaDeLineaDeTiempo")],
            ],
        ]),
        .init(key: "ResultadoDeIndicador", value: [
            "type": "object", "required": ["indicador", "version", "nombre", "anio", "valor", "bandera", "presentacion", "sustitucion", "posicionDelRegistro", "variables"],
            "properties": [
                "indicador": string, "version": integer, "nombre": string, "anio": integer, "valor": ["type": ["number", "null"]],
                "bandera": optionalString, "presentacion": string, "sustitucion": string, "posicionDelRegistro": integer, "publicado": optionalString,
                "variables": ["type": "array", "items": [
                    "type": "object", "required": ["clave", "nombre", "valor", "preliminar", "posiciones"],
                    "properties": ["clave": string, "nombre": string, "valor": ["type": ["number", "null"]], "preliminar": ["type": "boolean"],
                                   "posiciones": ["type": "array", "items": integer], "desglose": [:]],
                ]],
                "senales": ["type": "array", "items": ["type": "object", "properties": ["clave": string, "mensaje": string]]],
            ],
        ]),
        .init(key: "Indicadores", value: [
            "type": "object", "required": ["ahora"],
            "properties": [
                "ahora": ["type": "array", "items": ref("ResultadoDeIndicador")],
                "alDia": ["type": "object", "required": ["fecha", "posicionDelRegistro", "resultados"],
                          "properties": ["fecha": ["type": "string", "format": "date"], "posicionDelRegistro": integer,
                                         "fichasSinVersionRegistrada": ["type": "array", "items": string],
                                         "resultados": ["type": "array", "items": ref("ResultadoDeIndicador")]]],
                "diferencias": ["type": "array", "items": ["type": "object"]],
            ],
        ]),
        .init(key: "TablaDeEstadisticas", value: [
            "type": "object", "required": ["id", "anio", "titulo", "unidad", "variable", "columnas", "filas", "totales"],
            "properties": [
                "id": string, "anio": integer, "titulo": string, "unidad": string, "variable": string, "multivalor": ["type": "boolean"],
                "grupo": string, "nota": optionalString,
                "columnas": ["type": "array", "items": ["type": "object", "properties": ["clave": string, "nombre": string]]],
                "filas": ["type": "array", "items": [
                    "type": "object", "required": ["clave", "nombre", "valores", "total"],
                    "properties": ["clave": string, "nombre": string, "valores": ["type": "array", "items": ["type": ["integer", "null"]]],
                                   "total": ["type": ["integer", "null"]]],
                ]],
                "totales": ["type": "object", "properties": ["valores": ["type": "array", "items": ["type": ["integer", "null"]]],
                                                             "total": ["type": ["integer", "null"]]]],
            ],
        ]),
        .init(key: "Estadisticas", value: [
            "type": "object", "description": "Las tablas de un año o de la serie; null marca una cifra suprimida.",
            "required": ["titulo", "reglaDeConfidencialidad", "umbral", "posicionDelRegistro", "anios", "tablas"],
            "properties": [
                "ambiente": string, "aviso": string, "titulo": string, "reglaDeConfidencialidad": string, "umbral": integer, "gruposDeEdad": string,
                "marcaDeSupresion": string, "notaDeLaSerie": string, "poblacion": string, "posicionDelRegistro": integer,
                "anios": ["type": "array", "items": integer], "tablas": ["type": "array", "items": ref("TablaDeEstadisticas")],
                "entrega": ["type": "object", "description": "La publicación de la que vienen (estadísticas publicadas).",
                            "properties": ["publicacion": string, "fecha": string, "posicionDelRegistro": integer, "huella": string,
                                           "umbral": ["type": ["integer", "null"]]]],
            ],
        ]),
        .init(key: "EntregasDeEstadisticas", value: [
            "type": "object", "required": ["titulo", "entregas"],
            "properties": ["ambiente": string, "aviso": string, "titulo": string, "nota": string,
                           "entregas": ["type": "array", "items": ref("Estadisticas")]],
        ]),
        .init(key: "Reporte", value: [
            "type": "object", "required": ["titulo", "fuente", "filas", "medida", "modo", "posicionDelRegistro", "fecha", "regla", "renglones", "total"],
            "properties": [
                "titulo": string, "fuente": string, "filas": string, "columnas": optionalString, "filtros": ["type": "object"],
                "medida": ["description": "«personas», «registros» o {\"suma\": variable}."], "modo": ["type": "string", "enum": ["publicacion", "interno"]],
                "posicionDelRegistro": integer, "fecha": string, "alDia": optionalString, "regla": string,
                "categoriasDeColumna": ["type": "array", "items": ["type": "object", "properties": ["codigo": string, "etiqueta": string]]],
                "renglones": ["type": "array", "items": [
                    "type": "object", "required": ["codigo", "etiqueta", "valores", "total"],
                    "properties": ["codigo": string, "etiqueta": string, "valores": ["type": "array", "items": ["type": ["number", "null"]]],
                                   "total": ["type": ["number", "null"]]],
                ]],
                "totalesDeColumna": ["type": "array", "items": ["type": ["number", "null"]]], "total": ["type": ["number", "null"]], "nota": string,
            ],
        ]),
        .init(key: "EventoDelRegistro", value: [
            "type": "object", "required": ["posicion", "flujo", "tipoDeFlujo", "version", "evento", "versionDelEsquema", "datos", "ocurrioEn", "registradoEn", "hashAnterior", "hash"],
            "properties": [
                "posicion": integer, "flujo": string, "tipoDeFlujo": string, "version": integer, "evento": string, "versionDelEsquema": integer,
                "datos": ["description": "Los datos del evento; los campos personales en null."], "metadatos": [:],
                "ocurrioEn": ["type": "string", "format": "date-time"], "registradoEn": ["type": "string", "format": "date-time"],
                "hashAnterior": string, "hash": string,
            ],
        ]),
        .init(key: "Estado", value: ["type": "object", "required": ["estado"], "properties": ["estado": string], "additionalProperties": true]),
    ]
}
