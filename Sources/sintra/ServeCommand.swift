import AnnualReport
import Accounts
import API
import ArgumentParser
import CaseFiles
import Commands
import EventLog
import Foundation
import Hummingbird
import Indicators
import Logging
import Postgres
import Privacy
import Reports
import Statistics
import Web

/// `sintra serve`: the restricted-access HTTP API, with the projector following the log beside it.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sirve la API HTTP (contrato en /openapi.json) y mantiene las proyecciones al día; Ctrl-C o SIGTERM terminan las solicitudes en curso y salen.")
    @OptionGroup var command: CommandOptions
    @OptionGroup var projector: ProjectorOptions
    @OptionGroup var fichas: IndicatorFolderOptions
    @Option(help: "Dirección en que escucha (por omisión $SINTRA_HOST o 127.0.0.1).") var host: String?
    @Option(help: "Puerto (por omisión $SINTRA_PORT o 8080).") var port: Int?
    @Option(name: .customLong("umbral"), help: "Umbral de supresión de las estadísticas públicas (por omisión $SINTRA_UMBRAL o 10).")
    var threshold: Int?
    @Option(name: .customLong("limite-por-direccion"), help: "Solicitudes por segundo por dirección (ráfaga: el doble).") var perAddress = 100.0
    @Option(name: .customLong("limite-por-cuenta"), help: "Solicitudes por segundo por cuenta (ráfaga: el doble).") var perAccount = 50.0
    @Option(name: .customLong("tiempo-maximo"), help: "Segundos máximos de una consulta a la base (statement_timeout).") var timeout = 25
    @Option(name: .customLong("registro"),
            help: "Nivel del registro en stderr: depuracion, info (una línea por solicitud), aviso o error (por omisión $SINTRA_REGISTRO o info).")
    var logLevel: String?
    @Option(name: .customLong("registro-formato"), help: "json o texto (por omisión $SINTRA_REGISTRO_FORMATO o json).") var logFormat: String?
    @Option(name: .customLong("proxies-confiables"), help: "IP de los proxies cuyo X-Forwarded-For se cree (por omisión $SINTRA_PROXIES_CONFIABLES).")
    var trustedProxies: String?
    @Option(name: .customLong("trazas-otlp"), help: "URL del colector OpenTelemetry (OTLP/HTTP) al que enviar las trazas (por omisión $SINTRA_TRAZAS_OTLP; sin ella, no hay trazas).")
    var traceCollector: String?
    @Option(name: .customLong("web-inactividad"), help: "Minutos sin uso tras los que termina una sesión web (por omisión $SINTRA_WEB_INACTIVIDAD o 30).")
    var webIdleMinutes: Int?
    @Option(name: .customLong("web-cookie-segura"), help: "si o no: cookie de sesión web con Secure, tras HTTPS (por omisión $SINTRA_WEB_COOKIE_SEGURA o no).")
    var webSecureCookie: String?
    @OptionGroup var environment: EnvironmentOptions

    /// The levels by their Spanish names.
    static let logLevels: [String: Logger.Level] = ["depuracion": .debug, "info": .info, "aviso": .warning, "error": .error]

    /// The settings as read once (flags, environment, configuration file, defaults: `ConfigReader`).
    struct Resolved {
        var host: String, port: Int, threshold: Int, level: Logger.Level, environment: DeploymentEnvironment
        var web: WebInterface.Configuration
        var jsonLog: Bool, metricsToken: String?, proxies: TrustedProxies
        var traceCollector: String?
    }

    /// Every setting that does not parse is reported at once; none becomes a default silently.
    func resolved() throws -> Resolved {
        let config = try ConfigReader.load()
        var problems: [String] = []
        func attempt<T>(_ read: () throws -> T?) -> T? {
            do { return try read() } catch { problems.append("\(error)"); return nil }
        }
        let (portFlag, thresholdFlag, levelFlag) = (self.port, self.threshold, self.logLevel)
        let port = attempt { try config.integer(Settings.port, flag: portFlag) }
        let threshold = attempt { try config.integer(Settings.threshold, flag: thresholdFlag) }
        let level = attempt { try config.choice(Settings.logLevel, flag: levelFlag) }
        let environment = attempt { try self.environment.resolved() }
        let (idleFlag, secureFlag) = (webIdleMinutes, webSecureCookie)
        let idle = attempt { try config.integer(Settings.webIdleMinutes, flag: idleFlag) }
        let secure = attempt { try config.choice(Settings.webSecureCookie, flag: secureFlag) }
        let format = attempt { try config.choice(Settings.logFormat, flag: logFormat) }
        let proxies = TrustedProxies(list: config.text(Settings.trustedProxies, flag: trustedProxies) ?? "")
        if let given = config.text(Settings.trustedProxies, flag: trustedProxies), proxies.addresses.isEmpty, !given.isEmpty {
            problems.append("SINTRA_PROXIES_CONFIABLES: «\(given.prefix(40))» no contiene direcciones IP")
        }
        let collector = config.text(Settings.traceCollector, flag: traceCollector)
        if let collector, !collector.isEmpty, !(collector.hasPrefix("http://") || collector.hasPrefix("https://")) {
            problems.append("--trazas-otlp (SINTRA_TRAZAS_OTLP): «\(collector.prefix(60))» debe ser una URL http:// o https:// (el colector OTLP/HTTP)")
        }
        if perAddress <= 0 || perAccount <= 0 { problems.append("los límites por segundo deben ser positivos") }
        if !(1...600).contains(timeout) { problems.append("--tiempo-maximo: de 1 a 600 s") }
        guard problems.isEmpty, let port, let threshold, let level, let environment, let idle, let secure, let format else {
            throw ValidationError(problems.joined(separator: "\n"))
        }
        var web = WebInterface.Configuration()
        web.idleTimeout = TimeInterval(idle * 60)
        web.secureCookies = secure == "si"
        web.training = environment == .capacitacion
        return Resolved(host: config.text(Settings.host, flag: host) ?? "127.0.0.1", port: port, threshold: threshold,
                        level: Self.logLevels[level] ?? .info, environment: environment, web: web,
                        jsonLog: format == "json", metricsToken: config.text(Settings.metricsToken), proxies: proxies,
                        traceCollector: collector)
    }

    func validate() throws { _ = try resolved() }

    func run() async throws {
        let settings = try resolved()
        let (level, json) = (settings.level, settings.jsonLog)
        LoggingSystem.bootstrap { label in
            if json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "sintra")
        let traces = try TraceExport.start(collector: settings.traceCollector, logger: logger)

        let definitions = try command.events.load()
        let url = Self.withStatementTimeout(try command.database.resolved(), seconds: timeout)
        let store = EventStore(pool: ConnectionPool(connectionString: url, maxConnections: 16))
        let vault = try command.keys.vault(store.pool)
        // Production and training never mix: the database and the keyring must both be of this instance's environment.
        try EnvironmentOptions.require(settings.environment, keyring: vault.keyring)
        let handler = CommandHandler(definitions: definitions, store: store, vault: vault)
        let projector = try self.projector.makeProjector()
        // The API as sintra_app, the projector as sintra_proyector: neither may be able to disable the log's triggers.
        try await ConnectionPrivileges.refuseElevated(store.pool, purpose: "la API")
        try await ConnectionPrivileges.refuseElevated(projector.pool, purpose: "las proyecciones")
        try await EnvironmentOptions.require(settings.environment, database: store.pool)
        try await EnvironmentOptions.require(settings.environment, database: projector.pool)
        // And the keyring must be this database's own (issue 20): a regenerated one is refused before anything is served.
        try await KeyringOptions.requireIdentity(vault.keyring, file: try? command.keys.path(), pool: store.pool)
        // Several instances may serve one database: only the one holding the leader's lock keeps the
        // projections; the first to start brings them up to date before serving.
        let metrics = ServerMetrics()
        let leadership = ProjectionLeadership(connectionString: projector.pool.connectionString, metrics: metrics)
        if try await leadership.tryAcquire() {
            logger.info("poniendo al día las proyecciones")
            try await projector.start()
        } else {
            logger.info("otra instancia mantiene las proyecciones")
        }
        var services = APIServices(
            definitions: definitions, handler: handler, accounts: try await AccountService.make(handler: handler), projector: projector,
            cases: CaseFileReader(store: store, vault: vault, definitions: definitions), indicators: try fichas.load(), statisticsThreshold: settings.threshold)
        if let readURL = try ConfigReader.load().text(Settings.readURL) {
            services.readReplica = EventStore(pool: ConnectionPool(connectionString: Self.withStatementTimeout(readURL, seconds: timeout), maxConnections: 16))
            try await ConnectionPrivileges.refuseElevated(services.readReplica!.pool, purpose: "las lecturas de réplica")
        }
        services.metrics = metrics
        services.annualReportPlan = try AnnualReportPlan.load(eventsDirectory: URL(fileURLWithPath: command.events.resolved),
                                                              catalogue: ReportCatalogue(definitions: definitions))
        var configuration = APIServer.Configuration()
        configuration.perAddress = (perAddress, perAddress * 2)
        configuration.perAccount = (perAccount, perAccount * 2)
        configuration.metricsToken = settings.metricsToken
        configuration.trustedProxies = settings.proxies
        // Cookies marked Secure mean the site is served over HTTPS: browsers are told to keep to it.
        configuration.strictTransportSecurity = settings.web.secureCookies
        configuration.environment = settings.environment
        let server = APIServer(services: services, configuration: configuration)
        let web = try await WebInterface(services: services, configuration: settings.web)
        let (host, port) = (settings.host, settings.port)
        logger.info("SINTRA escucha", metadata: ["url": "http://\(host):\(port)", "web": "http://\(host):\(port)/",
                                                 "contrato": "http://\(host):\(port)/openapi.json", "ambiente": "\(settings.environment.rawValue)"])
        // runService handles SIGINT/SIGTERM: it stops accepting, finishes the requests in flight, then returns.
        // One service group: the HTTP server and the projector start together and stop together.
        try await server.application(host: host, port: port, logger: logger,
                                     services: [ProjectorService(projector: projector, logger: logger, leadership: leadership),
                                                 AsOfPrecomputeService(projector: projector, indicators: services.indicators, leadership: leadership, logger: logger),
                                                 IndicatorKeeperService(projector: projector, indicators: services.indicators, leadership: leadership, logger: logger)]
                                         + (traces.map { [$0] } ?? []),
                                     extend: web.register(on:)).runService()
        await store.close()
    }

    /// Every query of the API is cut at `seconds` by PostgreSQL itself (answered 503 by the API).
    static func withStatementTimeout(_ url: String, seconds: Int) -> String {
        let option = "-c statement_timeout=\(seconds * 1000)"
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            let encoded = option.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? option
            return url + (url.contains("?") ? "&" : "?") + "options=" + encoded
        }
        return url + " options='\(option)'"
    }
}
