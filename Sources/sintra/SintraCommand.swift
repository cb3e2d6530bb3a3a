import ArgumentParser
import CanonicalJSON

@main
struct Sintra: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sintra",
        abstract: "SINTRA: registro de eventos del Sistema Nacional de Información en materia de Trata de Personas.",
        version: sintraVersion,
        subcommands: [Migrate.self, Verify.self, LogCommand.self, Checkpoint.self, Keygen.self, Export.self,
                      DefinitionsCommand.self, KeysCommand.self, Submit.self, DemoCommand.self,
                      ProjectionsCommand.self, Replay.self, IndicatorsCommand.self, Publish.self, Publications.self, CasesCommand.self,
                      StatsCommand.self, AccountsCommand.self, Serve.self])
}

/// What `sintra --version` prints; raised with each release.
let sintraVersion = "1.1.0"

/// The one `--format` of the commands that print data: texto for a person, json for a program.
enum DataFormat: String, ExpressibleByArgument, CaseIterable { case texto, json }

/// Prints a JSON value as one document on standard output.
func printJSON(_ value: JSONValue) {
    print(String(decoding: CanonicalJSON.serialize(value), as: UTF8.self))
}

/// Where to connect. Anything libpq accepts: a URI or key=value pairs (`host=/ruta/al/socket dbname=sintra`).
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "Conexión de la aplicación (por omisión $DATABASE_URL).")
    var databaseURL: String?

    func resolved() throws -> String {
        if let databaseURL { return databaseURL }
        if let fromEnvironment = Environment.value("DATABASE_URL") { return fromEnvironment }
        throw ValidationError("indique la base de datos con --database-url o la variable DATABASE_URL")
    }
}
