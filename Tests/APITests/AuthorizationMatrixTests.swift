import Accounts
import CanonicalJSON
import Foundation
import TestDatabase
import Testing

/// Every role × every kind of endpoint × a record inside and outside its scope: allowed (2xx) or
/// denied (403), as the permissions table (migration 0010) says. The expected column is written
/// here by hand from the issue's rules, not read from the table, so a wrong row fails.
@Suite(.needsDatabase) struct AuthorizationMatrixTests {
    enum Who: String, CaseIterable, Sendable {
        case capturistaA = "capturista FGE-07", supervisorA = "supervisor FGE-07", capturistaB = "capturista FGE-20"
        case enlace = "enlace estatal CIES-07", secretaria = "Secretaría Técnica", auditor, administrador
    }

    @Test func everyRoleOnEveryKindOfEndpointInAndOutOfScope() async throws {
        let world = try await APIWorld.make()
        let logins: [Who: (String, String, [Role])] = [
            .capturistaA: ("cap.a", "FGE-07", [.capturista]), .supervisorA: ("sup.a", "FGE-07", [.supervisorInstitucional]),
            .capturistaB: ("cap.b", "FGE-20", [.capturista]), .enlace: ("enlace.07", "CIES-07", [.enlaceEstatal]),
            .secretaria: ("secretaria.st", "SEGOB", [.secretariaTecnica]), .auditor: ("auditor", "SEGOB", [.auditor]),
            .administrador: ("admin", "SEGOB", [.administrador]),
        ]
        for (_, account) in logins { try await world.account(account.0, account.1, account.2) }
        let sesion = try #require(repositoryDefinitions.latest("SesionCIESCelebrada")?.examples.first)
        let programado = try #require(repositoryDefinitions.latest("ValorProgramadoEstablecido")?.examples.first)

        let failures: [String] = try await world.test { client in
            var tokens: [Who: String] = [:]
            for (who, account) in logins { tokens[who] = try await client.login(account.0) }
            let x = try await client.command("registrar-persona", persona(), token: tokens[.capturistaA]!).json["flujo"]?.stringValue ?? ""
            let y = try await client.command("registrar-persona", persona(entidad: "20", municipio: "20067"), token: tokens[.capturistaB]!)
                .json["flujo"]?.stringValue ?? ""
            try await world.catchUp()

            typealias Check = (name: String, allowed: Set<Who>, run: @Sendable (String) async throws -> Answer)
            let all = Set(Who.allCases)
            let checks: [Check] = [
                ("leer el expediente X (FGE-07, entidad 07)", [.capturistaA, .supervisorA, .enlace, .secretaria, .auditor],
                 { try await client.call(.get, "/v1/expedientes/\(x)", token: $0) }),
                ("leer el expediente Y (FGE-20, entidad 20)", [.capturistaB, .secretaria, .auditor],
                 { try await client.call(.get, "/v1/expedientes/\(y)", token: $0) }),
                ("listar expedientes", [.capturistaA, .supervisorA, .capturistaB, .enlace, .secretaria, .auditor],
                 { try await client.call(.get, "/v1/expedientes", token: $0) }),
                ("registrar una atención en X", [.capturistaA, .supervisorA],
                 { try await client.command("registrar-atencion", atencion(), stream: x, token: $0) }),
                ("validar X", [.supervisorA],
                 { try await client.command("validar-registro", ["fecha": "2024-03-10", "versionValidada": 1], stream: x, token: $0) }),
                ("abrir datos personales de X con finalidad", [.capturistaA, .supervisorA, .auditor],
                 { try await client.call(.get, "/v1/expedientes/\(x)?datosPersonales=true&finalidad=Revisi%C3%B3n%20de%20la%20canalizaci%C3%B3n", token: $0) }),
                ("historial de eventos de X", [.auditor], { try await client.call(.get, "/v1/auditoria/flujos/\(x)", token: $0) }),
                ("verificar la cadena", [.auditor], { try await client.call(.get, "/v1/auditoria/verificacion", token: $0) }),
                ("indicadores", all, { try await client.call(.get, "/v1/indicadores?anio=2024&indicador=1.1", token: $0) }),
                ("registrar una sesión CIES", [.enlace, .secretaria],
                 { try await client.command("registrar-sesion-cies", sesion, token: $0) }),
                ("establecer un valor programado", [.secretaria],
                 { try await client.command("establecer-valor-programado", programado, token: $0) }),
                ("tabla de permisos", [.supervisorA, .auditor, .administrador], { try await client.call(.get, "/v1/admin/permisos", token: $0) }),
                ("registrar una cuenta en FGE-07", [.administrador],
                 { token in try await client.call(.post, "/v1/admin/usuarios", token: token, body: [
                    "usuario": .string("nueva.\(UUID().uuidString.prefix(8))"), "nombre": "Nueva Persona", "institucion": "FGE-07", "roles": ["capturista"]],
                    headers: ["Idempotency-Key": UUID().uuidString]) }),
                ("estadísticas vigentes (internas)", all, { try await client.call(.get, "/v1/estadisticas/vigentes", token: $0) }),
            ]
            var failures: [String] = []
            for check in checks {
                for who in Who.allCases {
                    let answer = try await check.run(tokens[who]!)
                    let allowed = check.allowed.contains(who)
                    if allowed ? !(200..<300).contains(answer.status) : answer.status != 403 {
                        failures.append("\(check.name) · \(who.rawValue): se esperaba \(allowed ? "2xx" : "403"), llegó \(answer.status) \(answer.text.prefix(300))")
                    }
                }
            }
            // Lists are narrowed to the scope, not only allowed.
            let seen = { (who: Who) in try await client.call(.get, "/v1/expedientes", token: tokens[who]!).json["expedientes"]?.arrayValue?
                .compactMap { $0["expediente"]?.stringValue }.sorted() ?? [] }
            if try await seen(.capturistaA) != [x] { failures.append("capturista FGE-07 debe ver solo X") }
            if try await seen(.capturistaB) != [y] { failures.append("capturista FGE-20 debe ver solo Y") }
            if try await seen(.enlace) != [x] { failures.append("enlace 07 debe ver solo X") }
            if try await seen(.secretaria) != [x, y].sorted() { failures.append("la Secretaría Técnica ve ambos") }
            // Public statistics need no token at all.
            // (Nothing is published in this world: the public tables answer 404, never 401.)
            if try await client.call(.get, "/v1/estadisticas").status != 404 { failures.append("estadísticas públicas sin token: 404 sin entregas") }
            if try await client.call(.get, "/v1/estadisticas/vigentes").status != 401 { failures.append("estadísticas vigentes sin token: 401") }
            return failures
        }
        #expect(failures.isEmpty, "\(failures.count) fallas:\n\(failures.joined(separator: "\n"))")
    }
}
