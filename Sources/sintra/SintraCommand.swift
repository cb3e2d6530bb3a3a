import ArgumentParser
import CanonicalJSON
import EventLog

@main
struct Sintra: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sintra",
        abstract: "SINTRA: registro de eventos del Sistema Nacional de Información en materia de Trata de Personas.",
        version: sintraVersion,
        subcommands: [Migrate.self, Verify.self, LogCommand.self, Checkpoint.self, Keygen.self, Export.self,
                      DefinitionsCommand.self, KeysCommand.self, Submit.self, DemoCommand.self,
                      ProjectionsCommand.self, Replay.self, IndicatorsCommand.self, Publish.self, Publications.self, CasesCommand.self,
                      StatsCommand.self, ReportsCommand.self, AnnualReportCommand.self, AccountsCommand.self, Serve.self, ConfigurationCommand.self, RecordsCommand.self, TrainingCommand.self, Doctor.self])
}

/// What `sintra --version` prints; raised with each release.
let sintraVersion = "1.1.0"

/// The one `--format` of the commands that print data: texto for a person, json for a program.
enum DataFormat: String, ExpressibleByArgument, CaseIterable { case texto, json }

/// Prints a JSON value as one document on standard output.
func printJSON(_ value: JSONValue, training: Bool = false) {
    print(String(decoding: CanonicalJSON.serialize(training ? TrainingMark.json(value) : value), as: UTF8.self))
}

/// Where to connect. Anything libpq accepts: a URI or key=value pairs (`host=/ruta/al/socket dbname=sintra`).
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "Conexión de la aplicación (por omisión $DATABASE_URL).")
    var databaseURL: String?

    func resolved() throws -> String {
        try ConfigReader.load().required(Settings.databaseURL, flag: databaseURL, why: "falta la base de datos")
    }
}
