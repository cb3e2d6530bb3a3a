import CanonicalJSON
import Accounts
import CaseFiles
import Catalog
import Commands
import Definitions
import EventLog
import Foundation
import Postgres
import Privacy
import Projections
import TestDatabase
import Testing

/// Case files as caseworkers read them: list and filters, one case with its timeline, personal
/// fields only when asked, CURP lookup by blind index, possible duplicates until decided.
@Suite(.needsDatabase) struct CaseFileTests {
    /// The shared projection fixture, with a case-file reader over its store and vault.
    struct World {
        let base: ProjectionWorld
        let reader: CaseFileReader
        let projector: Projector
        var handler: CommandHandler { base.handler }
        var database: TestDatabase { base.database }

        static func make() async throws -> World {
            let base = try await ProjectionWorld.make()
            return World(base: base, reader: CaseFileReader(store: base.store, vault: base.handler.vault, definitions: repositoryDefinitions),
                         projector: base.projector())
        }

        @discardableResult
        func run(_ name: String, _ data: JSONValue, stream: String? = nil, institution: String = "FGE-07") async throws -> CommandResult {
            try await base.run(name, data, stream: stream, institution: institution)
        }
    }

    static func curp(_ first17: String) -> String { first17 + String(CURP.checkDigit(first17)!) }

    static func persona(_ nombre: String, curp first17: String, birth: String, age: Int, detected: String, entidad: String,
                        municipio: String) -> JSONValue {
        ["calidad": "victima", "sexo": "mujer", "edad": .number(Double(age)), "nacionalidad": "MEX", "fechaDeDeteccion": .string(detected),
         "institucionQueDetecta": "FGE-07", "formaDeDeteccion": "operativo-de-rescate",
         "lugarDeDeteccion": ["pais": "MEX", "entidad": .string(entidad), "municipio": .string(municipio)],
         "nombre": .string(nombre), "primerApellido": "Ficticio", "curp": .string(curp(first17)), "fechaDeNacimiento": .string(birth),
         "telefono": "961 555 0101"]
    }

    /// Three cases: Chiapas 2021 (closed, sexual exploitation, referred to DIF-07), Chiapas 2022, Oaxaca 2023 by CEAV.
    func threeCases(_ world: World) async throws -> (String, String, String) {
        let first = try await world.run("registrar-persona", Self.persona("Zenaida", curp: "FIEZ950101MCSCJC0", birth: "1995-01-01", age: 26,
                                                                         detected: "2021-05-10", entidad: "07", municipio: "07101")).streamId
        try await world.run("documentar-victimizacion", ["fechaDeDocumentacion": "2021-05-11", "modalidades": ["explotacion-sexual"]], stream: first)
        try await world.run("registrar-atencion", ["fecha": "2021-05-12", "tipo": "atencion-psicologica", "clasificacion": "asistencia",
                                                   "institucion": "CEAV", "duracionMinutos": 60, "descripcion": "Refiere a su hermana Remedios."],
                            stream: first)
        try await world.run("canalizar", ["fecha": "2021-06-01", "folio": "C-9", "institucionDestino": "DIF-07", "serviciosSolicitados": ["alojamiento"]],
                            stream: first)
        try await world.run("cerrar-caso", ["fecha": "2021-12-01", "motivo": "desistimiento"], stream: first)
        let second = try await world.run("registrar-persona", Self.persona("Maximiliana", curp: "FIEM990505MCSCJC0", birth: "1999-05-05", age: 22,
                                                                          detected: "2022-02-02", entidad: "07", municipio: "07089")).streamId
        let third = try await world.run("registrar-persona", Self.persona("Eulalia", curp: "FIEE000707MOCSCJA", birth: "2000-07-07", age: 23,
                                                                         detected: "2023-08-08", entidad: "20", municipio: "20067"),
                                        institution: "CEAV").streamId
        try await world.projector.start()
        return (first, second, third)
    }

