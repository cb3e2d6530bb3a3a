import CanonicalJSON
import Definitions
import EventLog
import Postgres

/// The scope of any existing record (stream), read from the log so it is never behind: who
/// recorded it and for which institution (its first event's metadata), its entidad, and, for a
/// case, the institutions it was referred to while its person consents to sharing. Only
/// non-personal fields are read; nothing is decrypted.
public struct RecordScopes: Sendable {
    let store: EventStore
    let directory: AccountDirectory
    let definitions: DefinitionSet

    public init(store: EventStore, directory: AccountDirectory, definitions: DefinitionSet) {
        self.store = store
        self.directory = directory
        self.definitions = definitions
    }

    /// Nil when the stream does not exist.
    public func scope(of streamId: String) async throws -> RecordScope? {
        // Only the events that decide the scope: every request asks, and a case's attentions
        // (most of its events) never change who may see it.
        let rows = try await store.pool.query("""
            SELECT stream_type, event_type, payload::text, metadata::text FROM events
             WHERE stream_id = $1
               AND (version = 1 OR event_type IN ('DatosGeneralesCorregidos', 'ConsentimientoRegistrado',
                                                   'CanalizacionSolicitada', 'CanalizacionRechazada'))
             ORDER BY version
            """, [.text(streamId)])
        let events = try rows.map { row in
            (streamType: try row.decode(String.self, 0), eventType: try row.decode(String.self, 1),
             payload: try row.decode(String.self, 2), metadata: try row.decode(String.self, 3))
        }
        guard let first = events.first else { return nil }
        if first.streamType == "Usuario", let account = try await directory.account(streamId) {
            // An account is "recorded by" itself: `propios` on an account means one's own.
            let entidad = try await institutionEntidad(account.institution)
            return RecordScope(recordingUser: streamId, recordingInstitution: account.institution, entidad: entidad)
        }
        let metadata = (try? CanonicalJSON.parse(first.metadata)) ?? .null
        let institution = metadata["institutionId"]?.stringValue ?? ""
        var scope = RecordScope(recordingUser: metadata["userId"]?.stringValue, recordingInstitution: institution,
                                entidad: try await institutionEntidad(institution))
        guard first.streamType == "Expediente" else { return scope }
        let payloads = events.map { ($0.eventType, (try? CanonicalJSON.parse($0.payload)) ?? .null) }
        scope.entidad = Self.detectionEntidad(payloads) ?? scope.entidad
        scope.sharedWith = Self.sharedWith(payloads)
        return scope
    }

    /// Where the case was detected, as corrected last.
    static func detectionEntidad(_ events: [(type: String, payload: JSONValue)]) -> String? {
        var entidad: String?
        for event in events {
            switch event.type {
            case "VictimaRegistrada": entidad = event.payload["lugarDeDeteccion"]?["entidad"]?.stringValue
            case "DatosGeneralesCorregidos":
                if let place = event.payload["correcciones"]?["lugarDeDeteccion"] { entidad = place["entidad"]?.stringValue }
            default: break
            }
        }
        return entidad
    }

    /// Institutions a case was referred to and that did not reject it, if the latest consent allows
    /// sharing (no consent recorded: not shared).
    static func sharedWith(_ events: [(type: String, payload: JSONValue)]) -> Set<String> {
        let consent = events.last { $0.type == "ConsentimientoRegistrado" }?.payload["compartirConOtrasInstituciones"]?.boolValue
        guard consent == true else { return [] }
        let rejected = Set(events.filter { $0.type == "CanalizacionRechazada" }.compactMap { $0.payload["folio"]?.stringValue })
        return Set(events.filter { $0.type == "CanalizacionSolicitada" }
            .filter { !rejected.contains($0.payload["folio"]?.stringValue ?? "") }
            .compactMap { $0.payload["institucionDestino"]?.stringValue })
    }

    /// The entidad of a registered institution, else of the catalogue's (records loaded before the
    /// institution had accounts name catalogue institutions).
    private func institutionEntidad(_ clave: String) async throws -> String? {
        if let registered = try await directory.institution(clave) { return registered.entidad }
        return definitions.catalogs.catalogs["instituciones"]?.value(clave)?.extra["entidad"]?.stringValue
    }
}
