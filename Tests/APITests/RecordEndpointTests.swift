import CanonicalJSON
import Foundation
import TestDatabase
import Testing

/// Module records through the API: the commands `corregir-registro` and `anular-registro` with the
/// permissions table deciding who, and the list and one record with its history.
@Suite(.needsDatabase) struct RecordEndpointTests {
    @Test func aRecordIsCorrectedAndAnnulledThroughTheAPIAndConsultedWithItsHistory() async throws {
        let world = try await APIWorld.make()
        try await world.account("capturista.fge", "FGE-07", [.capturista])
        try await world.account("supervisora.fge", "FGE-07", [.supervisorInstitucional])
        try await world.account("capturista.fgr", "FGR", [.capturista])
        let operation = try #require(world.services.definitions.definition(forCommand: "registrar-operativo")?.examples.first)
        try await world.test { client in
            let capturista = try await client.login("capturista.fge"), supervisora = try await client.login("supervisora.fge")
            let outsider = try await client.login("capturista.fgr")
            let opened = try await client.command("registrar-operativo", operation, token: capturista)
            #expect(opened.status == 201, "\(opened.text)")
            let stream = try #require(opened.json["flujo"]?.stringValue)

            let fix: JSONValue = ["fecha": "2024-02-10", "motivo": "El informe rectificado reporta dos inmuebles.", "correcciones": ["inmueblesAsegurados": 2]]
            // Another institution's capturista is outside the record's scope.
            #expect(try await client.command("corregir-registro", fix, stream: stream, token: outsider).status == 403)
            var answer = try await client.command("corregir-registro", ["fecha": "2024-02-10", "motivo": "x", "correcciones": ["tipoDeLugar": "no-existe"]],
                                                  stream: stream, token: capturista)
            #expect(answer.status == 422 && answer.text.contains("datos.correcciones.tipoDeLugar"), "\(answer.text)")
            #expect(try await client.command("corregir-registro", fix, stream: stream, token: capturista).status == 201)
            // Annulling is a supervisor's: the capturista has no such permission.
            let annul: JSONValue = ["fecha": "2024-03-01", "motivo": "Duplicado del operativo capturado antes."]
            #expect(try await client.command("anular-registro", annul, stream: stream, token: capturista).status == 403)
            answer = try await client.command("anular-registro", annul, stream: stream, token: supervisora)
            #expect(answer.status == 201, "\(answer.text)")

            answer = try await client.call(.get, "/v1/registros/\(stream)", token: capturista)
            #expect(answer.status == 200 && answer.json["estado"] == "anulado" && answer.json["anuladoEl"] == "2024-03-01", "\(answer.text)")
            let history = answer.json["historial"]?.arrayValue ?? []
            #expect(history.map { $0["evento"]?.stringValue ?? "" } == ["registrado", "corregido", "anulado"])
            #expect(history[1]["cambios"] == [["campo": "inmueblesAsegurados", "antes": 1, "despues": 2]], "\(answer.text)")
            #expect(answer.json["datos"]?["descripcion"] == .null, "the encrypted description is withheld")

            answer = try await client.call(.get, "/v1/registros?modulo=operativo&variables=tipoDeLugar", token: capturista)
            #expect(answer.status == 400 && answer.text.contains("consulta.modulo") && answer.text.contains("consulta.variables"), "\(answer.text)")
            answer = try await client.call(.get, "/v1/registros/operativo-no-existe", token: capturista)
            #expect(answer.status == 404, "\(answer.text)")
            #expect(try await client.call(.get, "/v1/registros").status == 401)
        }
        // The annulled record has left the list once the projection applies it.
        try await world.catchUp()
        try await world.test { client in
            let capturista = try await client.login("capturista.fge")
            let answer = try await client.call(.get, "/v1/registros?modulo=operativos", token: capturista)
            #expect(answer.status == 200 && answer.json["registros"] == [], "\(answer.text)")
        }
    }
}
