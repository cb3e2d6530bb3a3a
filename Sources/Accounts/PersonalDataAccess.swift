import CanonicalJSON
import Catalog
import Commands
import Foundation

/// Opening personal data is the same act whichever door it comes through (the API, the console):
/// an account the permissions table allows, a stated purpose, and a `DatosPersonalesConsultados`
/// event recorded *before* the data leaves, attributed to that account. An auditor then finds every
/// read in one place (`GET /v1/auditoria/consultas/{expediente}`), whoever made it and how.
public struct PersonalDataAccess: Sendable {
    let accounts: AccountService
    var scopes: RecordScopes { accounts.recordScopes }

    public init(accounts: AccountService) { self.accounts = accounts }

    /// The shortest purpose accepted: "consulta" alone says nothing an auditor can check.
    public static let minimumPurposeLength = 10

    /// Refuses unless `identity` may open the personal data of `record` (a case file or an
    /// account) with this purpose: `notFound` when the record does not exist, `forbidden` with the
    /// table's reason otherwise.
    public func authorize(_ identity: Identity, record: String, purpose: String) async throws(AccountError) {
        guard purpose.trimmingCharacters(in: .whitespacesAndNewlines).count >= Self.minimumPurposeLength else {
            throw .problem("finalidad", "finalidad-requerida",
                           "para abrir datos personales declare la finalidad (al menos \(Self.minimumPurposeLength) caracteres)")
        }
        guard let scope = try await accounts.database({ try await scopes.scope(of: record) }) else {
            throw .notFound("«\(record.prefix(80))»")
        }
        let action: Action = scope.recordingUser == record ? .leerCuentas : .leerDatosPersonales
        if case .denied(let why) = accounts.authorizer.decide(identity, action, on: scope, reason: purpose) { throw .forbidden(why) }
    }

    /// Records that `identity` opened `fields` of `record` for `purpose` (through `client`:
    /// "api/1", "consola"…). Call it before showing anything; if it fails, show nothing.
    public func record(_ record: String, fields: [String], purpose: String, by identity: Identity, client: String) async throws(AccountError) {
        let data: JSONValue = ["fecha": .string(CalendarDate.today().description), "expediente": .string(record),
                               "campos": .array((fields.isEmpty ? ["ninguno"] : fields).map(JSONValue.string)),
                               "finalidad": .string(purpose.trimmingCharacters(in: .whitespacesAndNewlines))]
        let context = CommandContext(userId: identity.userId, institutionId: identity.institution, client: client, today: .today())
        let command = Command(name: "registrar-consulta-de-datos-personales", data: data, idempotencyKey: UUID().uuidString.lowercased())
        do { _ = try await accounts.handler.handle(command, context: context) } catch { throw AccountError.from(error) }
    }
}
