@testable import Accounts
import Foundation
import Postgres
import Projections
import TestDatabase
import Testing

@Suite(.needsDatabase) struct PrivacyAndProjectionTests {
    @Test func aDumpOfTheDatabaseHasNoLoginNameNorEmailInPlaintext() async throws {
        let world = try await AccountWorld.make()
        let (admin, _) = try await world.bootstrap()
        _ = try await world.service.registerUser(UserRegistration(login: "Zoraida.Quintanilla", name: "Zoraida Quintanilla Ferrer",
                                                                  email: "zoraida.quintanilla@fiscalia.gob.mx", institution: "FGE-07",
                                                                  roles: [.capturista], password: "Esmeralda Quetzal 2024"), by: .user(admin))
        let account = try await world.user("Wenceslao.Ubaldo", by: admin)
        try await world.service.suspend(account.userId, reason: "Investigación de Wenceslao Ubaldo.", by: .user(admin))
        for attempt in 1...3 { _ = try? await world.service.login(login: "Zoraida.Quintanilla", password: "intento \(attempt)") }
        _ = try await world.service.login(login: "zoraida.quintanilla", password: "Esmeralda Quetzal 2024")
        let projector = Projector(pool: world.owner, projections: try ProjectionDefinition.loadAll(
            directory: TestDatabase.repositoryRoot.appendingPathComponent("projections")))
        try await projector.start()

        let (status, dump) = try world.database.pgDump(["--data-only"])
        #expect(status == 0)
        #expect(dump.contains("UsuarioRegistrado") && dump.contains("proj_usuarios"), "the dump must hold the events and the projection")
        for secret in ["Zoraida", "zoraida", "Quintanilla", "quintanilla", "fiscalia.gob.mx", "Esmeralda", "Quetzal", "Wenceslao", "wenceslao",
                       "Ubaldo", "Administradora", "admin.nacional", "Admin.Nacional"] {
            #expect(!dump.contains(secret), "«\(secret)» aparece en claro en pg_dump")
        }
    }

    @Test func theProjectionMatchesTheLogAndRebuildsEqual() async throws {
        let world = try await AccountWorld.make()
        let (admin, _) = try await world.bootstrap()
        let first = try await world.user("mario", roles: [.capturista], by: admin)
        let second = try await world.user("nora", institution: "SEGOB", roles: [.secretariaTecnica, .auditor], by: admin)
        let projector = Projector(pool: world.owner, projections: try ProjectionDefinition.loadAll(
            directory: TestDatabase.repositoryRoot.appendingPathComponent("projections")), batchSize: 3)
        try await projector.start()
        // Changes after the first build, applied by catching up in small batches.
        try await world.service.changeRoles(of: first.userId, to: [.supervisorInstitucional, .capturista], by: .user(admin))
        try await world.service.suspend(second.userId, reason: "Baja.", by: .user(admin))
        try await world.service.reactivate(second.userId, by: .user(admin))
        try await world.service.suspend(second.userId, reason: "Baja definitiva.", by: .user(admin))
        _ = try await world.service.registerInstitution(InstitutionRegistration(clave: "CEAV"), by: .user(admin))
        try await world.service.changeInstitution(of: first.userId, to: "CEAV", by: .user(admin))
        let usuarios = try #require(projector.projection("usuarios"))
        try await projector.catchUp(usuarios)

        func snapshot() async throws -> [String] {
            try await world.rows("""
                SELECT usuario || '|' || institucion || '|' || array_to_string(roles, ',') || '|' || activo || '|' || fecha_registro
                       || '|' || coalesce(suspendida_desde::text, '-') || '|' || coalesce(contrasena_establecida::text, '-') || '|' || version
                       || '|' || posicion_registro || '|' || ultima_posicion
                  FROM proj_usuarios.usuarios
                UNION ALL
                SELECT clave || '|' || nombre || '|' || nivel_de_gobierno || '|' || coalesce(entidad, '-') || '|' || fecha_registro || '|' || posicion
                  FROM proj_usuarios.instituciones
                ORDER BY 1
                """).map { try $0.decode(String.self, 0) }
        }
        let live = try await snapshot()
        #expect(live.count == 3 + 3, "three accounts, three institutions")
        // Same as the log says, account by account.
        for account in try await world.service.directory.accounts() {
            let row = try #require(live.first { $0.hasPrefix(account.userId + "|") })
            let fields = row.split(separator: "|").map(String.init)
            #expect(fields[1] == account.institution && fields[2] == account.roles.map(\.rawValue).joined(separator: ",")
                    && fields[3] == String(account.active) && fields[7] == String(account.version), "\(row)")
        }
        #expect(live.contains { $0.hasPrefix(second.userId + "|SEGOB|secretaria-tecnica,auditor|false|2024-03-01|2024-03-01|2024-03-01|") })
        #expect(live.contains { $0.hasPrefix("FGE-07|Fiscalía o Procuraduría General de Justicia de Chiapas|estatal|07|2024-03-01|") })

        try await projector.rebuild(usuarios)
        #expect(try await snapshot() == live, "rebuilt from position 0, the projection is the same")
    }
}
