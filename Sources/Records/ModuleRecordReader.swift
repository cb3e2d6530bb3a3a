import CanonicalJSON
import Catalog
import Commands
import Definitions
import EventLog
import Postgres
import Privacy
import Streams

/// The records of the modules beside the case files, for consultation: the list reads the `hechos`
/// projection (each record as it stands: corrections applied, annulled records gone); one record is
/// read from its stream, so its history — registered, corrected (before → after), annulled, who and
/// when — is the log's own. Personal fields are never shown here (they stay encrypted in the log).
public struct ModuleRecordReader: Sendable {
    let store: EventStore
    let definitions: DefinitionSet

    public init(store: EventStore, definitions: DefinitionSet) {
        self.store = store
        self.definitions = definitions
    }

    /// Newest first, `pageSize` at most, after the `cursor` position a previous page returned.
    public func list(_ filter: ModuleRecordFilter, pageSize: Int = 50, after cursor: Int64? = nil) async throws -> ModuleRecordPage {
        let types = try filter.validated(definitions).get()
        let size = max(1, min(pageSize, 500))
        var query = SQLQuery("SELECT flujo, tipo_evento, fecha::text, institucion, posicion, datos::text FROM proj_hechos.hechos WHERE version_flujo = 1")
        query.append(if: .array(.text(types.map(\.eventType)))) { "AND tipo_evento = ANY(\($0))" }
        query.append(if: filter.institution.map(PostgresValue.text)) { "AND institucion = \($0)" }
        query.append(if: filter.entidad.map(PostgresValue.text)) { "AND datos->'lugar'->>'entidad' = \($0)" }
        query.append(if: filter.from.map { .text($0.description) }) { "AND fecha >= \($0)::date" }
        query.append(if: filter.to.map { .text($0.description) }) { "AND fecha <= \($0)::date" }
        let containment = filter.variables.isEmpty ? nil : String(decoding: CanonicalJSON.serialize(filter.containment(types)), as: UTF8.self)
        query.append(if: containment.map(PostgresValue.text)) { "AND datos @> \($0)::jsonb" }
        query.append(if: cursor.map(PostgresValue.int64)) { "AND posicion < \($0)" }
        query.append(if: .int64(Int64(size + 1))) { "ORDER BY posicion DESC LIMIT \($0)" }
        let rows = try await store.pool.query(query.sql, query.parameters)
        let records = try rows.prefix(size).map { row in
            let type = try row.decode(String.self, 1)
            return ModuleRecordSummary(recordId: try row.decode(String.self, 0), eventType: type,
                                       module: definitions.latest(type)?.module ?? "", date: try row.decode(String.self, 2),
                                       institution: try row.decode(String.self, 3), position: try row.decode(Int64.self, 4),
                                       data: try CanonicalJSON.parse(try row.decode(String.self, 5)))
        }
        return ModuleRecordPage(records: records, next: rows.count > size ? records.last?.position : nil)
    }

    /// One record with its history; nil when no module record has that id.
    public func read(_ recordId: String) async throws -> ModuleRecord? {
        let history = try await StreamHistory.load(recordId, from: store)
        guard let opening = history.entries.first, ModuleRecordDecider.openingTypes(definitions).contains(opening.eventType) else { return nil }
        let recorded = try await store.pool.query("SELECT version, recorded_at FROM events WHERE stream_id = $1 ORDER BY version", [.text(recordId)])
        var when: [Int64: String] = [:]
        for row in recorded { when[try row.decode(Int64.self, 0)] = try row.decode(Timestamp.self, 1).iso8601 }

        var state = ModuleRecordDecider.initial
        var entries: [ModuleRecord.Change] = []
        for entry in history.entries {
            let before = Self.withoutPersonalFields(state.data)
            state = ModuleRecordDecider.evolve(state, entry)
            let after = Self.withoutPersonalFields(state.data)
            let kind: ModuleRecord.Change.Kind = switch entry.type {
            case .registroCorregido: .corregido
            case .registroAnulado: .anulado
            default: entry.version == 1 ? .registrado : .agregado
            }
            entries.append(ModuleRecord.Change(kind: kind, eventType: entry.eventType, version: entry.version, position: entry.position,
                                               recordedAt: when[entry.version] ?? "", userId: entry.userId, institution: entry.institutionId,
                                               reason: entry.payload["motivo"]?.stringValue,
                                               fields: kind == .corregido ? Self.differences(before, after) : []))
        }
        let definition = definitions.latest(opening.eventType)
        return ModuleRecord(recordId: recordId, eventType: opening.eventType, module: definition?.module ?? "",
                            institution: state.recordingInstitution ?? "", annulledOn: state.annulledOn,
                            data: Self.withoutPersonalFields(state.data), history: entries)
    }

    /// Encrypted values shown as null: this view is for everyone who may consult the module.
    static func withoutPersonalFields(_ payload: JSONValue) -> JSONValue {
        PersonalDataCipher.encryptedPaths(in: payload).reduce(payload) { FieldPath.replacing($1, in: $0, with: .null) }
    }

    /// Top-level fields whose value changed, in the record's order.
    static func differences(_ before: JSONValue, _ after: JSONValue) -> [ModuleRecord.FieldChange] {
        let keys = ((before.objectValue ?? []) + (after.objectValue ?? [])).map(\.key)
        var seen = Set<String>()
        return keys.filter { seen.insert($0).inserted }.compactMap { key in
            before[key] == after[key] ? nil : ModuleRecord.FieldChange(field: key, before: before[key] ?? .null, after: after[key] ?? .null)
        }
    }
}
