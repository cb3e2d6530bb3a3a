import CanonicalJSON
import Definitions
import Postgres
import TestDatabase
import Testing

/// `upcast_payload` (migration 0030) is the one place a schema step is written; every reader (the
/// projections' SQL, `StreamHistory`) goes through it. Every old example of every definition must
/// come out valid against its type's current definition, so a new version without its step fails here.
@Suite(.needsDatabase) struct UpcastTests {
    func upcast(_ connection: PostgresConnection, _ type: String, _ version: Int, _ payload: JSONValue) async throws -> JSONValue {
        let text = try await connection.query("SELECT upcast_payload($1, $2, $3::jsonb)::text",
                                               [.text(type), .int32(Int32(version)), .text(String(decoding: CanonicalJSON.serialize(payload), as: UTF8.self))])
        return try CanonicalJSON.parse(try text[0].decode(String.self, 0))
    }

    @Test func everyOldExampleComesOutValidInTheCurrentVersion() async throws {
        let database = try await TestDatabase.migrated()
        let connection = try await database.admin()
        let definitions = repositoryDefinitions
        var checked = 0
        for definition in definitions.all {
            guard let latest = definitions.latest(definition.eventType), latest.version > definition.version else { continue }
            for example in definition.examples {
                let current = try await upcast(connection, definition.eventType, definition.version, example)
                let problems = definitions.validate(current, definition: latest).problems
                #expect(problems.isEmpty, "\(definition.file): \(problems)")
                checked += 1
            }
        }
        #expect(checked > 0, "no hay versiones antiguas con ejemplos")
        await connection.close()
    }

    @Test func anAttentionInHoursIsReadInWholeMinutesOfAtLeastOne() async throws {
        let database = try await TestDatabase.migrated()
        let connection = try await database.admin()
        let old: JSONValue = ["fecha": "2021-03-04", "tipo": "atencion-psicologica", "clasificacion": "asistencia",
                              "institucion": "CEAV", "duracionHoras": 1.5]
        let current = try await upcast(connection, "AtencionOtorgada", 1, old)
        #expect(current["duracionMinutos"] == 90 && current["duracionHoras"] == nil && current["fecha"] == "2021-03-04")
        #expect(try await upcast(connection, "AtencionOtorgada", 1, ["duracionHoras": 0.001])["duracionMinutos"] == 1)
        // The current version and other types pass through untouched.
        let v2: JSONValue = ["duracionMinutos": 45]
        #expect(try await upcast(connection, "AtencionOtorgada", 2, v2) == v2)
        #expect(try await upcast(connection, "CasoCerrado", 1, ["duracionHoras": 2]) == ["duracionHoras": 2])
        await connection.close()
    }
}
