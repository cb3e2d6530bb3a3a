import CanonicalJSON
import Catalog
import Streams
import Definitions
import EventLog
import Postgres
import Privacy

/// Reads case files for caseworkers: the list from the `expedientes` projection, one case with
/// its timeline, and exact lookup by CURP or by name through blind indexes (`CaseSearch.swift`).
///
/// Personal fields are never in the projection; they are opened from the log, with the case's
/// data key, only when the caller asks for them (`personal: true`). Who may ask, and the record
/// that they asked, belong to the API's authorisation layer, which calls this.
public struct CaseFileReader: Sendable {
    let store: EventStore
    let vault: DataKeyVault
    let definitions: DefinitionSet

    /// `store` connects as the application role: it reads the log, the projection and the blind indexes.
    public init(store: EventStore, vault: DataKeyVault, definitions: DefinitionSet) {
        self.store = store
        self.vault = vault
        self.definitions = definitions
    }

    public static let maximumPageSize = 500

    public func list(_ filter: CaseFilter, pageSize: Int = 50, after cursor: Int64? = nil) async throws -> CasePage {
        let size = max(1, min(pageSize, Self.maximumPageSize))
        let query = Self.listQuery(filter, limit: size + 1, before: cursor)
        let rows = try await store.pool.query(query.sql, query.parameters)
        let summaries = try rows.prefix(size).map(CaseRow.summary)
        return CasePage(cases: summaries, next: rows.count > size ? summaries.last?.registeredAt : nil)
    }

    /// One case: the projection's row and tables, plus the stream's events for the timeline's
    /// details, the corrections and the consent history. Nil when no such case exists.
    ///
    /// Why the attentions of one case come from its stream and not from `proj_expedientes.atenciones`:
    /// the page shows each attention whole — personal fields opened when a purpose is stated, who
    /// recorded it, corrections as before → after — and only the log holds that (the projection keeps
    /// clear fields only). One case's stream is a bounded read (tens of events) and is current the
    /// moment the append returns, with no wait for the projector. The `atenciones` table is the read
    /// model for everything that aggregates attentions across cases: lists, statistics, indicators.
    ///
    /// `authorize` sees the stream's history before anything is opened or returned, and throws to
    /// refuse: a caller that decides access by the stream (the API) reads it once, in the same round
    /// trip as the rest, instead of once to decide and again to show.
    public func read(_ caseId: String, personal: Bool,
                     authorize: (StreamHistory) async throws -> Void = { _ in }) async throws -> CaseFile? {
        var caseQuery = SQLQuery("SELECT \(CaseRow.columns) FROM proj_expedientes.casos c")
        let id = caseQuery.bind(.text(caseId))
        caseQuery.append("WHERE c.expediente = \(id)")
        // Five reads by the case's id, independent of each other: one round trip.
        let outcomes = try await store.pool.pipelineResults([
            PipelinedStatement(caseQuery.sql, caseQuery.parameters),
            StreamHistory.loadStatement(caseId),
            PipelinedStatement("SELECT posicion, coalesce(fecha::text, '') FROM proj_expedientes.historial WHERE expediente = $1", [.text(caseId)]),
            Self.referralsStatement(caseId),
            Self.possibleDuplicatesStatement(caseId),
        ])
        // The stream first: access (and "no such case") is decided on it before any other answer counts.
        let history = try StreamHistory.decoding(try outcomes[1].get(), streamId: caseId)
        try await authorize(history)
        let results = try outcomes.map { try $0.get() }
        guard let row = results[0].first else { return nil }
        let summary = try CaseRow.summary(row)
        let key = personal ? try await vault.key(subject: caseId) : nil
        let open = { (payload: JSONValue) -> JSONValue in
            personal ? PersonalDataCipher.decrypt(payload, subject: caseId, key: key).payload : CaseFile.withoutPersonalFields(payload)
        }
        var dates: [Int64: String] = [:]
        for item in results[2] { dates[try item.decode(Int64.self, 0)] = try item.decode(String.self, 1) }
        let timeline = history.entries.map { entry in
            CaseFile.TimelineEntry(position: entry.position, version: entry.version, eventType: entry.eventType,
                                   date: dates[entry.position].flatMap { $0.isEmpty ? nil : $0 }, institution: entry.institutionId,
                                   userId: entry.userId, details: open(entry.payload))
        }
        return CaseFile(
            summary: summary, victimisation: history.entries.last { $0.type == .victimizacionDocumentada }.map { open($0.payload) },
            generalData: personal ? GeneralData.current(history, subject: caseId, key: key)
                                  : CaseFile.withoutPersonalFields(GeneralData.current(history, subject: caseId, key: nil)),
            personalDataOpened: personal && key != nil,
            timeline: timeline,
            referrals: try results[3].map(Self.referral),
            institutions: Array(Set(history.entries.map(\.institutionId))).sorted(),
            possibleDuplicates: try results[4].map { try $0.decode(String.self, 0) },
            personalFields: history.entries.enumerated().flatMap { index, entry in
                PersonalDataCipher.encryptedPaths(in: entry.payload).map { "lineaDeTiempo[\(index)].\($0)" }
            })
    }

