import CanonicalJSON
import Commands
import Definitions
import Testing

/// The age is derived from the birth date at the event's date, and a given age that disagrees says what it should be.
@Suite(.needsDatabase) struct AgeDerivationTests {
    @Test func aBirthDateWithoutAnAgeRecordsTheAgeAtDetection() async throws {
        let system = try await System.make()
        guard case .object(var members) = persona(fechaDeNacimiento: "1998-03-21", fechaDeDeteccion: "2021-11-09") else { return }
        members.removeAll { $0.key == "edad" }
        let result = try await system.run("registrar-persona", .object(members), key: "edad-derivada")
        let rows = try await system.store.pool.query("SELECT payload->>'edad' FROM events WHERE stream_id = $1", [.text(result.streamId)])
        #expect(try rows.first?.decode(String?.self, 0) == "23", "23 años cumplidos el 2021-11-09")
        // A retry of the same command (without the age) is answered as the same command.
        let again = try await system.run("registrar-persona", .object(members), key: "edad-derivada")
        #expect(again.replayed && again.streamId == result.streamId)
        #expect(try await system.eventCount() == 1)
    }

    @Test func theAgeTheDayBeforeTheBirthdayIsOneLess() async throws {
        let system = try await System.make()
        guard case .object(var members) = persona(curp: curp("FIEL981110MCSCJC0"), fechaDeNacimiento: "1998-11-10",
                                                  fechaDeDeteccion: "2021-11-09") else { return }
        members.removeAll { $0.key == "edad" }
        let result = try await system.run("registrar-persona", .object(members))
        let rows = try await system.store.pool.query("SELECT payload->>'edad' FROM events WHERE stream_id = $1", [.text(result.streamId)])
        #expect(try rows.first?.decode(String?.self, 0) == "22")
    }

    @Test func correctingTheBirthDateWithoutAnAgeCorrectsTheAge() async throws {
        let system = try await System.make()
        guard case .object(var members) = persona(curp: curp("FIEL970321MCSCJC0"), fechaDeNacimiento: "1998-03-21") else { return }
        members.removeAll { $0.key == "edad" || $0.key == "curp" }
        let stream = try await system.run("registrar-persona", .object(members)).streamId
        let correction: JSONValue = ["fecha": "2022-02-01", "motivo": "Error de captura.", "correcciones": ["fechaDeNacimiento": "1997-03-21"]]
        try await system.run("corregir-datos-generales", correction, stream: stream, key: "correccion-de-nacimiento")
        let rows = try await system.store.pool.query("""
            SELECT payload->'correcciones'->>'edad' FROM events WHERE stream_id = $1 AND event_type = 'DatosGeneralesCorregidos'
            """, [.text(stream)])
        #expect(try rows.first?.decode(String?.self, 0) == "24", "24 años cumplidos el 2021-11-09")
        let again = try await system.run("corregir-datos-generales", correction, stream: stream, key: "correccion-de-nacimiento")
        #expect(again.replayed)
        #expect(try await system.eventCount() == 2)
    }

    @Test func aMismatchedAgeStatesTheExpectedAge() async throws {
        let system = try await System.make()
        let found = try await system.problems("registrar-persona", persona(edad: 30))
        #expect(found.map(\.code) == ["edad-inconsistente"] && found.first?.path == "datos.edad", "\(found)")
        let message = found.first?.message ?? ""
        #expect(message.contains("23 años") && message.contains("30"), "\(message)")
        #expect(!message.contains("1998"), "el mensaje no repite la fecha de nacimiento (dato personal)")
        #expect(try await system.eventCount() == 0)
    }
}
