import CanonicalJSON
import Postgres

/// A report saved with a name (`ReporteGuardado`, command `guardar-reporte`): the latest saved under
/// each name stands; an annulled one (`anular-registro`) is gone, as every annulled record.
public struct SavedReport: Sendable {
    public let name: String
    public let description: String?
    /// The definition as saved; checked again against the variables each time it runs.
    public let document: JSONValue
    public let position: Int64
    /// Who saved it: the institution of the account that recorded it, and the day.
    public let institution: String
    public let date: String
}

/// Reads the saved reports from the `hechos` projection (live), where every event outside the case files is.
public struct SavedReports: Sendable {
    let pool: ConnectionPool

    public init(pool: ConnectionPool) { self.pool = pool }

    public func all() async throws -> [SavedReport] {
        try await pool.query("""
            SELECT DISTINCT ON (datos->>'nombre') datos->>'nombre', datos->>'descripcion', (datos->'definicion')::text, posicion, institucion, fecha::text
              FROM proj_hechos.hechos
             WHERE tipo_evento = 'ReporteGuardado'
             ORDER BY datos->>'nombre', posicion DESC
            """).map { row in
            SavedReport(name: try row.decode(String.self, 0), description: try row.decode(String?.self, 1),
                        document: try CanonicalJSON.parse(Array(try row.decode(String.self, 2).utf8)), position: try row.decode(Int64.self, 3),
                        institution: try row.decode(String.self, 4), date: try row.decode(String.self, 5))
        }
    }

    public func named(_ name: String) async throws -> SavedReport? {
        try await all().first { $0.name == name }
    }
}
