import CanonicalJSON
import Catalog
import Commands
import Definitions
import Foundation
import Projections
import TestDatabase
import Testing

/// A module's record corrected and annulled through the one mechanism every module shares
/// (`corregir-registro`, `anular-registro`): checked against the record's own definition, applied
/// by the `hechos` projection, and still visible as of a position before the annulment.
@Suite(.needsDatabase) struct ModuleRecordLifecycleTests {
    static let operation = repositoryDefinitions.definition(forCommand: "registrar-operativo")!.examples[0]

    func problems(_ world: ProjectionWorld, _ command: String, _ data: JSONValue, stream: String, institution: String = "FGE-07") async throws -> [Problem] {
        do {
            try await world.run(command, data, stream: stream, institution: institution)
            return []
        } catch CommandError.rejected(let rejection) {
            return rejection.problems
        }
    }

    func rescued(_ world: ProjectionWorld, _ stream: String) async throws -> String? {
        try await world.value(String.self, "SELECT datos->'personasRescatadas'->>'mujeres' FROM proj_hechos.hechos WHERE flujo = $1", [.text(stream)])
    }

    @Test func aCorrectionIsCheckedAgainstTheRecordsOwnDefinitionAndAppliedToHechos() async throws {
        let world = try await ProjectionWorld.make()
        let projector = world.projector()
        try await projector.start()
        let stream = try await world.run("registrar-operativo", Self.operation).streamId
        _ = try await projector.catchUp(projector.projection("hechos")!)
        #expect(try await rescued(world, stream) == "11")

        // Every problem of the corrected record, at the corrected field, and nothing written.
        let before = try await world.store.head().count
        let wrong: JSONValue = ["fecha": "2024-02-10", "motivo": "Error de captura en el informe.",
                                "correcciones": ["tipoDeLugar": "no-existe", "campoInventado": 1, "personasRescatadas": ["mujeres": -2, "hombres": 0]]]
        let found = try await problems(world, "corregir-registro", wrong, stream: stream)
        #expect(Set(found.map(\.path)).isSuperset(of: ["datos.correcciones.tipoDeLugar", "datos.correcciones.personasRescatadas.mujeres"]), "\(found)")
        #expect(found.contains { $0.path == "datos.correcciones.campoInventado" && $0.code == "campo-no-permitido" }, "\(found)")
        #expect(try await world.store.head().count == before)
        // Removing a required field is refused; so is a correction that changes nothing.
        #expect(try await problems(world, "corregir-registro", ["fecha": "2024-02-10", "motivo": "Quitar el lugar.", "correcciones": ["lugar": JSONValue.null]],
                                   stream: stream).map(\.path).contains("datos.correcciones.lugar"))
        #expect(try await problems(world, "corregir-registro", ["fecha": "2024-02-10", "motivo": "Nada.", "correcciones": ["tipoDeLugar": "bar-o-cantina"]],
                                   stream: stream).map(\.code) == ["correccion-sin-cambios"])
        // Another institution may not correct it.
        let fix: JSONValue = ["fecha": "2024-02-10", "motivo": "El informe rectificado reporta 12 mujeres rescatadas.",
                              "correcciones": ["personasRescatadas": ["mujeres": 12, "hombres": 0], "fecha": "2022-08-20"]]
        #expect(try await problems(world, "corregir-registro", fix, stream: stream, institution: "FGR").map(\.code) == ["institucion-no-registradora"])

        // Sent twice with one idempotency key (a retry), it is recorded once.
        let context = CommandContext(userId: "u", institutionId: "FGE-07", client: "pruebas", today: CalendarDate("2024-12-31")!)
        let command = Command(name: "corregir-registro", data: fix, streamId: stream, idempotencyKey: "correccion-\(UUID().uuidString)")
        let first = try await world.handler.handle(command, context: context)
        let retry = try await world.handler.handle(command, context: context)
        #expect(!first.replayed && retry.replayed && retry.position == first.position)
        _ = try await projector.catchUp(projector.projection("hechos")!)
        #expect(try await rescued(world, stream) == "12")
        #expect(try await world.value(String.self, "SELECT fecha::text FROM proj_hechos.hechos WHERE flujo = $1", [.text(stream)]) == "2022-08-20")
        // The correction is not a row of its own, and the other fields are as recorded.
        #expect(try await world.value(Int64.self, "SELECT count(*) FROM proj_hechos.hechos WHERE flujo = $1", [.text(stream)]) == 1)
        #expect(try await world.value(String.self, "SELECT datos->>'tipoDeLugar' FROM proj_hechos.hechos WHERE flujo = $1", [.text(stream)]) == "bar-o-cantina")
        // The encrypted description never reaches the projection.
        #expect(try await world.value(Bool.self, "SELECT datos ? 'descripcion' FROM proj_hechos.hechos WHERE flujo = $1", [.text(stream)]) == false)
    }

    @Test func anAnnulledRecordLeavesHechosFromThenOnAndStaysInAnEarlierReplay() async throws {
        let world = try await ProjectionWorld.make()
        let projector = world.projector()
        try await projector.start()
        let stream = try await world.run("registrar-operativo", Self.operation).streamId
        let other = try await world.run("registrar-operativo", Self.operation).streamId
        let annul: JSONValue = ["fecha": "2024-03-01", "motivo": "Registro duplicado: el mismo operativo se capturó dos veces."]
        let annulled = try await world.run("anular-registro", annul, stream: stream)
        _ = try await projector.catchUp(projector.projection("hechos")!)
        #expect(try await rescued(world, stream) == nil)
        #expect(try await rescued(world, other) == "11")

        // As of the position before the annulment, the record is still counted.
        let asOf = try await projector.withReplay(until: annulled.position - 1, label: "antes", only: ["hechos"]) { schemas in
            #expect(schemas["hechos"] == "replay_antes_hechos")
            return try await world.value(String.self, "SELECT datos->'personasRescatadas'->>'mujeres' FROM replay_antes_hechos.hechos WHERE flujo = $1",
                                         [.text(stream)])
        }
        #expect(asOf == "11")

        // Annulled once: no second annulment, no correction.
        #expect(try await problems(world, "anular-registro", annul, stream: stream).map(\.code) == ["registro-anulado"])
        #expect(try await problems(world, "corregir-registro", ["fecha": "2024-03-02", "motivo": "Tarde.", "correcciones": ["inmueblesAsegurados": 2]],
                                   stream: stream).map(\.code) == ["registro-anulado"])
        // Only module records: a case file has its own corrections.
        let person = repositoryDefinitions.definition(forCommand: "registrar-persona")!.examples[0]
        let caseFile = try await world.run("registrar-persona", person).streamId
        #expect(try await problems(world, "anular-registro", annul, stream: caseFile).map(\.code) == ["no-es-registro-de-modulo"])
    }
}

