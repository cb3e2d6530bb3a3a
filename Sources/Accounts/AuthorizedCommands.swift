import Commands
import Definitions

/// A command sent by an account, whichever door it comes through (an API request, a line of a
/// bulk load from the API or the console): the context it runs in carries the account and its
/// institution, never a name the caller typed, and the permissions table decides both whether the
/// account may send this command at all and whether the record it touches is within its scope.
public struct AuthorizedCommands: Sendable {
    let accounts: AccountService
    var scopes: RecordScopes { accounts.recordScopes }

    public init(accounts: AccountService) { self.accounts = accounts }

    /// The context for `identity` sending `command` through `client`; `forbidden` when no role of
    /// the account grants the command's action (or the command does not exist or is internal).
    public func context(_ identity: Identity, command: String, client: String) throws(AccountError) -> CommandContext {
        guard let definition = accounts.definitions.definition(forCommand: command), !definition.isInternal,
              let action = Authorizer.action(forCommand: command, definitions: accounts.definitions) else {
            throw .forbidden("«\(command.prefix(80))» no es un comando que una cuenta pueda enviar; consulte `sintra definitions commands`")
        }
        guard accounts.authorizer.widestScope(identity, action) != nil else {
            throw .forbidden("su cuenta no tiene permiso para «\(action.rawValue)»")
        }
        let (scopes, authorizer) = (self.scopes, accounts.authorizer)
        // Whose record it is, judged on the same reading of the stream the command is decided on.
        return CommandContext(userId: identity.userId, institutionId: identity.institution, client: client, today: .today(), authorize: { history in
            guard let record = try await scopes.scope(of: history) else { return nil }
            if case .denied(let why) = authorizer.decide(identity, action, on: record) { return why }
            return nil
        })
    }

    /// The context for an act SINTRA records on the account's behalf (a publication: an internal
    /// event no one sends as a command), allowed when any role of the account grants `action`.
    public func context(_ identity: Identity, action: Action, client: String) throws(AccountError) -> CommandContext {
        guard accounts.authorizer.widestScope(identity, action) != nil else {
            throw .forbidden("su cuenta no tiene permiso para «\(action.rawValue)»")
        }
        return CommandContext(userId: identity.userId, institutionId: identity.institution, client: client, today: .today())
    }
}
