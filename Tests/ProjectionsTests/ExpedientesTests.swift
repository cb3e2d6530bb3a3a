import CanonicalJSON
import Catalog
import Commands
import Demo
import EventLog
import Foundation
import Postgres
import Projections
import TestDatabase
import Testing

@Suite(.needsDatabase) struct ExpedientesTests {
    @Test func aCaseFileFollowsItsEventsIncludingAnOldSchemaVersion() async throws {
        let world = try await World.make()
        let stream = try await world.run("registrar-persona", persona()).streamId
        try await world.run("documentar-victimizacion", ["fechaDeDocumentacion": "2021-11-10", "modalidades": ["explotacion-sexual", "explotacion-laboral"],
            "ruta": ["origen": ["pais": "GTM"], "destino": ["pais": "MEX", "entidad": "07"]], "cruceDeFronteraInternacional": true], stream: stream)
        try await world.run("registrar-atencion", atencion("2021-11-12"), stream: stream)
        // An attention recorded under schema v1 (before duracionMinutos existed) reads as v2.
        _ = try await world.store.append(AppendRequest(streamId: stream, streamType: "Expediente", expectedVersion: .exactly(3),
            events: [NewEvent(eventType: "AtencionOtorgada", schemaVersion: 1,
                              payload: #"{"fecha":"2021-12-01","tipo":"asesoria-juridica","clasificacion":"asistencia","institucion":"CEAV","duracionHoras":1.5}"#,
                              occurredAt: Timestamp(iso8601: "2021-12-01T00:00:00Z")!)],
            metadata: EventMetadata(userId: "u", institutionId: "CEAV")))
        try await world.run("canalizar", ["fecha": "2021-12-02", "folio": "C-1", "institucionDestino": "DIF-07", "serviciosSolicitados": ["alojamiento"]], stream: stream)
        try await world.run("aceptar-canalizacion", ["fecha": "2021-12-03", "folio": "C-1"], stream: stream, institution: "DIF-07")
        try await world.run("validar-registro", ["fecha": "2021-12-04", "versionValidada": 6], stream: stream)
        try await world.run("cerrar-caso", ["fecha": "2022-03-01", "motivo": "proyecto-de-vida-concluido"], stream: stream)

        let projector = world.projector()
        try await projector.start()
        #expect(try await world.value(String.self, "SELECT estado FROM proj_expedientes.casos WHERE expediente = $1", [.text(stream)]) == "cerrado")
        #expect(try await world.value(Bool.self, "SELECT validado FROM proj_expedientes.casos WHERE expediente = $1", [.text(stream)]) == true)
        #expect(try await world.value(String.self, "SELECT array_to_string(modalidades, ',') FROM proj_expedientes.casos") == "explotacion-sexual,explotacion-laboral")
        #expect(try await world.value(Int64.self, "SELECT sum(duracion_minutos) FROM proj_expedientes.atenciones") == 150)
        #expect(try await world.value(String.self, "SELECT estado FROM proj_expedientes.canalizaciones WHERE folio = 'C-1'") == "aceptada")
        #expect(try await world.value(Int64.self, "SELECT count(*) FROM proj_expedientes.historial") == 8)

        // A correction re-opens validation; reopening the case makes it open again.
        try await world.run("corregir-datos-generales", ["fecha": "2022-03-02", "motivo": "Error de captura.", "correcciones": ["sexo": "hombre"]], stream: stream)
        try await world.run("reabrir-caso", ["fecha": "2022-03-02", "motivo": "Nueva solicitud de apoyo."], stream: stream)
        try await projector.catchUp(try #require(projector.projection("expedientes")))
        #expect(try await world.value(String.self, "SELECT sexo || '/' || estado FROM proj_expedientes.casos") == "hombre/abierto")
        #expect(try await world.value(Bool.self, "SELECT validado FROM proj_expedientes.casos") == false)
        // The application role reads the projection; it holds no personal field.
        let app = try await world.store.pool.query("SELECT count(*) FROM proj_expedientes.casos")
        #expect(try app[0].decode(Int64.self, 0) == 1)
        let columns = try await world.owner.query("SELECT string_agg(column_name, ',') FROM information_schema.columns WHERE table_schema = 'proj_expedientes'")
        let names = try columns[0].decode(String.self, 0)
        for personal in ["nombre", "curp", "telefono", "domicilio", "descripcion", "relato"] { #expect(!names.contains(personal)) }
    }

    /// For random event sequences, projections applied incrementally (in random batch sizes, with a
    /// fresh projector — a simulated crash — between batches) equal projections rebuilt from zero.
    @Test(arguments: [11, 12, 13]) func incrementalEqualsRebuiltFromZero(seed: Int) async throws {
        let world = try await World.make()
        var random = SystemRandomNumberGenerator()
        let summary = try await DemoRunner(handler: world.handler, seed: UInt64(seed), people: 8, today: CalendarDate("2024-12-31")!, workers: 2).run()
        #expect(summary.rejected.isEmpty)
        let head = try await world.store.head().position
        // Build the live copy in small random steps, each by a new projector.
        try await world.projector().rebuild(try #require(world.projector().projection("expedientes")))
        // Start over from an empty live copy at position 0.
        _ = try await world.owner.query("UPDATE projection_state SET position = 0")
        try await world.owner.withConnection { connection in
            try await connection.execute(SQLScript("TRUNCATE proj_expedientes.casos, proj_expedientes.historial, proj_expedientes.atenciones, proj_expedientes.canalizaciones, proj_expedientes.medidas_de_proteccion, proj_expedientes.vinculos", origin: "test"))
        }
        var position: Int64 = 0
        while position < head {
            let step = Int64.random(in: 1...400, using: &random)
            let projector = world.projector(batchSize: Int64.random(in: 1...97, using: &random))
            position = try await projector.catchUp(try #require(projector.projection("expedientes")), through: min(head, position + step))
        }
        let incremental = try await world.snapshot(schema: "proj_expedientes")
        let schemas = try await world.projector().replay(until: head, label: "cero")
        let rebuilt = try await world.snapshot(schema: try #require(schemas["expedientes"]))
        #expect(incremental.keys.sorted() == rebuilt.keys.sorted())
        for table in incremental.keys.sorted() {
            #expect(incremental[table] == rebuilt[table], "la tabla \(table) difiere")
        }
        #expect(try await world.value(Int64.self, "SELECT count(*) FROM proj_expedientes.casos")! > 0)
    }
}
