/// Every setting `sintra` reads, in one table: its environment variable, the flag that overrides it,
/// its default, whether it is a secret, and what it is for. `ConfigReader` reads them; `sintra
/// configuracion` prints this table (the README's "Configuration" section is its Markdown output, and
/// a test keeps the two equal), so a setting cannot exist without being documented.
struct Setting: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case text
        /// A whole number within the range; anything else is an error, never the default.
        case integer(ClosedRange<Int>)
        /// One of the listed words.
        case choice([String])
    }

    /// The environment variable (and key of the configuration file).
    let variable: String
    /// The command-line flag that takes precedence, where one exists.
    let flag: String?
    let defaultValue: String?
    let kind: Kind
    /// Never printed by `sintra configuracion` (a password, a token, a connection that may carry one).
    let secret: Bool
    /// Spanish, for the operator.
    let help: String

    init(_ variable: String, flag: String? = nil, default defaultValue: String? = nil, _ kind: Kind = .text, secret: Bool = false, help: String) {
        self.variable = variable
        self.flag = flag
        self.defaultValue = defaultValue
        self.kind = kind
        self.secret = secret
        self.help = help
    }
}

enum Settings {
    static let configFile = Setting("SINTRA_CONFIG_FILE", help: "Archivo opcional de configuración: líneas VARIABLE=valor con estas mismas variables (el formato de EnvironmentFile de systemd); el entorno y las opciones mandan sobre él.")
    static let databaseURL = Setting("DATABASE_URL", flag: "--database-url", secret: true,
                                     help: "Conexión de la aplicación (rol sintra_app): URI o pares clave=valor de libpq.")
    static let projectorURL = Setting("SINTRA_PROJECTOR_DATABASE_URL", flag: "--projector-url", secret: true,
                                      help: "Conexión de las proyecciones (rol sintra_proyector); si falta, DATABASE_URL.")
    static let adminURL = Setting("SINTRA_ADMIN_DATABASE_URL", flag: "--admin-url", secret: true,
                                  help: "Conexión del dueño de la base (sintra_owner), solo para migrate y keys rotate.")
    static let readURL = Setting("SINTRA_READ_DATABASE_URL", secret: true,
                                 help: "Conexión de solo lectura (rol sintra_app) de sintra serve para la lista y la consulta de expedientes, las fichas de hoy, los reportes de hoy y las estadísticas vigentes: una réplica, p. ej. con target_session_attrs=prefer-standby; quien envía ?posicion= espera a que la réplica tenga su escritura; lo «como estaba el» va al primario. Si falta, DATABASE_URL.")
    static let masterKeyFile = Setting("SINTRA_MASTER_KEY_FILE", flag: "--master-key",
                                       help: "Archivo de claves que cifra los datos personales (respáldelo aparte de la base).")
    static let eventsDirectory = Setting("SINTRA_EVENTS_DIR", flag: "--events", default: "events",
                                         help: "Carpeta de definiciones de eventos y catálogos; si ./events no está, se busca como las migraciones.")
    static let projectionsDirectory = Setting("SINTRA_PROJECTIONS_DIR", flag: "--projections", default: "projections",
                                              help: "Carpeta de las proyecciones; las fichas de indicadores están en su subcarpeta indicators/. Si ./projections no está, se busca como las migraciones.")
    static let migrationsDirectory = Setting("SINTRA_MIGRATIONS_DIR", flag: "--directory",
                                             help: "Carpeta de migraciones; si falta, se buscan bajo SINTRA_ROOT, la carpeta actual y las de arriba, y /usr/share/sintra.")
    static let root = Setting("SINTRA_ROOT", help: "Raíz de una copia del repositorio (migrations/, events/, projections/).")
    static let host = Setting("SINTRA_HOST", flag: "--host", default: "127.0.0.1", help: "Dirección en que escucha sintra serve.")
    static let port = Setting("SINTRA_PORT", flag: "--port", default: "8080", .integer(1...65535), help: "Puerto de sintra serve.")
    static let threshold = Setting("SINTRA_UMBRAL", flag: "--umbral", default: "10", .integer(1...1_000),
                                   help: "Umbral de supresión de las estadísticas (sintra serve, stats y publish stats): se suprime toda cifra de 1 al umbral; al menos 1.")
    static let logLevel = Setting("SINTRA_REGISTRO", flag: "--registro", default: "info", .choice(["depuracion", "info", "aviso", "error"]),
                                  help: "Nivel del registro de sintra serve en stderr.")
    static let environment = Setting("SINTRA_AMBIENTE", flag: "--ambiente", default: "produccion", .choice(["produccion", "capacitacion"]),
                                     help: "Ambiente de la instancia: produccion o capacitacion (SINTRA Capacitación, datos sintéticos). sintra serve se niega a arrancar si la base o el archivo de claves son de otro ambiente; sintra migrate marca con él una base nueva.")
    static let webIdleMinutes = Setting("SINTRA_WEB_INACTIVIDAD", flag: "--web-inactividad", default: "30", .integer(1...720),
                                        help: "Minutos sin uso tras los que termina una sesión de la interfaz web (sintra serve).")
    static let webSecureCookie = Setting("SINTRA_WEB_COOKIE_SEGURA", flag: "--web-cookie-segura", default: "no", .choice(["si", "no"]),
                                         help: "si: la cookie de sesión de la interfaz web lleva Secure y cada respuesta Strict-Transport-Security (el sitio se sirve por HTTPS, p. ej. tras un proxy con TLS).")
    static let token = Setting("SINTRA_TOKEN", flag: "--token", secret: true, help: "Token de acceso de la cuenta con que actúa la consola.")
    static let password = Setting("SINTRA_CONTRASENA", secret: true,
                                  help: "Contraseña de --cuenta cuando no hay terminal donde pedirla (scripts).")

    static let backupPassphrase = Setting("SINTRA_FRASE_DE_RESPALDO", secret: true,
                                          help: "Frase de paso de sintra keys respaldar y restaurar cuando no hay terminal donde pedirla (scripts).")

    static let logFormat = Setting("SINTRA_REGISTRO_FORMATO", flag: "--registro-formato", default: "json", .choice(["json", "texto"]),
                                   help: "Formato del registro de sintra serve en stderr: json (un objeto por línea, con el id de solicitud y la cuenta) o texto.")
    static let metricsToken = Setting("SINTRA_METRICAS_TOKEN", secret: true,
                                      help: "Token (Bearer) con que Prometheus lee /metrics; sin él, /metrics no existe (404).")
    static let traceCollector = Setting("SINTRA_TRAZAS_OTLP", flag: "--trazas-otlp",
                                        help: "URL de un colector OpenTelemetry (OTLP/HTTP), p. ej. http://127.0.0.1:4318/v1/traces: sintra serve envía ahí un tramo por solicitud y por comando (sin datos personales). Sin ella no hay trazas. Las variables OTEL_* la afinan.")
    static let trustedProxies = Setting("SINTRA_PROXIES_CONFIABLES", flag: "--proxies-confiables",
                                        help: "Direcciones IP de los proxies (nginx, HAProxy) separadas por comas: solo de ellas se cree Forwarded / X-Forwarded-For para la dirección del cliente.")

    /// In the order `sintra configuracion` and the README list them.
    static let all: [Setting] = [configFile, databaseURL, projectorURL, adminURL, readURL, masterKeyFile, eventsDirectory, projectionsDirectory,
                                 migrationsDirectory, root, host, port, threshold, logLevel, environment, webIdleMinutes, webSecureCookie, token, password,
                                 backupPassphrase, logFormat, metricsToken, traceCollector, trustedProxies]
}
