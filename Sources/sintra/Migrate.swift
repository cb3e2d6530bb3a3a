import ArgumentParser
import EventLog
import Foundation
import Postgres

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Aplica las migraciones pendientes de migrations/ (como dueño de la base de datos) y marca el ambiente de una base nueva.",
        discussion: """
            Una base sin marca toma el ambiente de --ambiente o $SINTRA_AMBIENTE (produccion por omisión); una ya marcada \
            lo conserva, y pedir otro es un error. Solo una base sin eventos puede marcarse como de capacitación.
            """)

    @Option(name: .customLong("admin-url"),
            help: "Conexión del dueño de la base (por omisión $SINTRA_ADMIN_DATABASE_URL, luego $DATABASE_URL).")
    var adminURL: String?

    @Option(help: "Carpeta de las migraciones (por omisión $SINTRA_MIGRATIONS_DIR, o la carpeta migrations/ del repositorio donde se compiló sintra).")
    var directory: String?

    @OptionGroup var environment: EnvironmentOptions

    /// The migrations, found as README "The `sintra` command" says; a usage error when there are none.
    static func migrator(directory: String?) throws -> Migrator {
        let config = try ConfigReader.load()
        guard let folder = config.text(Settings.migrationsDirectory, flag: directory).map({ URL(fileURLWithPath: $0) }) ?? Migrator.defaultDirectory() else {
            throw ValidationError("no se encontraron las migraciones: indique la carpeta migrations/ del repositorio con --directory o SINTRA_MIGRATIONS_DIR")
        }
        let migrator: Migrator
        do { migrator = try Migrator(directory: folder) } catch let failure as Migrator.Failure { throw ValidationError(failure.description) }
        guard !migrator.migrations.isEmpty else { throw ValidationError("la carpeta «\(folder.path)» no contiene migraciones (NNNN_nombre.sql)") }
        return migrator
    }

    func run() async throws {
        let config = try ConfigReader.load()
        let url = try config.required(Settings.adminURL, flag: adminURL, fallback: Settings.databaseURL, why: "falta la base que migrar")
        let wanted = try environment.resolved()
        let migrator = try Self.migrator(directory: directory)
        let connection = try await PostgresConnection.connect(url)
        let applied: [String]
        do {
            applied = try await migrator.migrate(connection)
            try await DeploymentEnvironment.establish(wanted, on: connection)
        } catch let mismatch as DeploymentEnvironment.Mismatch {
            await connection.close()
            printError("ERROR: \(mismatch)")
            throw ExitCode(1)
        } catch let error as PostgresError where error.sqlState == "SI010" {
            await connection.close()
            printError("ERROR: \(error.message)")
            throw ExitCode(1)
        }
        await connection.close()
        if applied.isEmpty {
            print("La base de datos ya está al día (\(migrator.migrations.count) migraciones).")
        } else {
            for name in applied { print("aplicada \(name)") }
            print("\(applied.count) migraciones aplicadas; \(migrator.migrations.count) en total.")
        }
        if wanted == .capacitacion { print("Ambiente de la base: capacitación (SINTRA Capacitación).") }
    }
}
