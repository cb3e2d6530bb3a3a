import CanonicalJSON
import Catalog
import Commands
import Definitions
import EventLog
import Foundation
import Postgres
import Privacy
import Projections
import Statistics
import TestDatabase

let definitions = repositoryDefinitions
let labels = Labels(catalogs: definitions.catalogs)

/// A migrated database, the command path (as the application) and a projector (as the owner).
typealias World = ProjectionWorld

extension ProjectionWorld {
    /// Brings the projections up to date and computes the report.
    func report(year: Int? = nil, threshold: Int = 10) async throws -> StatisticsReport {
        try await projector().start()
        let data = try await StatisticsSource(pool: owner).read()
        return StatisticsBuilder(labels: labels, threshold: threshold).build(data, year: year)
    }

    func data() async throws -> StatisticsData {
        try await projector().start()
        return try await StatisticsSource(pool: owner).read()
    }
}

extension StatisticsReport {
    func table(_ id: String, _ year: Int) -> StatisticsTable? { tables.first { $0.id == id && $0.year == year } }
}

extension StatisticsTable {
    /// The unprotected count of a category in an entidad (`nil` column: all entidades).
    func count(_ row: String, _ column: String? = nil) -> Int {
        guard let r = rows.firstIndex(where: { $0.code == row }) else { return 0 }
        return grid[r][column.flatMap { code in columns.firstIndex { $0.code == code } } ?? columns.count]
    }

    var total: Int { grid[rows.count][columns.count] }

    /// category → count over all entidades, for comparing with a hand-computed table.
    var rowTotals: [String: Int] { Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1.code, grid[$0][columns.count]) }) }
}

/// A person as a caseworker registers them; `entidad` is where they were detected.
func persona(_ fecha: String = "2023-03-10", sexo: String = "mujer", edad: Int = 23, entidad: String = "07", nacionalidad: String = "MEX",
             nombre: String = "Ficticia", calidad: String = "victima") -> JSONValue {
    var data: [JSONMember] = [
        .init(key: "calidad", value: .string(calidad)), .init(key: "sexo", value: .string(sexo)), .init(key: "edad", value: .number(Double(edad))),
        .init(key: "estadoCivil", value: "soltero"), .init(key: "nacionalidad", value: .string(nacionalidad)),
        .init(key: "condicionMigratoria", value: nacionalidad == "MEX" ? "no-aplica-nacional" : "situacion-irregular"),
        .init(key: "fechaDeDeteccion", value: .string(fecha)), .init(key: "institucionQueDetecta", value: "FGE-07"),
        .init(key: "formaDeDeteccion", value: "operativo-de-rescate"),
        .init(key: "lugarDeDeteccion", value: ["pais": "MEX", "entidad": .string(entidad)]),
        .init(key: "nombre", value: .string(nombre)), .init(key: "primerApellido", value: "Apellidoinventado"),
        .init(key: "relato", value: "Relato secreto de la persona registrada"),
    ]
    data.append(.init(key: "lugarDeOrigen", value: nacionalidad == "MEX" ? ["pais": "MEX", "entidad": .string(entidad)] : ["pais": .string(nacionalidad)]))
    return .object(data)
}

func victimizacion(_ fecha: String = "2023-03-11", modalidades: [String] = ["explotacion-sexual"], origen: JSONValue = ["pais": "GTM"],
                   destino: JSONValue = ["pais": "MEX", "entidad": "07"], cruce: Bool = true) -> JSONValue {
    var data: [JSONMember] = [
        .init(key: "fechaDeDocumentacion", value: .string(fecha)), .init(key: "modalidades", value: .array(modalidades.map { .string($0) })),
        .init(key: "formasDeEnganche", value: ["oferta-de-empleo"]), .init(key: "mediosDeTransporte", value: ["autobus"]),
        .init(key: "ruta", value: ["origen": origen, "destino": destino]), .init(key: "cruceDeFronteraInternacional", value: .bool(cruce)),
    ]
    if cruce { data.append(.init(key: "paisDeCruce", value: "GTM")) }
    return .object(data)
}

func consentimiento(_ contar: Bool, fecha: String = "2023-03-12") -> JSONValue {
    ["fecha": .string(fecha), "compartirConOtrasInstituciones": true, "contarEnEstadisticas": .bool(contar),
     "fundamento": "consentimiento-expreso-de-la-persona", "observaciones": "Firmó la representante Observacionsecreta"]
}

func validacion(_ version: Int, fecha: String = "2023-03-20") -> JSONValue {
    ["fecha": .string(fecha), "versionValidada": .number(Double(version))]
}

func atencion(_ fecha: String = "2023-04-01", tipo: String = "atencion-psicologica", clasificacion: String = "asistencia") -> JSONValue {
    ["fecha": .string(fecha), "tipo": .string(tipo), "clasificacion": .string(clasificacion), "institucion": "CEAV",
     "duracionMinutos": 60, "descripcion": "Descripcionsecreta de la sesión"]
}
