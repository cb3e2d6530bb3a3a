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
import Metrics
import Postgres
import Privacy
import Prometheus
import Statistics

/// `sintra serve`: the restricted-access HTTP API, with the projector following the log beside it.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sirve la API HTTP (contrato en /openapi.json) y mantiene las proyecciones al día; Ctrl-C o SIGTERM terminan las solicitudes en curso y salen.")
    @OptionGroup var command: CommandOptions
    @OptionGroup var projector: ProjectorOptions
    @OptionGroup var fichas: IndicatorFolderOptions
    @Option(help: "Dirección en que escucha.") var host = Environment.value("SINTRA_HOST") ?? "127.0.0.1"
    @Option(help: "Puerto (por omisión $SINTRA_PORT o 8080).") var port: Int?
    @Option(name: .customLong("umbral"), help: "Umbral de supresión de las estadísticas públicas (por omisión $SINTRA_UMBRAL o 10).")
    var threshold: Int?

    var resolvedPort: Int { port ?? Environment.value("SINTRA_PORT").flatMap { Int($0) } ?? 8080 }

    /// --umbral, else $SINTRA_UMBRAL, else the default (validate refuses an unparsable variable first).
    var resolvedThreshold: Int { threshold ?? Environment.value("SINTRA_UMBRAL").flatMap { Int($0) } ?? StatisticsBuilder.defaultThreshold }
    @Option(name: .customLong("limite-por-direccion"), help: "Solicitudes por segundo por dirección (ráfaga: el doble).") var perAddress = 100.0
    @Option(name: .customLong("limite-por-cuenta"), help: "Solicitudes por segundo por cuenta (ráfaga: el doble).") var perAccount = 50.0
    @Option(name: .customLong("tiempo-maximo"), help: "Segundos máximos de una consulta a la base (statement_timeout).") var timeout = 25
    @Option(name: .customLong("registro"),
            help: "Nivel del registro en stderr: depuracion, info (una línea por solicitud), aviso o error (por omisión $SINTRA_REGISTRO o info).")
    var logLevel = Environment.value("SINTRA_REGISTRO") ?? "info"

    /// The levels by their Spanish names.
    static let logLevels: [String: Logger.Level] = ["depuracion": .debug, "info": .info, "aviso": .warning, "error": .error]

    func validate() throws {
        var problems: [String] = []
        if port == nil, let text = Environment.value("SINTRA_PORT"), Int(text) == nil { problems.append("SINTRA_PORT: «\(text.prefix(20))» no es un número de puerto") }
        if !(1...65535).contains(resolvedPort) { problems.append("--port (o SINTRA_PORT): de 1 a 65535") }
        // An unparsable $SINTRA_UMBRAL used to become 10 silently: a setting that does not parse is an error.
        if threshold == nil, let text = Environment.value("SINTRA_UMBRAL"), Int(text) == nil {
            problems.append("SINTRA_UMBRAL: «\(text.prefix(20))» no es un número entero (se suprime toda cifra de 1 al umbral; al menos 1)")
        }
        if resolvedThreshold < 1 { problems.append("--umbral (o SINTRA_UMBRAL): al menos 1") }
        if perAddress <= 0 || perAccount <= 0 { problems.append("los límites por segundo deben ser positivos") }
        if !(1...600).contains(timeout) { problems.append("--tiempo-maximo: de 1 a 600 s") }
        if Self.logLevels[logLevel] == nil { problems.append("--registro: depuracion, info, aviso o error") }
        if !problems.isEmpty { throw ValidationError(problems.joined(separator: "\n")) }
    }

    func run() async throws {
        let level = Self.logLevels[logLevel] ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "sintra")

        let definitions = try command.events.load()
        let url = Self.withStatementTimeout(try command.database.resolved(), seconds: timeout)
        let store = EventStore(pool: ConnectionPool(connectionString: url, maxConnections: 16))
        let vault = try command.keys.vault(store.pool)
        let handler = CommandHandler(definitions: definitions, store: store, vault: vault)
        let projector = try self.projector.makeProjector()
        // The API as sintra_app, the projector as sintra_proyector: neither may be able to disable the log's triggers.
        try await ConnectionPrivileges.refuseElevated(store.pool, purpose: "la API")
        try await ConnectionPrivileges.refuseElevated(projector.pool, purpose: "las proyecciones")
        logger.info("poniendo al día las proyecciones")
        try await projector.start()
        let services = APIServices(
            definitions: definitions, handler: handler, accounts: try await AccountService.make(handler: handler), projector: projector,
            cases: CaseFileReader(store: store, vault: vault, definitions: definitions), indicators: try fichas.load(), statisticsThreshold: resolvedThreshold)
        var configuration = APIServer.Configuration()
        configuration.perAddress = (perAddress, perAddress * 2)
        configuration.perAccount = (perAccount, perAccount * 2)
        configuration.metrics = registry
        let server = APIServer(services: services, configuration: configuration)
        // A projection that stops (an event it cannot apply) is logged and retried; /ready says 503 meanwhile.
        let following = Task {
            while !Task.isCancelled {
                do { try await projector.follow() } catch {
                    logger.error("proyecciones detenidas; se reintenta en 5 s", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(5))
                }
            }
        }
        logger.info("SINTRA escucha", metadata: ["url": "http://\(host):\(resolvedPort)", "contrato": "http://\(host):\(resolvedPort)/openapi.json"])
        // runService handles SIGINT/SIGTERM: it stops accepting, finishes the requests in flight, then returns.
        try await server.application(host: host, port: resolvedPort, logger: logger).runService()
        following.cancel()
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
