import API
import ArgumentParser
import CanonicalJSON
import EventLog
import Foundation
import Logging
import Postgres
import Projections

/// The projector connects as `sintra_proyector` (README "Database roles"): it reads the log and writes
/// read models only. Never the owner's connection ($SINTRA_ADMIN_DATABASE_URL), who could disable the
/// log's triggers: that one is for `sintra migrate` alone.
struct ProjectorOptions: ParsableArguments {
    @Option(name: .customLong("projector-url"),
            help: "Conexión del rol de las proyecciones, sintra_proyector (por omisión $SINTRA_PROJECTOR_DATABASE_URL, luego $DATABASE_URL).")
    var projectorURL: String?
    @Option(name: .customLong("projections"), help: "Carpeta de las proyecciones (por omisión $SINTRA_PROJECTIONS_DIR o ./projections).")
    var directory: String?

    func makeProjector() throws -> Projector {
        let url = try resolvedURL()
        let folder = try ConfigReader.load().folder(Settings.projectionsDirectory, flag: directory, holding: "indicators")
        let projections = try ProjectionDefinition.loadAll(directory: URL(fileURLWithPath: folder))
        guard !projections.isEmpty else {
            throw ValidationError("no hay proyecciones en «\(folder)»: indique --projections, SINTRA_PROJECTIONS_DIR o SINTRA_ROOT (la raíz de una copia del repositorio)")
        }
        // One connection per projection rebuilding at once, plus one for status and the swap.
        return Projector(pool: ConnectionPool(connectionString: url, maxConnections: projections.count + 1), projections: projections)
    }

    func resolvedURL() throws -> String {
        try ConfigReader.load().required(Settings.projectorURL, flag: projectorURL, fallback: Settings.databaseURL, why: "falta la base de las proyecciones")
    }
}

