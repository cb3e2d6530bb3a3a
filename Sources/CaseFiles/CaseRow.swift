import Catalog
import Postgres

/// A row of `proj_expedientes.casos` as the list and the case read it: one column list for both,
/// decoded by column name, so a column added or moved cannot shift the others.
enum CaseRow {
    /// The columns `summary(_:)` reads, each under the name it reads it by.
    static let columns: SQL = """
        c.expediente, c.institucion_registro, c.calidad, c.sexo, c.edad, c.nacionalidad, c.entidad_deteccion, c.municipio_deteccion,
        c.fecha_deteccion::text AS fecha_deteccion, c.estado, c.motivo_cierre, array_to_string(c.modalidades, ',') AS modalidades,
        c.validado, c.compartir, c.contar_en_estadisticas, c.datos_personales_borrados, c.version, c.posicion_registro
        """

    static func summary(_ row: PostgresRow) throws -> CaseSummary {
        let caseId = try row.decode(String.self, "expediente")
        let detected = try row.decode(String.self, "fecha_deteccion")
        guard let detectedOn = CalendarDate(detected) else {
            throw InvalidCaseValue(caseId: caseId, column: "fecha_deteccion", value: detected)
        }
        let modalities = try row.decode(String.self, "modalidades")
        return CaseSummary(
            caseId: caseId, registeringInstitution: try row.decode(String.self, "institucion_registro"),
            quality: try row.decode(String?.self, "calidad"), sex: try row.decode(String?.self, "sexo"), age: try row.decode(Int?.self, "edad"),
            nationality: try row.decode(String?.self, "nacionalidad"), entidad: try row.decode(String?.self, "entidad_deteccion"),
            municipio: try row.decode(String?.self, "municipio_deteccion"), detectedOn: detectedOn, status: try row.decode(String.self, "estado"),
            closingReason: try row.decode(String?.self, "motivo_cierre"),
            modalities: modalities.isEmpty ? [] : modalities.split(separator: ",").map(String.init),
            validated: try row.decode(Bool.self, "validado"), shareable: try row.decode(Bool?.self, "compartir"),
            countsInStatistics: try row.decode(Bool?.self, "contar_en_estadisticas"),
            personalDataErased: try row.decode(Bool.self, "datos_personales_borrados"), version: try row.decode(Int64.self, "version"),
            registeredAt: try row.decode(Int64.self, "posicion_registro"))
    }
}

/// A value the projection should never hold: reported, never replaced by a default (a case
/// detected on 1970-01-01 would be a wrong answer that looks right).
public struct InvalidCaseValue: Error, CustomStringConvertible, Sendable {
    public let caseId: String
    public let column: String
    public let value: String
    public var description: String { "case \(caseId): column \(column) holds «\(value)», which is not valid" }
}