    /// The cases whose CURP, normalised, has this blind index: without the index key nobody can
    /// run this search, and the database never sees the CURP.
    public func find(curp: String) async throws -> [String] {
        let digest = BlindIndex.digest(.curp, of: BlindIndex.normalizeCURP(curp), keyring: vault.keyring)
        return try await store.pool.query("SELECT subject FROM blind_indexes WHERE kind = $1 AND digest = $2 ORDER BY 1",
                                          [.text(BlindIndex.Kind.curp.rawValue), .bytea(digest)]).map { try $0.decode(String.self, 0) }
    }

    /// Cases whose CURP or name-and-birth-date index matches this one's (never a name token: a
    /// shared first name is not the same person) and that nobody has yet declared the same person
    /// or a different one.
    static func possibleDuplicatesStatement(_ caseId: String) -> PipelinedStatement {
        PipelinedStatement("""
            SELECT DISTINCT other.subject FROM blind_indexes mine
              JOIN blind_indexes other ON other.kind = mine.kind AND other.digest = mine.digest AND other.subject <> mine.subject
             WHERE mine.subject = $1 AND mine.kind = ANY ($2)
               AND NOT EXISTS (SELECT 1 FROM proj_expedientes.vinculos v
                                WHERE (v.expediente = $1 AND v.otro = other.subject) OR (v.expediente = other.subject AND v.otro = $1))
             ORDER BY 1
            """, [.text(caseId), .array(.text(BlindIndex.Kind.duplicateEvidence.map(\.rawValue)))])
    }

    /// Referrals an institution received or sent, newest first, with their case: the web's inbox
    /// (`Bandeja`). Only case ids, folios, institutions and dates: nothing personal.
    public func referrals(involving institution: String, limit: Int = 200) async throws -> [(caseId: String, referral: CaseFile.Referral)] {
        try await store.pool.query("""
            SELECT expediente, folio, fecha::text, institucion_origen, institucion_destino, estado, fecha_respuesta::text
              FROM proj_expedientes.canalizaciones WHERE institucion_destino = $1 OR institucion_origen = $1
             ORDER BY posicion DESC LIMIT $2
            """, [.text(institution), .int64(Int64(limit))]).map { row in
            (try row.decode(String.self, 0),
             CaseFile.Referral(folio: try row.decode(String.self, 1), date: try row.decode(String.self, 2), from: try row.decode(String.self, 3),
                               to: try row.decode(String.self, 4), status: try row.decode(String.self, 5), answeredOn: try row.decode(String?.self, 6)))
        }
    }

    /// A case's referrals, oldest first (rows for `referral`).
    static func referralsStatement(_ caseId: String) -> PipelinedStatement {
        PipelinedStatement("""
            SELECT folio, fecha::text, institucion_origen, institucion_destino, estado, fecha_respuesta::text
              FROM proj_expedientes.canalizaciones WHERE expediente = $1 ORDER BY posicion
            """, [.text(caseId)])
    }

    static func referral(_ row: PostgresRow) throws -> CaseFile.Referral {
        CaseFile.Referral(folio: try row.decode(String.self, 0), date: try row.decode(String.self, 1), from: try row.decode(String.self, 2),
                          to: try row.decode(String.self, 3), status: try row.decode(String.self, 4), answeredOn: try row.decode(String?.self, 5))
    }
}