    @Test func theListFiltersAndPagesWithoutRepeatingOrSkipping() async throws {
        let world = try await World.make()
        let (first, second, third) = try await threeCases(world)
        func ids(_ filter: CaseFilter) async throws -> [String] { try await world.reader.list(filter).cases.map(\.caseId) }
        #expect(try await ids(CaseFilter()) == [third, second, first], "newest registration first")
        #expect(try await ids(CaseFilter(entidad: "07")) == [second, first])
        #expect(try await ids(CaseFilter(municipio: "07101")) == [first])
        #expect(try await ids(CaseFilter(status: "cerrado")) == [first])
        #expect(try await ids(CaseFilter(modality: "explotacion-sexual")) == [first])
        #expect(try await ids(CaseFilter(detectedFrom: CalendarDate("2022-01-01"), detectedTo: CalendarDate("2022-12-31"))) == [second])
        #expect(try await ids(CaseFilter(institution: "CEAV")) == [third], "CEAV registered the third; on the first it only gave care as FGE-07 recorded it")
        #expect(try await ids(CaseFilter(institution: "DIF-07")) == [first], "a referral's destination sees the case")
        #expect(try await ids(CaseFilter(validated: true)).isEmpty)

        let page1 = try await world.reader.list(CaseFilter(), pageSize: 2)
        #expect(page1.cases.map(\.caseId) == [third, second] && page1.next != nil)
        let page2 = try await world.reader.list(CaseFilter(), pageSize: 2, after: page1.next)
        #expect(page2.cases.map(\.caseId) == [first] && page2.next == nil)
    }

    @Test func filtersTogetherEachBoundOnceAndABadValueIsAnError() async throws {
        let world = try await World.make()
        let (first, second, third) = try await threeCases(world)
        var scoped = CaseFilter(entidad: "07", detectedFrom: CalendarDate("2021-01-01"), validated: false)
        scoped.withinEntidad = "07"
        scoped.visibleToInstitution = "FGE-07"
        #expect(try await world.reader.list(scoped).cases.map(\.caseId) == [second, first])
        scoped.institution = "DIF-07"
        let page = try await world.reader.list(scoped, pageSize: 1)
        #expect(page.cases.map(\.caseId) == [first] && page.next == nil)

        // A date the projection should never hold is reported, not shown as 1970-01-01.
        _ = try await world.base.owner.query("UPDATE proj_expedientes.casos SET fecha_deteccion = 'infinity' WHERE expediente = $1", [.text(third)])
        await #expect(throws: InvalidCaseValue.self) { try await world.reader.list(CaseFilter()) }
        await #expect(throws: InvalidCaseValue.self) { try await world.reader.read(third, personal: false) }
        #expect(try await world.reader.read(second, personal: false)?.summary.detectedOn == CalendarDate("2022-02-02"))
    }

    @Test func oneCaseShowsItsTimelineAndOpensPersonalFieldsOnlyWhenAsked() async throws {
        let world = try await World.make()
        let (first, _, _) = try await threeCases(world)
        let closed = try #require(try await world.reader.read(first, personal: false))
        #expect(closed.summary.status == "cerrado" && closed.summary.closingReason == "desistimiento")
        #expect(closed.timeline.map(\.eventType) == ["VictimaRegistrada", "VictimizacionDocumentada", "AtencionOtorgada", "CanalizacionSolicitada", "CasoCerrado"])
        #expect(closed.timeline.map(\.date) == ["2021-05-10", "2021-05-11", "2021-05-12", "2021-06-01", "2021-12-01"])
        #expect(closed.referrals == [CaseFile.Referral(folio: "C-9", date: "2021-06-01", from: "FGE-07", to: "DIF-07", status: "pendiente", answeredOn: nil)])
        #expect(closed.attentions.first?.details["tipo"] == "atencion-psicologica")
        #expect(closed.victimisation?["modalidades"] == ["explotacion-sexual"])
        #expect(closed.institutions == ["FGE-07"])
        let hidden = String(decoding: CanonicalJSON.serialize(closed.json), as: UTF8.self)
        for secret in ["Zenaida", "Ficticio", "Remedios", "FIEZ950101", "961 555", "1995-01-01", "cifrado:v"] {
            #expect(!hidden.contains(secret), "«\(secret)» no debe aparecer sin autorización")
        }
        #expect(closed.generalData["nombre"] == .null && closed.generalData["sexo"] == "mujer")

        let opened = try #require(try await world.reader.read(first, personal: true))
        #expect(opened.personalDataOpened)
        #expect(opened.generalData["nombre"] == "Zenaida" && opened.generalData["curp"] == .string(Self.curp("FIEZ950101MCSCJC0")))
        #expect(opened.attentions.first?.details["descripcion"] == "Refiere a su hermana Remedios.")
        #expect(try await world.reader.read("expediente-no-existe", personal: false) == nil)
    }

