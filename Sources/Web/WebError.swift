import Hummingbird
import Logging
import Postgres

/// What can go wrong on a page, each with its status and the words a caseworker reads.
struct WebError: Error {
    let status: HTTPResponse.Status
    let title: String
    let message: String

    static let notFound = WebError(status: .notFound, title: "No encontrado",
                                   message: "El expediente o la página que busca no existe, o aún no se ha procesado. Revise la dirección o vuelva a «Mis expedientes».")
    static let staleSession = WebError(status: .forbidden, title: "Formulario vencido",
                                       message: "El formulario ya no es válido (su sesión cambió o se abrió en otra ventana). Vuelva a la página anterior, recárguela y envíelo de nuevo.")
    static let unavailable = WebError(status: .serviceUnavailable, title: "Servicio no disponible",
                                      message: "La base de datos no responde en este momento. Espere unos segundos y vuelva a intentarlo; nada se registró dos veces.")

    static func forbidden(_ why: String) -> WebError {
        WebError(status: .forbidden, title: "Sin permiso", message: "Su cuenta no puede hacer esto: \(why).")
    }

    static func badRequest(_ why: String) -> WebError {
        WebError(status: .badRequest, title: "Solicitud no válida", message: why)
    }

    init(status: HTTPResponse.Status, title: String, message: String) {
        self.status = status
        self.title = title
        self.message = message
    }

    /// Anything else: logged by type only (a message could quote the data that caused it).
    init(unexpected error: any Error, logger: Logger) {
        if let error = error as? PostgresError, [.connection, .poolExhausted, .closed].contains(error.kind) || error.sqlState == "57014" || error.sqlState == "42P01" {
            self = .unavailable
            return
        }
        logger.error("error interno en la interfaz web", metadata: ["tipo": "\(type(of: error))"])
        self.init(status: .internalServerError, title: "Error inesperado",
                  message: "Ocurrió un error inesperado y quedó registrado para revisión. Vuelva a intentarlo; si persiste, avise a la mesa de ayuda.")
    }
}

/// The error page: the title, what happened and where to go next.
enum ErrorPages {
    static func response(_ error: WebError, templates: Templates, session: WebSession?) -> Response {
        templates.render("error", title: error.title, session: session, status: error.status, personal: false,
                         ["titulo": error.title, "mensaje": error.message, "conSesion": session != nil])
    }
}