struct ProjectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections",
        abstract: "Proyecciones (expedientes, indicadores, estadísticas): estado, reconstrucción sin interrupción, seguimiento del registro.",
        subcommands: [Status.self, Rebuild.self, Run.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Versión, punto de control, retraso respecto de la cabeza y último error de cada proyección.")
        @OptionGroup var options: ProjectorOptions
        @Option(help: "texto o json.") var format: DataFormat = .texto

        func run() async throws {
            let projector = try options.makeProjector()
            let status = try await projector.status()
            if format == .json {
                printJSON(["proyecciones": .array(status.map { item in
                    ["nombre": .string(item.name), "version": .number(Double(item.version)), "versionDefinida": .number(Double(item.definedVersion)),
                     "posicion": .number(Double(item.position)), "retraso": .number(Double(item.lag)),
                     "error": item.lastError.map(JSONValue.string) ?? .null, "posicionDelError": item.errorPosition.map { .number(Double($0)) } ?? .null]
                })])
            } else {
                var table = TextTable("proyección", "versión", "posición", "retraso", "error")
                for item in status {
                    let version = item.version == item.definedVersion ? "\(item.version)" : "\(item.version)→\(item.definedVersion)"
                    table.add(item.name, version, formatCount(item.position), formatCount(item.lag),
                              item.lastError.map { "en \(item.errorPosition ?? 0): \($0)" } ?? "—")
                }
                table.print()
            }
            if status.contains(where: { $0.lastError != nil }) { throw ExitCode(1) }
        }
    }

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reconstruye desde la posición 0 en un esquema paralelo mientras la copia vigente sigue sirviendo, y las intercambia de forma atómica.")
        @OptionGroup var options: ProjectorOptions
        @Argument(help: "Nombre de la proyección.") var name: String?
        @Flag(help: "Todas las proyecciones.") var all = false

        func validate() throws {
            if (name == nil) == !all { throw ValidationError("indique el nombre de una proyección o --all") }
        }

        func run() async throws {
            let projector = try options.makeProjector()
            let chosen = all ? projector.projections : try [name!].map { name in
                guard let projection = projector.projection(name) else {
                    throw ValidationError("no existe la proyección «\(name)»; hay: \(projector.projections.map(\.name).joined(separator: ", "))")
                }
                return projection
            }
            // Each projection reads the log on its own and writes only its own schema, so they are
            // rebuilt side by side: the whole takes as long as the slowest, not the sum.
            let started = Date()
            let progress = ProgressBar(label: "Reconstruyendo \(chosen.map(\.name).joined(separator: ", "))")
            let done = ProgressTotals(names: chosen.map(\.name))
            let durations = try await withThrowingTaskGroup(of: (String, Double).self) { group in
                for projection in chosen {
                    group.addTask {
                        let began = Date()
                        try await projector.rebuild(projection) { position, head in
                            let (sum, total) = done.update(projection.name, position, head)
                            progress.update(sum, of: total)
                        }
                        return (projection.name, Date().timeIntervalSince(began))
                    }
                }
                var durations: [String: Double] = [:]
                for try await (name, seconds) in group { durations[name] = seconds }
                return durations
            }
            progress.finish()
            let status = try await projector.status()
            for projection in chosen {
                let head = status.first { $0.name == projection.name }?.position ?? 0
                let seconds = durations[projection.name] ?? 0
                print("\(projection.name): reconstruida hasta la posición \(formatCount(head)) en \(String(format: "%.1f", seconds)) s "
                      + "(\(formatCount(Int64(Double(head) / max(seconds, 0.001)))) eventos/s)")
            }
            if chosen.count > 1 {
                let seconds = Date().timeIntervalSince(started)
                let head = status.map(\.position).max() ?? 0
                print("todas: \(String(format: "%.1f", seconds)) s en total, en paralelo (\(formatCount(Int64(Double(head) / max(seconds, 0.001)))) eventos del registro/s)")
            }
        }
    }

    /// Progress of several rebuilds at once, summed for one bar.
    final class ProgressTotals: @unchecked Sendable {
        private var positions: [String: (Int64, Int64)]
        private let lock = NSLock()
        init(names: [String]) { positions = Dictionary(uniqueKeysWithValues: names.map { ($0, (0, 0)) }) }
        func update(_ name: String, _ position: Int64, _ head: Int64) -> (Int64, Int64) {
            lock.lock()
            defer { lock.unlock() }
            positions[name] = (position, head)
            return positions.values.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pone al día las proyecciones (reconstruye las nuevas o de versión distinta) y sigue el registro hasta Ctrl-C.")
        @OptionGroup var options: ProjectorOptions
        @Flag(help: "Solo ponerlas al día y salir.") var once = false

        func run() async throws {
            let projector = try options.makeProjector()
            let progress = ProgressBar(label: "Construyendo")
            try await projector.start { _, done, total in progress.update(done, of: total) }
            progress.finish()
            for item in try await projector.status() { print("\(item.name): versión \(item.version), posición \(formatCount(item.position))") }
            if once { return }
            // Beside `sintra serve` instances: one lock decides who follows (`ProjectionLeadership`).
            print("Siguiendo el registro mientras esta instancia tenga el candado de líder de las proyecciones (Ctrl-C para salir)…")
            let leadership = ProjectionLeadership(connectionString: projector.pool.connectionString)
            try await ProjectorService(projector: projector, logger: Logger(label: "sintra"), leadership: leadership).run()
        }
    }
}

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Construye las proyecciones como estaban en una posición o fecha pasada, en esquemas de trabajo replay_<etiqueta>_<proyección>.")
    @OptionGroup var options: ProjectorOptions
    @Option(help: "Posición del registro, o fecha y hora RFC 3339 (se toman los eventos registrados hasta entonces).") var until: String
    @Option(help: "Etiqueta de los esquemas (por omisión, la posición).") var label: String?
    @Flag(help: "Conservar los esquemas; sin esta opción se borran al terminar.") var keep = false

    func run() async throws {
        let projector = try options.makeProjector()
        let position: Int64
        if let number = Int64(until), number >= 0 {
            position = number
        } else if let timestamp = Timestamp(iso8601: until) {
            position = try await projector.position(recordedAtOrBefore: timestamp)
        } else {
            throw ValidationError("«\(until)» no es una posición ni una fecha RFC 3339 (p. ej. 2024-01-31T23:59:59Z)")
        }
        let tag = label ?? "p\(position)"
        guard tag.range(of: "^[a-z0-9_]{1,30}$", options: .regularExpression) != nil else {
            throw ValidationError("la etiqueta solo admite minúsculas, dígitos y _ (hasta 30)")
        }
        let progress = ProgressBar(label: "Reproduciendo")
        let schemas = try await projector.replay(until: position, label: tag) { _, done, total in progress.update(done, of: total) }
        progress.finish()
        print("Proyecciones al estado de la posición \(formatCount(position)):")
        for (name, schema) in schemas.sorted(by: { $0.key < $1.key }) { print("  \(name): esquema \(schema)") }
        if keep {
            print("Consúltelas, p. ej.: psql -c 'SELECT estado, count(*) FROM \(schemas["expedientes"] ?? "replay_…").casos GROUP BY 1'")
            print("Bórrelas después con: DROP SCHEMA … CASCADE (o vuelva a ejecutar sin --keep)")
        } else {
            try await projector.dropReplay(label: tag)
            print("Esquemas borrados (use --keep para conservarlos y consultarlos).")
        }
    }
}
