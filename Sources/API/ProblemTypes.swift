import CanonicalJSON

/// The kinds of problem the API answers, each with a stable `type` URI (RFC 9457): a client branches
/// on `type` (and on each item's `codigo`), never on the Spanish `title` or `detail`, which may be
/// reworded. The contract lists them (`Problema.type`), and `GET /problemas/{tipo}` explains each.
///
/// `APIProblem` finds its kind by its title, so every title an `APIProblem` is built with must be
/// here; `ProblemTypeTests` reads the sources to check it. A status with nothing more to say
/// (a bare HTTP error from the router) is `about:blank`, as RFC 9457 prescribes.
public struct ProblemType: Sendable {
    public let slug: String
    public let title: String
    public let status: Int
    public let explanation: String

    public static let base = "https://sintra.gob.mx/problemas/"
    public var uri: String { Self.base + slug }

    public static let all: [ProblemType] = [
        .init("solicitud-mal-formada", "Solicitud mal formada", 400,
              "El JSON, un parámetro o un encabezado no se pudo leer o no cumple su forma; «problemas» dice cuál y por qué. No se registró nada."),
        .init("sin-autenticacion", "Sin autenticación", 401, "Falta el token, venció o las credenciales no son válidas; inicie sesión (POST /v1/sesiones)."),
        .init("sin-permiso", "Sin permiso", 403, "El rol o el alcance de la cuenta no permite esta acción sobre este registro (GET /v1/admin/permisos)."),
        .init("no-encontrado", "No encontrado", 404, "El flujo, expediente, catálogo o archivo no existe, o no está al alcance de la cuenta."),
        .init("metodo-no-permitido", "Método no permitido", 405, "La ruta existe con otros métodos: los lista el encabezado Allow."),
        .init("formato-no-disponible", "Formato no disponible", 406, "Ningún formato de la respuesta satisface el encabezado Accept."),
        .init("conflicto-de-version", "Conflicto de versión", 409,
              "Otra escritura cambió el flujo entre su lectura y su escritura; «versionActual» dice la versión: vuelva a leer y decida de nuevo."),
        .init("solicitud-en-curso", "Solicitud en curso", 409, "Una solicitud con la misma Idempotency-Key aún no termina; reintente después de Retry-After."),
        .init("registro-alterado", "Registro alterado", 409, "La verificación de la cadena de hashes falló en la posición indicada: avise al auditor."),
        .init("entrega-no-permitida", "Entrega no permitida", 409, "La publicación no procede (por ejemplo, ya existe una igual o faltan datos); «detail» dice por qué."),
        .init("version-cambiada", "La versión cambió", 412, "El flujo ya no está en la versión de If-Match; «versionActual» dice la vigente."),
        .init("cuerpo-demasiado-grande", "Cuerpo demasiado grande", 413, "El cuerpo excede el límite de la API."),
        .init("tipo-de-contenido-no-admitido", "Tipo de contenido no admitido", 415, "El cuerpo debe enviarse como application/json."),
        .init("datos-no-validos", "Datos no válidos", 422,
              "Uno o más datos no cumplen la definición del evento o una regla de negocio; cada problema trae su ruta, su código estable y su mensaje. No se registró nada."),
        .init("demasiadas-solicitudes", "Demasiadas solicitudes", 429, "Se excedió el límite de solicitudes por dirección o por cuenta; reintente después de Retry-After."),
        .init("cuenta-bloqueada", "Cuenta bloqueada temporalmente", 429, "Demasiados intentos fallidos de inicio de sesión; reintente después de Retry-After."),
        .init("error-interno", "Error interno", 500, "Un error inesperado del servidor; quedó registrado para revisión. No es un error de quien llama."),
        .init("servicio-no-disponible", "Servicio no disponible", 503,
              "La base de datos no responde o las proyecciones van atrasadas; reintente después de Retry-After (con la misma Idempotency-Key si escribía)."),
    ]

    init(_ slug: String, _ title: String, _ status: Int, _ explanation: String) {
        self.slug = slug
        self.title = title
        self.status = status
        self.explanation = explanation
    }

    static let byTitle: [String: ProblemType] = Dictionary(all.map { ($0.title, $0) }, uniquingKeysWith: { first, _ in first })
    static let bySlug: [String: ProblemType] = Dictionary(all.map { ($0.slug, $0) }, uniquingKeysWith: { first, _ in first })

    /// The `type` of a problem with this title: its kind's URI, or `about:blank` for a bare HTTP status.
    static func uri(title: String) -> String { byTitle[title]?.uri ?? "about:blank" }

    /// The contract's description of `type`: every URI with what it means.
    static var contractDescription: String {
        "URI estable del tipo de problema; decida con él, no con el título. Tipos: " +
            all.map { "\($0.uri) (\($0.status), \($0.title))" }.joined(separator: "; ") +
            "; about:blank para un estado HTTP sin más explicación. Cada elemento de «problemas» trae además un «codigo» estable de la regla."
    }

    var json: JSONValue {
        ["type": .string(uri), "tipo": .string(slug), "titulo": .string(title), "estado": .number(Double(status)), "explicacion": .string(explanation)]
    }
}

/// `GET /problemas/{tipo}`: what a problem's `type` URI names, so the URI in an error leads somewhere.
enum ProblemTypeEndpoints {
    static func all() -> [Endpoint] {
        [
            Endpoint(.get, "/problemas/{tipo}", operationId: "tipo-de-problema", tag: "sistema",
                     summary: "Qué significa un tipo de problema (el «type» de un error) y qué hacer.", access: .open,
                     parameters: [.init("tipo", in: .path, description: "El final del URI del tipo: datos-no-validos, sin-permiso…",
                                        schema: ["type": "string", "enum": .array(ProblemType.all.map { .string($0.slug) })])],
                     successes: [.init(200, "El tipo.", schema: ResponseSchemas.ref("TipoDeProblema"), headers: ["ETag": Conditional.header])],
                     errors: [404, 429]) { request, context in
                let slug = context.parameters.get("tipo") ?? ""
                guard let type = ProblemType.bySlug[slug] else {
                    throw APIProblem.notFound("No hay un tipo de problema «\(slug.prefix(60))»; el contrato (/openapi.json, Problema.type) los lista.")
                }
                return Conditional.json(request, type.json)
            },
        ]
    }

    static let schema: JSONMember = .init(key: "TipoDeProblema", value: ResponseSchemas.object(
        ["type", "tipo", "titulo", "estado", "explicacion"],
        ["type": ["type": "string", "format": "uri"], "tipo": ResponseSchemas.string, "titulo": ResponseSchemas.string,
         "estado": ResponseSchemas.integer, "explicacion": ResponseSchemas.string]))
}
