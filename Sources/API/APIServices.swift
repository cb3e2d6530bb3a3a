import Commands
import Definitions
import EventLog
import Projections

/// What the routes need, built once by `sintra serve` (or a test) and shared by every request.
public struct APIServices: Sendable {
    public let definitions: DefinitionSet
    public let handler: CommandHandler
    public let access: any AccessControl
    /// Keeps the projections following the log; `/ready` asks it whether they are caught up.
    public let projector: Projector?

    public init(definitions: DefinitionSet, handler: CommandHandler, access: any AccessControl, projector: Projector?) {
        self.definitions = definitions
        self.handler = handler
        self.access = access
        self.projector = projector
    }
}

/// Who the bearer token belongs to, and what they may do. The accounts module answers; the API
/// only asks, so every route states its check in one line and none decides on its own.
public protocol AccessControl: Sendable {
    /// The caller a bearer token stands for, or nil when it is unknown, expired or revoked.
    func caller(bearer token: String) async throws -> Caller?
    /// Whether `caller` may run `command` (on `stream`, when the command appends to one).
    /// Returns nil when allowed, or the Spanish reason it is not.
    func refusal(_ caller: Caller, command: EventDefinition, stream: String?) async throws -> String?
}