/// `sintra registros` as an operator uses it: list with filters, one record with its history,
/// correct and annul as an account, and the errors a typo gets.
@Suite(.needsDatabase) struct RecordsCommandLineTests {
    @Test func listShowCorrectAndAnnulFromTheConsole() async throws {
        let world = try await ProjectionWorld.make()
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("claves-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: keys) }
        try world.handler.vault.keyring.fileText.write(toFile: keys, atomically: true, encoding: .utf8)
        let common = ["--database-url", world.database.appURL, "--master-key", keys, "--events", TestDatabase.repositoryRoot.appendingPathComponent("events").path]
        let account = try await consoleAccount(common, institution: "FGE-07", roles: "supervisor-institucional")
        let acting = ["--cuenta", account.login], environment = ["SINTRA_CONTRASENA": account.password]
        let stream = try await world.run("registrar-operativo", ModuleRecordLifecycleTests.operation).streamId
        let projector = world.projector()
        try await projector.start()

        var (status, output) = try await runSintra(["registros", "list", "--modulo", "operativos", "--variable", "tipoDeLugar=bar-o-cantina", "--format", "json"] + common)
        #expect(status == 0 && output.contains(stream) && !output.contains("Cateo en un bar"), "\(output)")
        (status, output) = try await runSintra(["registros", "list", "--modulo", "operativos", "--variable", "tipoDeLugar=hotel-o-motel"] + common)
        #expect(status == 0 && output.contains("Ningún registro"), "\(output)")
        // Typos are named with what is allowed.
        (status, output) = try await runSintra(["registros", "list", "--modulo", "operativo"] + common)
        #expect(status == 1 && output.contains("modulo: «operativo» no es un módulo con registros") && output.contains("operativos"), "\(output)")
        (status, output) = try await runSintra(["registros", "list", "--modulo", "operativos", "--variable", "tipoDeLugr=bar-o-cantina", "--desde", "ayer"] + common)
        #expect(status != 0 && output.contains("--desde: «ayer» no es una fecha"), "\(output)")
        (status, output) = try await runSintra(["registros", "list", "--modulo", "operativos", "--variable", "tipoDeLugr=bar-o-cantina"] + common)
        #expect(status == 1 && output.contains("«tipoDeLugr» no es una variable categórica del módulo") && output.contains("tipoDeLugar"), "\(output)")

        (status, output) = try await runSintra(["registros", "corregir", stream, "--correcciones", #"{"inmueblesAsegurados": 2}"#,
                                          "--motivo", "El informe rectificado reporta dos inmuebles.", "--fecha", "2024-02-10"] + acting + common, environment: environment)
        #expect(status == 0 && output.contains("RegistroCorregido"), "\(output)")
        (status, output) = try await runSintra(["registros", "corregir", stream, "--correcciones", #"{"inmueblesAsegurados": -1}"#,
                                          "--motivo", "Prueba.", "--fecha", "2024-02-10"] + acting + common, environment: environment)
        #expect(status == 1 && output.contains("datos.correcciones.inmueblesAsegurados") && output.contains("no se registró nada"), "\(output)")
        (status, output) = try await runSintra(["registros", "anular", stream, "--motivo", "Duplicado del operativo capturado antes.", "--fecha", "2024-03-01"]
                                         + acting + common, environment: environment)
        #expect(status == 0 && output.contains("RegistroAnulado"), "\(output)")

        (status, output) = try await runSintra(["registros", "show", stream] + common)
        #expect(status == 0 && output.contains("ANULADO el 2024-03-01") && output.contains("inmueblesAsegurados: 1 → 2"), "\(output)")
        #expect(output.contains("corregido por") && output.contains("El informe rectificado"), "\(output)")
        (status, output) = try await runSintra(["registros", "show", "operativo-no-existe"] + common)
        #expect(status == 1 && output.contains("no existe un registro de módulo"), "\(output)")
        try await projector.start()
        (status, output) = try await runSintra(["registros", "list", "--modulo", "operativos", "--format", "json"] + common)
        #expect(status == 0 && !output.contains(stream), "an annulled record leaves the list: \(output)")
    }
}
