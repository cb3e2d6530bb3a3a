import Definitions
import Postgres

/// A correction or annulment of a module's record (`RegistroCorregido`, `RegistroAnulado`), with the
/// position of the event that opened the record: the position the indicators' provenance names, so
/// an as-of comparison can say which figure it changed ("el registro … fue anulado el …").
public struct RecordChange: Sendable, Equatable {
    public enum Kind: String, Sendable { case corregido, anulado }
    public let recordId: String
    /// The event that opened the record (`OperativoRealizado`…).
    public let openingType: String
    public let openingPosition: Int64
    public let kind: Kind
    /// The correction's or annulment's own date.
    public let date: String
    public let position: Int64

    /// Spanish, for an explanation: «el registro operativo-… (OperativoRealizado) fue anulado el 2024-03-01 (posición 57)».
    public var sentence: String {
        "el registro \(recordId) (\(openingType)) fue \(kind == .anulado ? "anulado" : "corregido") el \(date) (posición \(position))"
    }

    /// Every correction and annulment recorded after `position`, oldest first.
    public static func after(_ position: Int64, _ pool: ConnectionPool) async throws -> [RecordChange] {
        try await pool.query("""
            SELECT e.stream_id, coalesce(e.payload->'registro'->>'tipo', ''), o.position, e.event_type, coalesce(e.payload->>'fecha', ''), e.position
              FROM events e JOIN events o ON o.stream_id = e.stream_id AND o.version = 1
             WHERE e.event_type = ANY($1) AND e.position > $2
             ORDER BY e.position
            """, [.array(.text([EventType.registroCorregido.rawValue, EventType.registroAnulado.rawValue])), .int64(position)]).map { row in
            RecordChange(recordId: try row.decode(String.self, 0), openingType: try row.decode(String.self, 1), openingPosition: try row.decode(Int64.self, 2),
                         kind: try row.decode(String.self, 3) == EventType.registroAnulado.rawValue ? .anulado : .corregido,
                         date: try row.decode(String.self, 4), position: try row.decode(Int64.self, 5))
        }
    }
}
