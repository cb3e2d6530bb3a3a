import ArgumentParser
import EventLog
import Postgres
import Privacy

/// `--ambiente` / `$SINTRA_AMBIENTE`: whether this process is a production or a training instance
/// (SINTRA Capacitación). The database and the keyring say which they are too; the checks here turn a
/// mismatch into a Spanish `ERROR:` line and exit code 1, before anything is served or signed.
struct EnvironmentOptions: ParsableArguments {
    @Option(name: .customLong("ambiente"), help: "produccion o capacitacion (por omisión $SINTRA_AMBIENTE o produccion).")
    var environment: String?

    func resolved() throws -> DeploymentEnvironment {
        let name = try ConfigReader.load().choice(Settings.environment, flag: environment) ?? DeploymentEnvironment.produccion.rawValue
        return DeploymentEnvironment(rawValue: name) ?? .produccion
    }

    /// Refuses a database of another environment.
    static func require(_ configured: DeploymentEnvironment, database pool: ConnectionPool) async throws {
        do { try await DeploymentEnvironment.require(configured, database: pool) } catch let mismatch as DeploymentEnvironment.Mismatch {
            printError("ERROR: \(mismatch)")
            throw ExitCode(1)
        }
    }

    /// Refuses a keyring of another environment.
    static func require(_ configured: DeploymentEnvironment, keyring: Keyring) throws {
        guard keyring.environment == configured else {
            printError("ERROR: \(DeploymentEnvironment.Mismatch(configured: configured, found: keyring.environment, what: "el archivo de claves"))")
            throw ExitCode(1)
        }
    }
}
