import EventLog
import Postgres

/// Everything the tables are computed from, read from the `estadisticas` projection in one snapshot.
public struct StatisticsData: Sendable {
    public var cases: [CaseRecord] = []
    public var links: [CaseLink] = []
    /// Validated attentions (recorded at or before the validated version of their case), grouped.
    public var attentions: [AttentionCount] = []
    public var operations: [OperationRecord] = []
    public var trainings: [TrainingRecord] = []
    public var disseminations: [DisseminationRecord] = []
    /// The log position the projection stood at.
    public var position: Int64 = 0
    /// The environment of the database the figures come from: a SINTRA Capacitación database's
    /// figures carry the mark in every output, whoever renders them (issue 16).
    public var environment: DeploymentEnvironment = .produccion

    public init() {}
}

public struct AttentionCount: Sendable {
    public let caseId: String
    public let year: Int
    public let type: String
    public let classification: String
    public let count: Int
}

public struct OperationRecord: Sendable {
    public let year: Int
    public let entidad: String?
    public let placeType: String?
    public let women: Int, men: Int, other: Int
}

public struct TrainingRecord: Sendable {
    public let year: Int
    public let entidad: String?
    public let eventType: String
    public let populations: [String]
    public let participants: Int, women: Int, men: Int, other: Int
}

public struct DisseminationRecord: Sendable {
    public let year: Int
    public let entidad: String?
    public let actionType: String
}

/// Reads the projection: the live schema `proj_estadisticas`, or a replay's scratch schema.
public struct StatisticsSource: Sendable {
    let pool: ConnectionPool
    let schema: String
    /// Fixed position of a replayed schema; nil reads it from `projection_state`.
    let position: Int64?

    public init(pool: ConnectionPool, schema: String = "proj_estadisticas", position: Int64? = nil) {
        self.pool = pool
        self.schema = schema
        self.position = position
    }

    public func read() async throws -> StatisticsData {
        try await pool.withConnection { connection in
            _ = try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            do {
                let data = try await read(connection)
                _ = try await connection.query("COMMIT")
                return data
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
        }
    }

    private func read(_ connection: PostgresConnection) async throws -> StatisticsData {
        var data = StatisticsData()
        // Before the search path leaves `public`, where the environment's mark is.
        data.environment = try await DeploymentEnvironment.of(connection) ?? .produccion
        _ = try await connection.query("SELECT set_config('search_path', $1, true)", [.text(SQLIdentifier.quote(schema))])
        if let position {
            data.position = position
        } else {
            data.position = try await connection.query("SELECT coalesce(max(position), 0) FROM public.projection_state WHERE name = 'estadisticas'")
                .first?.decode(Int64.self, 0) ?? 0
        }
        for row in try await connection.query("""
            SELECT expediente, posicion_registro, anio, entidad, calidad, sexo, edad, estado_civil, nacionalidad,
                   condicion_migratoria, origen, documentada, array_to_string(modalidades, ','), array_to_string(formas_de_enganche, ','),
                   array_to_string(medios_de_transporte, ','), ruta_origen, ruta_destino, cruce_frontera, pais_de_cruce,
                   version_estadistica, version_validada, contar, posicion_consentimiento
              FROM casos ORDER BY posicion_registro
            """) {
            func list(_ column: Int) throws -> [String] { try row.decode(String.self, column).split(separator: ",").map(String.init) }
            data.cases.append(CaseRecord(
                id: try row.decode(String.self, 0), registeredAt: try row.decode(Int64.self, 1), year: try row.decode(Int.self, 2),
                entidad: try row.decode(String?.self, 3), calidad: try row.decode(String?.self, 4), sexo: try row.decode(String?.self, 5),
                age: try row.decode(Int?.self, 6), civilStatus: try row.decode(String?.self, 7), nationality: try row.decode(String?.self, 8),
                migratoryStatus: try row.decode(String?.self, 9), origin: try row.decode(String?.self, 10), documented: try row.decode(Bool.self, 11),
                modalities: try list(12), recruitment: try list(13), transport: try list(14),
                routeOrigin: try row.decode(String?.self, 15), routeDestination: try row.decode(String?.self, 16),
                crossing: try row.decode(Bool?.self, 17), crossingCountry: try row.decode(String?.self, 18),
                statisticalVersion: try row.decode(Int64.self, 19), validatedVersion: try row.decode(Int64?.self, 20),
                consent: try row.decode(Bool?.self, 21), consentPosition: try row.decode(Int64?.self, 22)))
        }
        data.links = try await connection.query("SELECT expediente_a, expediente_b, misma_persona FROM vinculos ORDER BY posicion").map {
            CaseLink(a: try $0.decode(String.self, 0), b: try $0.decode(String.self, 1), samePerson: try $0.decode(Bool.self, 2))
        }
        data.attentions = try await connection.query("""
            SELECT a.expediente, a.anio, a.tipo, a.clasificacion, count(*)
              FROM atenciones a JOIN casos c USING (expediente)
             WHERE a.version <= c.version_validada
             GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
            """).map {
            AttentionCount(caseId: try $0.decode(String.self, 0), year: try $0.decode(Int.self, 1), type: try $0.decode(String.self, 2),
                           classification: try $0.decode(String.self, 3), count: try $0.decode(Int.self, 4))
        }
        data.operations = try await connection.query("""
            SELECT anio, entidad, tipo_de_lugar, rescatadas_mujeres, rescatadas_hombres, rescatadas_otro FROM operativos ORDER BY posicion
            """).map {
            OperationRecord(year: try $0.decode(Int.self, 0), entidad: try $0.decode(String?.self, 1), placeType: try $0.decode(String?.self, 2),
                            women: try $0.decode(Int.self, 3), men: try $0.decode(Int.self, 4), other: try $0.decode(Int.self, 5))
        }
        data.trainings = try await connection.query("""
            SELECT anio, entidad, tipo_de_evento, array_to_string(poblaciones, ','), participantes, mujeres, hombres, otro
              FROM capacitaciones ORDER BY posicion
            """).map {
            TrainingRecord(year: try $0.decode(Int.self, 0), entidad: try $0.decode(String?.self, 1), eventType: try $0.decode(String.self, 2),
                           populations: try $0.decode(String.self, 3).split(separator: ",").map(String.init),
                           participants: try $0.decode(Int.self, 4), women: try $0.decode(Int.self, 5), men: try $0.decode(Int.self, 6),
                           other: try $0.decode(Int.self, 7))
        }
        data.disseminations = try await connection.query("SELECT anio, entidad, tipo_de_accion FROM difusion ORDER BY posicion").map {
            DisseminationRecord(year: try $0.decode(Int.self, 0), entidad: try $0.decode(String?.self, 1), actionType: try $0.decode(String.self, 2))
        }
        return data
    }
}
