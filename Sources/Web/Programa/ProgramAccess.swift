import Accounts
import API
import Catalog
import Postgres
import Projections

/// What the Secretaría Técnica's pages ask before they act: the same permissions table the API's
/// `requireScope` asks (an action any role of the account holds), and the projector the figures
/// are computed from.
extension WebInterface {
    func require(_ session: WebSession, _ action: Action) throws {
        guard services.accounts.authorizer.widestScope(session.identity, action) != nil else {
            throw WebError.forbidden("su cuenta no tiene permiso para «\(action.rawValue)»")
        }
    }

    var projector: Projector {
        get throws {
            guard let projector = services.projector else { throw WebError.unavailable }
            return projector
        }
    }
}

/// The years of the PNTdP annex (2019–2024) and a year or a date read from a link, checked.
enum ProgramYears {
    static let annex = Array(2019...2024)

    static func year(_ text: String?, in range: ClosedRange<Int> = 2019...2024) throws -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard let year = Int(text), range.contains(year) else {
            throw WebError.badRequest("Año: escriba un año entre \(range.lowerBound) y \(range.upperBound).")
        }
        return year
    }

    /// A past or present day, `AAAA-MM-DD`; a day after today is refused (nothing was recorded then).
    static func date(_ text: String?) throws -> CalendarDate? {
        guard let text, !text.isEmpty else { return nil }
        guard let date = CalendarDate(text) else { throw WebError.badRequest("Fecha: escriba una fecha AAAA-MM-DD, por ejemplo 2024-01-31.") }
        guard date <= .today() else { throw WebError.badRequest("Fecha: el \(date) todavía no llega; elija hoy o un día anterior.") }
        return date
    }
}

/// The events behind a figure, named for a reader: type, record, institution and day — never the
/// payload (a case's event could carry personal data, encrypted or not).
struct ProvenanceEvent {
    let position: Int64
    let type: String
    let stream: String
    let institution: String
    let recorded: String

    static let shownAtMost = 200

    static func load(_ positions: [Int64], _ pool: ConnectionPool) async throws -> [ProvenanceEvent] {
        guard !positions.isEmpty else { return [] }
        return try await pool.query("""
            SELECT position, event_type, stream_id, metadata->>'institutionId', to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')
              FROM events WHERE position = ANY($1) ORDER BY position
            """, [.array(.int64(Array(positions.prefix(shownAtMost))))]).map { row in
            ProvenanceEvent(position: try row.decode(Int64.self, 0), type: try row.decode(String.self, 1), stream: try row.decode(String.self, 2),
                            institution: try row.decode(String?.self, 3) ?? "—", recorded: try row.decode(String.self, 4))
        }
    }

    var view: [String: Any] {
        ["posicion": String(position), "tipo": type, "registro": stream, "institucion": institution, "fecha": recorded]
    }
}