    @Test func curpLookupAndPossibleDuplicatesUntilSomeoneDecides() async throws {
        let world = try await World.make()
        let (first, second, _) = try await threeCases(world)
        #expect(try await world.reader.find(curp: " fiez950101mcscjc0" + String(CURP.checkDigit("FIEZ950101MCSCJC0")!).lowercased()) == [first])
        #expect(try await world.reader.find(curp: Self.curp("FIEX950101MCSCJC0")).isEmpty)
        // DIF-07 registers Zenaida again: each case now lists the other.
        let again = try await world.run("registrar-persona", Self.persona("Zenaida", curp: "FIEZ950101MCSCJC0", birth: "1995-01-01", age: 27,
                                                                         detected: "2022-09-09", entidad: "07", municipio: "07101"),
                                        institution: "DIF-07").streamId
        try await world.projector.start()
        #expect(try await world.reader.find(curp: Self.curp("FIEZ950101MCSCJC0")) == [first, again].sorted())
        #expect(try await world.reader.read(first, personal: false)?.possibleDuplicates == [again])
        #expect(try await world.reader.read(second, personal: false)?.possibleDuplicates == [])
        try await world.run("vincular-expedientes", ["fecha": "2022-09-10", "expediente": .string(again), "motivo": "Misma persona."], stream: first)
        try await world.projector.start()
        #expect(try await world.reader.read(first, personal: false)?.possibleDuplicates == [], "decided: no longer flagged")
        #expect(try await world.reader.read(again, personal: false)?.possibleDuplicates == [])

        // Erased: nothing opens and the CURP no longer finds the case.
        try await world.run("borrar-datos-personales", ["fecha": "2023-01-10", "fundamento": "orden-judicial", "documento": "Oficio 1/2023"], stream: second)
        try await world.projector.start()
        let erased = try #require(try await world.reader.read(second, personal: true))
        #expect(!erased.personalDataOpened && erased.generalData["nombre"] == .null && erased.summary.personalDataErased)
        #expect(try await world.reader.find(curp: Self.curp("FIEM990505MCSCJC0")).isEmpty)
    }

