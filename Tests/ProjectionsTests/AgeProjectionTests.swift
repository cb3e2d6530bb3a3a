import CanonicalJSON
import Testing

/// A record with a birth date and no age is counted by age like any other.
@Suite(.needsDatabase) struct AgeProjectionTests {
    @Test func aBirthDateWithoutAnAgeReachesEveryAgeTable() async throws {
        let world = try await World.make()
        guard case .object(var members) = persona() else { return }
        members.removeAll { $0.key == "edad" }
        members.append(JSONMember(key: "fechaDeNacimiento", value: "2005-12-01"))
        let stream = try await world.run("registrar-persona", .object(members)).streamId
        try await world.projector().start()
        #expect(try await world.value(Int64.self, "SELECT edad FROM proj_expedientes.casos WHERE expediente = $1", [.text(stream)]) == 15)
        #expect(try await world.value(Int64.self, "SELECT edad FROM proj_estadisticas.casos WHERE expediente = $1",
                                      [.text(stream)]) == 15, "la edad; el grupo se elige al publicar, de un catálogo")
    }
}
