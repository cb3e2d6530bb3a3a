import CanonicalJSON
import CaseFiles
import Catalog
import Commands
import Foundation
import Postgres
import Privacy
import TestDatabase
import Testing

/// Finding a person by name through the name-token blind index: accents, case and order ignored,
/// narrowed by scope, refreshed on correction, gone on erasure, rebuilt by `cases reindex`, and
/// the name never in the database as text.
@Suite(.needsDatabase) struct NameSearchTests {
    typealias World = CaseFileTests.World

    static func person(_ nombre: String, _ primer: String, _ segundo: String? = nil, curp first17: String, birth: String = "1990-03-03",
                       entidad: String = "07", municipio: String = "07101") -> JSONValue {
        var members = CaseFileTests.persona(nombre, curp: first17, birth: birth, age: 31, detected: "2021-06-06",
                                            entidad: entidad, municipio: municipio).objectValue ?? []
        members.removeAll { $0.key == "primerApellido" }
        members.append(JSONMember(key: "primerApellido", value: .string(primer)))
        if let segundo { members.append(JSONMember(key: "segundoApellido", value: .string(segundo))) }
        return .object(members)
    }

    /// FGE-07 (Chiapas): MARÍA LÓPEZ ÁLVAREZ, María José Pérez, Zenaida López; CEAV (Oaxaca): María Gómez.
    func fourPeople(_ world: World) async throws -> (lopez: String, jose: String, zenaida: String, gomez: String) {
        let lopez = try await world.run("registrar-persona", Self.person("MARÍA", "LÓPEZ", "ÁLVAREZ", curp: "LOAM900303MCSPLR0")).streamId
        let jose = try await world.run("registrar-persona", Self.person("María José", "Pérez", curp: "PEXM900303MCSRXR0")).streamId
        let zenaida = try await world.run("registrar-persona", Self.person("Zenaida", "López", curp: "LOXZ900303MCSPXN0")).streamId
        let gomez = try await world.run("registrar-persona", Self.person("Maria", "Gómez", curp: "GOXM900303MOCMXR0", entidad: "20", municipio: "20067"),
                                        institution: "CEAV").streamId
        try await world.projector.start()
        return (lopez, jose, zenaida, gomez)
    }

    func names(_ world: World, _ name: String, _ scope: CaseFilter = CaseFilter()) async throws -> Set<String> {
        Set(try await world.reader.find(name: name, within: scope).hits.map(\.summary.caseId))
    }

    func tokenRows(_ world: World, _ subject: String) async throws -> Int64 {
        try await world.base.store.pool.query("SELECT count(*) FROM blind_indexes WHERE subject = $1 AND kind = 'nombre-token'",
                                              [.text(subject)])[0].decode(Int64.self, 0)
    }

    @Test func accentsCaseAndOrderAreIgnoredAndEveryWordMustMatch() async throws {
        let world = try await World.make()
        let people = try await fourPeople(world)
        #expect(try await names(world, "Maria Lopez") == [people.lopez])
        #expect(try await names(world, "  lópez,  MARIA ") == [people.lopez], "order, case, accents and punctuation free")
        #expect(try await names(world, "María de la López") == [people.lopez], "particles are ignored")
        #expect(try await names(world, "alvarez") == [people.lopez], "the second surname counts")
        #expect(try await names(world, "lopez") == [people.lopez, people.zenaida])
        #expect(try await names(world, "maria") == [people.lopez, people.jose, people.gomez])
        #expect(try await names(world, "Mar").isEmpty, "whole words only")
        #expect(try await names(world, "Maria Lopez Zenaida").isEmpty, "all words must match one person")
        #expect(try await tokenRows(world, people.lopez) == 3)
        #expect(try await tokenRows(world, people.jose) == 3, "MARIA JOSE PEREZ")

        for bad in ["", "   ", "123 456", "de la", String(repeating: "a ", count: 150)] {
            await #expect(throws: InvalidCaseSearch.self, "«\(bad.prefix(20))»") { try await world.reader.find(name: bad) }
        }
        await #expect(throws: InvalidCaseSearch.self) { try await world.reader.find(curp: "ABC", within: CaseFilter()) }
        let byCURP = try await world.reader.find(curp: CaseFileTests.curp("LOAM900303MCSPLR0").lowercased(), within: CaseFilter())
        #expect(byCURP.hits.map(\.summary.caseId) == [people.lopez])
    }

