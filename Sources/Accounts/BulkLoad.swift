import CanonicalJSON
import Commands
import Definitions

/// A bulk load: commands one per line (JSON Lines, the envelope `Command.parse` reads), each run
/// as the account that sends the file, with that account's permissions, through the one command
/// path. A line takes effect whole or not at all; running the same file again changes nothing
/// (each line carries its idempotency key). The console (`sintra submit`) and the API
/// (`POST /v1/cargas`) share it, so a load means the same thing through either door.
public struct BulkLoad: Sendable {
    public enum Outcome: Sendable {
        case accepted(CommandResult)
        case rejected([Problem])
    }

    /// The database stopped answering at a line: the load stops there, and running the same file
    /// again resumes it (the lines already applied are recognised by their keys).
    public struct Interrupted: Error, Sendable {
        public let line: Int
        public let message: String
    }

    let commands: AuthorizedCommands
    let handler: CommandHandler

    public init(accounts: AccountService) {
        self.commands = AuthorizedCommands(accounts: accounts)
        self.handler = accounts.handler
    }

    /// Runs every non-blank line in order, reporting each outcome as it comes (line numbers from 1).
    public func run(_ text: String, as identity: Identity, client: String,
                    report: (Int, Outcome) async throws -> Void) async throws {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let parsed: Result<JSONValue, JSONParseError>
            do { parsed = .success(try CanonicalJSON.parse(String(line))) } catch { parsed = .failure(error) }
            try await report(index + 1, try await outcome(of: parsed, number: index + 1, identity: identity, client: client))
        }
    }

    /// The same for commands already parsed (the API's JSON array), numbered from 1.
    public func run(_ commands: [JSONValue], as identity: Identity, client: String,
                    report: (Int, Outcome) async throws -> Void) async throws {
        for (index, command) in commands.enumerated() {
            try await report(index + 1, try await outcome(of: .success(command), number: index + 1, identity: identity, client: client))
        }
    }

    private func outcome(of line: Result<JSONValue, JSONParseError>, number: Int, identity: Identity, client: String) async throws -> Outcome {
        let command: Command
        switch line {
        case .failure(let error):
            return .rejected([Problem(path: error.path, code: "json-invalido", message: "JSON no válido: \(error.message)")])
        case .success(let json):
            switch Command.parse(json) {
            case .failure(let rejection): return .rejected(rejection.problems)
            case .success(let parsed): command = parsed
            }
        }
        if handler.definitions.definition(forCommand: command.name)?.isInternal == true {
            return .rejected([Problem(path: "comando", code: "comando-interno",
                                      message: "«\(command.name)» lo registra SINTRA por sí mismo; no se envía en una carga")])
        }
        let context: CommandContext
        do { context = try commands.context(identity, command: command.name, client: client) } catch {
            return .rejected([Problem(path: "comando", code: "no-permitido", message: error.message)])
        }
        do {
            return .accepted(try await handler.handle(command, context: context))
        } catch .rejected(let rejection) {
            return .rejected(rejection.problems)
        } catch .forbidden(let why) {
            return .rejected([Problem(path: "flujo", code: "no-permitido", message: "no permitido: \(why)")])
        } catch .conflict(let stream, let expected, let current) {
            return .rejected([Problem(path: "versionEsperada", code: "conflicto-de-version",
                                      message: "«\(stream)» está en la versión \(current), no en la \(expected)")])
        } catch .unavailable(let message) {
            throw Interrupted(line: number, message: message)
        }
    }

    /// One line's outcome as the console's `--format json` and the API report it.
    public static func json(_ number: Int, _ outcome: Outcome) -> JSONValue {
        switch outcome {
        case .accepted(let result):
            return ["linea": .number(Double(number)), "estado": .string(result.replayed ? "ya-aplicada" : "aceptada"),
                    "evento": .string(result.eventType), "flujo": .string(result.streamId),
                    "version": .number(Double(result.streamVersion)), "posicion": .number(Double(result.position)),
                    "posiblesDuplicados": .array(result.possibleDuplicates.map { .string($0) })]
        case .rejected(let problems):
            return ["linea": .number(Double(number)), "estado": "rechazada",
                    "problemas": .array(problems.map { ["campo": .string($0.path), "codigo": .string($0.code), "mensaje": .string($0.message)] })]
        }
    }
}
