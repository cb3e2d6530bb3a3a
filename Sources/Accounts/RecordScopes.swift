import CanonicalJSON
import Commands
import Definitions
import Streams

/// The scope of any existing record (stream), read from the log so it is never behind: who
/// recorded it and for which institution (its first event's metadata), its entidad, and, for a
/// case, the institutions it was referred to while its person consents to sharing. Only
/// non-personal fields are read; nothing is decrypted.
public struct RecordScopes: Sendable {
    let histories: StreamHistories
    let directory: AccountDirectory
    let definitions: DefinitionSet

    /// `histories` is the command handler's, so a command's stream is read once for both its
    /// authorisation and its rules.
    public init(histories: StreamHistories, directory: AccountDirectory, definitions: DefinitionSet) {
        self.histories = histories
        self.directory = directory
        self.definitions = definitions
    }

    /// Nil when the stream does not exist.
    public func scope(of streamId: String) async throws -> RecordScope? {
        try await scope(of: try await histories.current(streamId))
    }

    /// The scope `history` gives its stream; nil when the stream does not exist.
    public func scope(of history: StreamHistory) async throws -> RecordScope? {
        guard let first = history.entries.first else { return nil }
        if history.streamType == "Usuario",
           let account = AccountDirectory.fold(history.streamId, history.entries.map { ($0.eventType, $0.payload, $0.version) }) {
            // An account is "recorded by" itself: `propios` on an account means one's own.
            let entidad = try await institutionEntidad(account.institution)
            return RecordScope(recordingUser: history.streamId, recordingInstitution: account.institution, entidad: entidad)
        }
        var scope = RecordScope(recordingUser: first.userId, recordingInstitution: first.institutionId,
                                entidad: try await institutionEntidad(first.institutionId))
        guard history.streamType == "Expediente" else { return scope }
        let payloads = history.entries.map { ($0.eventType, $0.payload) }
        scope.entidad = Self.detectionEntidad(payloads) ?? scope.entidad
        scope.sharedWith = Self.sharedWith(payloads)
        return scope
    }

    /// Where the case was detected, as corrected last.
    static func detectionEntidad(_ events: [(type: String, payload: JSONValue)]) -> String? {
        var entidad: String?
        for event in events {
            switch EventType(rawValue: event.type) {
            case .victimaRegistrada: entidad = event.payload["lugarDeDeteccion"]?["entidad"]?.stringValue
            case .datosGeneralesCorregidos:
                if let place = event.payload["correcciones"]?["lugarDeDeteccion"] { entidad = place["entidad"]?.stringValue }
            default: break
            }
        }
        return entidad
    }

    /// Institutions a case was referred to and that did not reject it, if the latest consent allows
    /// sharing (no consent recorded: not shared).
    static func sharedWith(_ events: [(type: String, payload: JSONValue)]) -> Set<String> {
        let consent = events.last { $0.type == EventType.consentimientoRegistrado.rawValue }?.payload["compartirConOtrasInstituciones"]?.boolValue
        guard consent == true else { return [] }
        let rejected = Set(events.filter { $0.type == EventType.canalizacionRechazada.rawValue }.compactMap { $0.payload["folio"]?.stringValue })
        return Set(events.filter { $0.type == EventType.canalizacionSolicitada.rawValue }
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
