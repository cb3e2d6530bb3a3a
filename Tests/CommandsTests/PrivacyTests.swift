import CanonicalJSON
import Commands
import Definitions
import EventLog
import Foundation
import Postgres
import Privacy
import Cryptography
import TestDatabase
import Testing

@Suite(.needsDatabase) struct PrivacyTests {
    @Test func personalFieldsReachTheLogOnlyEncryptedAndOpenWithTheSubjectsKey() async throws {
        let system = try await System.make()
        let stream = try await system.run("registrar-persona", persona()).streamId
        let stored = try CanonicalJSON.parse(try #require(try await system.store.readStream(stream).first).payload)
        for path in ["nombre", "primerApellido", "curp", "fechaDeNacimiento", "telefono", "domicilio"] {
            #expect(stored[path]?.stringValue?.hasPrefix(PersonalDataCipher.prefix) == true, "\(path) no está cifrado")
        }
        #expect(stored["sexo"] == "mujer" && stored["edad"] == 23, "lo no personal queda legible para la estadística")
        let key = try #require(try await system.handler.vault.key(subject: stream))
        let opened = PersonalDataCipher.decrypt(stored, subject: stream, key: key)
        #expect(opened.payload["nombre"] == "Lucía" && opened.payload["curp"] == "FIEL980321MCSCJC07" && opened.unreadable.isEmpty)
        // The ciphertext is bound to its person: another subject's key, or this key under another subject, does not open it.
        #expect(!PersonalDataCipher.decrypt(stored, subject: "expediente-otro", key: key).unreadable.isEmpty)
    }

    @Test func aDumpOfTheDatabaseContainsNoNameCURPNorPhone() async throws {
        let system = try await System.make()
        try await system.run("registrar-persona", persona(nombre: "Zenaida", curp: curp("FIEZ950101MCSCJC0"), fechaDeNacimiento: "1995-01-01", edad: 26))
        try await system.run("registrar-persona", persona(nombre: "Maximiliana", curp: curp("FIEM990505MCSCJC0"), fechaDeNacimiento: "1999-05-05", edad: 22))
        let (status, dump) = try system.database.pgDump(["--data-only"])
        #expect(status == 0)
        #expect(dump.contains("VictimaRegistrada"), "el volcado debe contener los eventos")
        for secret in ["Zenaida", "Maximiliana", "Ficticio", curp("FIEZ950101MCSCJC0"), "FIEZ950101", "961 555 0101", "9615550101", "Calle Inventada", "1995-01-01"] {
            #expect(!dump.contains(secret), "«\(secret)» aparece en claro en pg_dump")
        }
    }

    @Test func erasureMakesPersonalDataUnrecoverableWhileStatisticsStayIdentical() async throws {
        let system = try await System.make()
        let stream = try await system.run("registrar-persona", persona()).streamId
        try await system.run("registrar-atencion", atencion(), stream: stream)
        let other = try await system.run("registrar-persona", persona(nombre: "Otra", curp: curp("FIEO970707MCSCJC0"), fechaDeNacimiento: "1997-07-07", edad: 24)).streamId
        // A statistic over the log: people by sex, age and nationality, and attentions by type.
        let statistic: SQL = """
            SELECT event_type, payload->>'sexo', payload->>'edad', payload->>'nacionalidad', payload->>'tipo', count(*)
              FROM events GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
            """
        func figures() async throws -> [String] {
            try await system.store.pool.query(statistic).map { row in
                (0..<6).map { (try? row.decode(String.self, $0)) ?? (try? row.decode(Int64.self, $0)).map(String.init) ?? "∅" }.joined(separator: "|")
            }
        }
        let before = try await figures()
        #expect(try await system.handler.vault.key(subject: stream) != nil)

        try await system.run("borrar-datos-personales", ["fecha": "2023-01-10", "fundamento": "orden-judicial", "documento": "Oficio 123/2023"], stream: stream)

        #expect(try await system.handler.vault.key(subject: stream) == nil, "la clave de datos debe destruirse")
        let rows = try await system.store.pool.query("SELECT count(*) FROM blind_indexes WHERE subject = $1", [.text(stream)])
        #expect(try rows[0].decode(Int64.self, 0) == 0, "los índices ciegos se borran con la clave")
        let stored = try CanonicalJSON.parse(try #require(try await system.store.readStream(stream).first).payload)
        let opened = PersonalDataCipher.decrypt(stored, subject: stream, key: nil)
        #expect(opened.payload["nombre"] == .null && opened.unreadable.contains("curp"))
        // Even the old key material is gone: no row, no way to re-derive it.
        #expect(try await system.handler.vault.keyForWriting(subject: stream) == nil, "no se vuelve a crear una clave para una persona borrada")
        let after = try await figures()
        #expect(Array(after.filter { !$0.hasPrefix("DatosPersonalesBorrados") }) == before, "las cifras no personales deben quedar idénticas")
        // New personal data for the erased person is refused; non-personal records are still accepted.
        let refused = try await system.problems("registrar-atencion", atencion("2023-02-01"), stream: stream)
        #expect(refused.map(\.code) == ["datos-personales-borrados"])
        var plain = atencion("2023-02-01")
        if case .object(let members) = plain { plain = .object(members.filter { $0.key != "descripcion" }) }
        try await system.run("registrar-atencion", plain, stream: stream)
        // The other person is untouched.
        #expect(try await system.handler.vault.key(subject: other) != nil)
    }

    @Test func theSamePersonRegisteredByTwoInstitutionsIsFlaggedWithoutDecrypting() async throws {
        let system = try await System.make()
        let first = try await system.run("registrar-persona", persona())
        #expect(first.possibleDuplicates.isEmpty)
        // Another institution, accents and case written differently, no CURP: name + birth date still match.
        var data = persona(nombre: "LUCIA")
        data = FieldPath.replacing("primerApellido", in: data, with: "ficticio")
        if case .object(let members) = data { data = .object(members.filter { $0.key != "curp" }) }
        let second = try await system.run("registrar-persona", data, as: context("DIF-07"))
        #expect(second.possibleDuplicates == [first.streamId])
        let third = try await system.run("registrar-persona", persona(), as: context("CEAV"))
        #expect(Set(third.possibleDuplicates) == [first.streamId, second.streamId])
        let distinct = try await system.run("registrar-persona", persona(nombre: "Distinta", curp: curp("FIED980321MCSCJC0")))
        #expect(distinct.possibleDuplicates.isEmpty)
        // An authorised user links the first two (one person, counted once) and says the third is someone else.
        try await system.run("vincular-expedientes", ["fecha": "2022-03-01", "expediente": .string(second.streamId),
                                                      "motivo": "Misma persona atendida por dos instituciones."], stream: first.streamId)
        try await system.run("descartar-duplicado", ["fecha": "2022-03-01", "expediente": .string(distinct.streamId),
                                                      "motivo": "Personas distintas con datos parecidos."], stream: first.streamId)
        // Names in other scripts are compared too, and never collapse into an empty name that matches everyone.
        #expect(BlindIndex.normalizeName(["李", "王"], birthDate: "1990-01-01") != BlindIndex.normalizeName(["Ωμέγα", "Δ"], birthDate: "1990-01-01"))
        #expect(BlindIndex.normalizeName(["---", " "], birthDate: "1990-01-01") == nil)
        let selfLink = try await system.problems("vincular-expedientes", ["fecha": "2022-03-01", "expediente": .string(first.streamId),
                                                                         "motivo": "Prueba."], stream: first.streamId)
        #expect(selfLink.map(\.code) == ["referencia-a-si-mismo"])
    }
}