    @Test func theCommandLineListsShowsAndFinds() async throws {
        let world = try await World.make()
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("claves-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: keys) }
        try world.handler.vault.keyring.fileText.write(toFile: keys, atomically: true, encoding: .utf8)
        let (first, second, _) = try await threeCases(world)
        let common = ["--database-url", world.database.appURL, "--master-key", keys, "--events", TestDatabase.repositoryRoot.appendingPathComponent("events").path]
        var (status, output) = try await runSintra(["cases", "list", "--entidad", "07", "--limite", "1"] + common)
        #expect(status == 0 && output.contains(second) && !output.contains(first) && output.contains("Página siguiente: --despues-de"), "\(output)")
        // Columns are as wide as their values: a long institution code is never cut.
        _ = try await world.run("registrar-persona", Self.persona("Otra", curp: "FIEO010101MCSCJCA", birth: "2001-01-01", age: 20,
                                                                  detected: "2021-03-03", entidad: "07", municipio: "07101"), institution: "OTRA-ESTATAL-07")
        try await world.projector.start()
        (status, output) = try await runSintra(["cases", "list", "--institucion", "OTRA-ESTATAL-07"] + common)
        #expect(status == 0 && output.contains("OTRA-ESTATAL-07  "), "\(output)")
        (status, output) = try await runSintra(["cases", "list", "--estado", "suspendido", "--desde", "ayer"] + common)
        #expect(status != 0 && output.contains("--desde: «ayer» no es una fecha") && output.contains("--estado: use abierto o cerrado"), "\(output)")
        (status, output) = try await runSintra(["cases", "show", first] + common)
        #expect(status == 0 && output.contains("\"estado\":\"cerrado\"") && !output.contains("Zenaida"), "\(output)")
        (status, output) = try await runSintra(["cases", "show", first, "--datos-personales"] + common)
        #expect(status != 0 && output.contains("requiere --motivo"), "\(output)")
        // Opening personal data acts as an account the permissions table allows, and is recorded as the API records it.
        let purpose = ["--datos-personales", "--motivo", "Seguimiento de la canalización C-9"]
        (status, output) = try await runSintra(["cases", "show", first] + purpose + common)
        #expect(status != 0 && output.contains("indique con qué cuenta actúa") && !output.contains("Zenaida"), "\(output)")
        var policy = AccountPolicy()
        policy.passwordHashing = .testing
        let accounts = try await AccountService.make(handler: world.handler, policy: policy)
        for institution in ["FGE-07", "CEAV"] {
            _ = try await accounts.registerInstitution(InstitutionRegistration(clave: institution), by: .console)
        }
        let password = ["SINTRA_CONTRASENA": "una frase bastante larga"]
        let caseworker = try await accounts.registerUser(UserRegistration(login: "cap.fge", name: "Capturista Ficticia", institution: "FGE-07",
                                                                          roles: [.capturista], password: password["SINTRA_CONTRASENA"]), by: .console)
        _ = try await accounts.registerUser(UserRegistration(login: "cap.ceav", name: "Otra Capturista", institution: "CEAV",
                                                             roles: [.capturista], password: password["SINTRA_CONTRASENA"]), by: .console)
        func reads() async throws -> [(user: String, client: String)] {
            try await world.base.store.pool.query("""
                SELECT metadata->>'userId', metadata->>'client' FROM events WHERE event_type = 'DatosPersonalesConsultados' AND payload->>'expediente' = $1
                """, [.text(first)]).map { (try $0.decode(String.self, 0), try $0.decode(String.self, 1)) }
        }
        (status, output) = try await runSintra(["cases", "show", first, "--cuenta", "cap.ceav"] + purpose + common, environment: password)
        #expect(status == 1 && output.contains("fuera de su alcance") && !output.contains("Zenaida"), "\(output)")
        #expect(try await reads().isEmpty, "a refused read records nothing")
        (status, output) = try await runSintra(["cases", "show", first, "--cuenta", "cap.fge"] + purpose + common, environment: ["SINTRA_CONTRASENA": "equivocada"])
        #expect(status == 1 && output.contains("usuario o contraseña incorrectos") && !output.contains("Zenaida"), "\(output)")
        (status, output) = try await runSintra(["cases", "show", first, "--cuenta", "cap.fge"] + purpose + common, environment: password)
        #expect(status == 0 && output.contains("Zenaida"), "\(output)")
        let recorded = try await reads()
        #expect(recorded.count == 1 && recorded.first?.user == caseworker.userId && recorded.first?.client == "consola", "\(recorded)")
        (status, output) = try await runSintra(["cases", "show", "expediente-no-existe"] + common)
        #expect(status == 1 && output.contains("no existe el expediente"), "\(output)")
        (status, output) = try await runSintra(["cases", "find", "--curp", Self.curp("FIEZ950101MCSCJC0")] + common)
        #expect(status == 0 && output.trimmingCharacters(in: .whitespacesAndNewlines) == first, "\(output)")
    }
}