    @Test func theSearchStaysWithinTheCallersScope() async throws {
        let world = try await World.make()
        let people = try await fourPeople(world)
        var institution = CaseFilter()
        institution.visibleToInstitution = "FGE-07"
        #expect(try await names(world, "maría", institution) == [people.lopez, people.jose], "CEAV's María is outside FGE-07's scope")
        var oaxaca = CaseFilter()
        oaxaca.withinEntidad = "20"
        #expect(try await names(world, "maría", oaxaca) == [people.gomez])
        var own = CaseFilter()
        own.registeredBy = "usuario-nadie"
        #expect(try await names(world, "maría", own).isEmpty)
        var ceav = CaseFilter()
        ceav.visibleToInstitution = "CEAV"
        #expect(try await world.reader.find(curp: CaseFileTests.curp("LOAM900303MCSPLR0"), within: ceav).hits.isEmpty)
        // Pages: newest first, no repeats.
        let first = try await world.reader.find(name: "maria", pageSize: 2)
        let second = try await world.reader.find(name: "maria", pageSize: 2, after: first.next)
        #expect(first.hits.map(\.summary.caseId) == [people.gomez, people.jose] && second.hits.map(\.summary.caseId) == [people.lopez] && second.next == nil)
    }

    @Test func aDuplicateElsewhereIsFlaggedButASharedFirstNameIsNot() async throws {
        let world = try await World.make()
        let people = try await fourPeople(world)
        #expect(try await world.reader.find(name: "maria").hits.allSatisfy { !$0.possibleDuplicateElsewhere }, "three Marías are not one person")
        #expect(try await world.reader.read(people.gomez, personal: false)?.possibleDuplicates == [])
        // CEAV registers MARÍA LÓPEZ again (same CURP, same name and birth date).
        let again = try await world.run("registrar-persona", Self.person("Maria", "Lopez", "Alvarez", curp: "LOAM900303MCSPLR0",
                                                                         entidad: "20", municipio: "20067"), institution: "CEAV")
        #expect(again.possibleDuplicates == [people.lopez])
        try await world.projector.start()
        let hits = try await world.reader.find(name: "María López").hits
        #expect(Set(hits.map(\.summary.caseId)) == [people.lopez, again.streamId] && hits.allSatisfy(\.possibleDuplicateElsewhere))
        #expect(try await world.reader.find(name: "zenaida").hits.first?.possibleDuplicateElsewhere == false)
        // Declared the same person: no longer a warning.
        try await world.run("vincular-expedientes", ["fecha": "2022-09-10", "expediente": .string(again.streamId), "motivo": "Misma persona."],
                            stream: people.lopez)
        try await world.projector.start()
        #expect(try await world.reader.find(name: "María López").hits.allSatisfy { !$0.possibleDuplicateElsewhere })
    }

