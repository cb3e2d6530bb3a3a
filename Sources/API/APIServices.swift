import Accounts
import AnnualReport
import CaseFiles
import Commands
import Definitions
import EventLog
import Indicators
import Postgres
import Projections
import Statistics

/// What the routes need, built once by `sintra serve` (or a test) and shared by every request.
public struct APIServices: Sendable {
    public let definitions: DefinitionSet
    public let handler: CommandHandler
    /// Logins, tokens, and the permissions table every route asks before it acts.
    public let accounts: AccountService
    /// Keeps the projections following the log; `/ready` asks it whether they are caught up.
    public let projector: Projector?
    public let cases: CaseFileReader
    public let indicators: [IndicatorDefinition]
    /// The suppression threshold of public statistics: the server's, never the client's (two
    /// thresholds side by side would let anyone recover suppressed figures by difference).
    public let statisticsThreshold: Int
    let scopes: RecordScopes
    /// First answers of the writes that are not commands, by account and Idempotency-Key.
    let idempotentWrites: IdempotentWrites
    /// Commands sent by an account, authorised by the permissions table (API, bulk loads).
    let commands: AuthorizedCommands
    /// Opening personal data, recorded the same way as from the console.
    let personalData: PersonalDataAccess
    /// The anonymous statistics, computed once per change (nil without a projector).
    public private(set) var publicStatistics: PublicStatistics?
    /// The reports of the annual report (`events/reportes/informe-anual.json`); without it
    /// `/v1/informe-anual/{anio}` answers 503.
    public var annualReportPlan: AnnualReportPlan?
    /// A read replica (`SINTRA_READ_DATABASE_URL`) for the API's case-file list and reads, today's
    /// indicators, report runs and live statistics; nil: they go to the primary. A case read with a
    /// position token waits until the replica holds that write.
    public var readReplica: EventStore? {
        didSet { publicStatistics = publicStatistics?.reading(from: readReplica?.pool) }
    }
    /// What `/metrics` serves (`ServerMetrics`).
    public var metrics = ServerMetrics()

    public init(definitions: DefinitionSet, handler: CommandHandler, accounts: AccountService, projector: Projector?,
                cases: CaseFileReader, indicators: [IndicatorDefinition], statisticsThreshold: Int) {
        self.definitions = definitions
        self.handler = handler
        self.accounts = accounts
        self.projector = projector
        self.cases = cases
        self.indicators = indicators
        self.statisticsThreshold = statisticsThreshold
        self.scopes = accounts.recordScopes
        self.idempotentWrites = IdempotentWrites(pool: handler.store.pool, keyring: handler.vault.keyring)
        self.personalData = PersonalDataAccess(accounts: accounts)
        self.commands = AuthorizedCommands(accounts: accounts)
        self.publicStatistics = projector.map { PublicStatistics(projector: $0, labels: Labels(catalogs: definitions.catalogs), threshold: statisticsThreshold) }
    }

    var store: EventStore { handler.store }

    /// Where today's indicators, report runs and live statistics are read: the read replica when
    /// there is one (its projections trail the primary's by the replication lag; an aggregate a few
    /// milliseconds old is what a report asks for), else the projector's pool. Answers "as of" a past
    /// date stay on the primary: they rebuild scratch copies of projections, which a standby cannot write.
    public func analyticsPool(_ projector: Projector) -> ConnectionPool { readReplica?.pool ?? projector.pool }

    /// Where the API reads case files: the read replica when there is one.
    var caseReads: CaseFileReader {
        readReplica.map { CaseFileReader(store: $0, vault: handler.vault, definitions: definitions) } ?? cases
    }
}