    @Test func aCorrectedNameFindsTheNewNameOnlyAndErasureLeavesNoToken() async throws {
        let world = try await World.make()
        let people = try await fourPeople(world)
        try await world.run("corregir-datos-generales", ["fecha": "2022-01-01", "motivo": "Acta de nacimiento.",
                                                         "correcciones": ["nombre": "Rosaura", "segundoApellido": "Ximénez"]], stream: people.lopez)
        try await world.projector.start()
        #expect(try await names(world, "Maria Lopez").isEmpty, "the old name no longer finds her")
        #expect(try await names(world, "alvarez").isEmpty)
        #expect(try await names(world, "rosaura lopez ximenez") == [people.lopez])
        #expect(try await tokenRows(world, people.lopez) == 3)

        try await world.run("borrar-datos-personales", ["fecha": "2023-01-10", "fundamento": "orden-judicial", "documento": "Oficio 1/2023"],
                            stream: people.lopez)
        try await world.projector.start()
        #expect(try await names(world, "rosaura").isEmpty)
        #expect(try await names(world, "lopez") == [people.zenaida])
        #expect(try await tokenRows(world, people.lopez) == 0)
        #expect(try await world.base.store.pool.query("SELECT count(*) FROM blind_indexes WHERE subject = $1", [.text(people.lopez)])[0]
            .decode(Int64.self, 0) == 0)
        // Rebuilding the index never brings an erased person back.
        let outcome = try await NameIndexRebuild(store: world.base.store, vault: world.handler.vault).run()
        #expect(outcome == NameIndexRebuild.Outcome(indexed: 3, withoutKey: 1))
        #expect(try await tokenRows(world, people.lopez) == 0)
        #expect(try await names(world, "rosaura").isEmpty)
    }

    @Test func theDatabaseNeverHoldsTheNameAsText() async throws {
        let world = try await World.make()
        let people = try await fourPeople(world)
        try await world.run("corregir-datos-generales", ["fecha": "2022-01-01", "motivo": "Error de captura.",
                                                         "correcciones": ["primerApellido": "Xochipilli"]], stream: people.jose)
        try await world.projector.start()
        #expect(try await names(world, "maria jose xochipilli") == [people.jose])
        for name in ["MARÍA", "María", "MARIA", "Maria", "LÓPEZ", "LOPEZ", "López", "ÁLVAREZ", "ALVAREZ", "Zenaida", "ZENAIDA", "Xochipilli", "XOCHIPILLI"] {
            let bytes = Array(name.utf8)
            let inEvents = try await world.base.owner.query("""
                SELECT count(*) FROM events WHERE position($1::bytea IN convert_to(payload::text || metadata::text, 'UTF8')) > 0
                """, [.bytea(bytes)])[0].decode(Int64.self, 0)
            let inIndexes = try await world.base.owner.query("""
                SELECT count(*) FROM blind_indexes WHERE position($1::bytea IN digest) > 0 OR position($1::bytea IN convert_to(subject, 'UTF8')) > 0
                """, [.bytea(bytes)])[0].decode(Int64.self, 0)
            let inCases = try await world.base.owner.query("""
                SELECT count(*) FROM proj_expedientes.casos c WHERE position($1::bytea IN convert_to(row_to_json(c)::text, 'UTF8')) > 0
                """, [.bytea(bytes)])[0].decode(Int64.self, 0)
            #expect(inEvents == 0 && inIndexes == 0 && inCases == 0, "«\(name)»: events \(inEvents), indexes \(inIndexes), cases \(inCases)")
        }
    }

    @Test func casesRegisteredBeforeTheIndexAreReindexedIdempotently() async throws {
        let world = try await World.make()
        let people = try await fourPeople(world)
        // As a database from before this index: no token rows at all (removed as the owner).
        _ = try await world.base.owner.query("DELETE FROM blind_indexes WHERE kind = 'nombre-token'")
        #expect(try await names(world, "maria").isEmpty)
        let rebuild = NameIndexRebuild(store: world.base.store, vault: world.handler.vault)
        #expect(try await rebuild.run() == NameIndexRebuild.Outcome(indexed: 4, withoutKey: 0))
        #expect(try await names(world, "Maria Lopez") == [people.lopez])
        #expect(try await names(world, "maria").count == 3)
        let rows = try await world.base.owner.query("SELECT count(*) FROM blind_indexes")[0].decode(Int64.self, 0)
        _ = try await rebuild.run()
        #expect(try await world.base.owner.query("SELECT count(*) FROM blind_indexes")[0].decode(Int64.self, 0) == rows, "idempotent")
        // The application role still cannot delete index rows itself (migration 0014).
        await #expect(throws: PostgresError.self) {
            try await world.base.store.pool.query("DELETE FROM blind_indexes WHERE subject = $1", [.text(people.lopez)])
        }
    }

    @Test func theCommandLineFindsByNameAndReindexes() async throws {
        let world = try await World.make()
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("claves-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: keys) }
        try world.handler.vault.keyring.fileText.write(toFile: keys, atomically: true, encoding: .utf8)
        let people = try await fourPeople(world)
        let common = ["--database-url", world.database.appURL, "--master-key", keys, "--events", TestDatabase.repositoryRoot.appendingPathComponent("events").path]
        var (status, output) = try await runSintra(["cases", "find", "--nombre", "maria lopez", "--format", "json"] + common)
        #expect(status == 0 && output.contains(people.lopez) && !output.contains(people.jose), "\(output)")
        (status, output) = try await runSintra(["cases", "find", "--nombre", "María"] + common)
        #expect(status == 0 && output.contains(people.gomez) && output.contains("3 expediente(s)"), "\(output)")
        // «-» reads the name from standard input, so it never shows in the process list.
        (status, output) = try await runProgram(URL(fileURLWithPath: "/bin/sh"), ["-c", #"printf '%s\n' 'lopez maria' | "$0" "$@""#,
                                                                             TestDatabase.sintraExecutable.path, "cases", "find", "--nombre", "-"] + common)
        #expect(status == 0 && output.contains(people.lopez) && output.contains("1 expediente(s)"), "\(output)")
        (status, output) = try await runSintra(["cases", "find", "--nombre", "1234"] + common)
        #expect(status != 0 && output.contains("--nombre: el nombre no tiene ninguna letra"), "\(output)")
        (status, output) = try await runSintra(["cases", "find"] + common)
        #expect(status != 0 && output.contains("indique --curp o --nombre"), "\(output)")
        (status, output) = try await runSintra(["cases", "reindex"] + common)
        #expect(status == 0 && output.contains("4 expediente(s)"), "\(output)")
    }
}
