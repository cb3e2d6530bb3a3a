@testable import Accounts
import CanonicalJSON
import Catalog
import Commands
import Foundation
import TestDatabase
import Testing

@Suite(.needsDatabase) struct AuthorizationTests {
    /// The policy as the issue states it, written out a second time on purpose: the migration's table
    /// must say exactly this. (role → action → widest scope; `!` = only stating a reason.)
    static let expected: [Role: [Action: String]] = [
        .capturista: [.capturar: "institucion", .registrarConsentimiento: "institucion", .leerExpedientes: "institucion",
                      .leerDatosPersonales: "institucion", .leerIndicadores: "nacional", .cambiarContrasena: "propios"],
        .supervisorInstitucional: [.capturar: "institucion", .validar: "institucion", .registrarConsentimiento: "institucion",
                                   .vincularExpedientes: "institucion", .borrarDatosPersonales: "institucion", .leerExpedientes: "institucion",
                                   .leerDatosPersonales: "institucion", .leerIndicadores: "nacional", .leerCuentas: "institucion",
                                   .cambiarContrasena: "propios", .anularRegistros: "institucion"],
        .enlaceEstatal: [.capturar: "institucion", .registrarComisiones: "entidad", .leerExpedientes: "entidad", .leerIndicadores: "nacional",
                         .cambiarContrasena: "propios", .anularRegistros: "institucion"],
        .secretariaTecnica: [.capturar: "institucion", .registrarHechosDelPrograma: "nacional", .registrarComisiones: "nacional",
                             .leerExpedientes: "nacional", .leerIndicadores: "nacional", .publicar: "nacional", .cambiarContrasena: "propios",
                             .anularRegistros: "institucion"],
        .auditor: [.leerExpedientes: "nacional", .leerDatosPersonales: "nacional!", .leerHistorial: "nacional", .leerIndicadores: "nacional",
                   .leerCuentas: "nacional", .cambiarContrasena: "propios"],
        .administrador: [.administrarCuentas: "nacional", .leerCuentas: "nacional", .leerIndicadores: "nacional", .cambiarContrasena: "propios"],
    ]

    /// Records as seen by a user of FGE-07 (Chiapas), from nearest to farthest, with the narrowest scope that reaches each.
    static let records: [(name: String, record: RecordScope, needs: Scope)] = [
        ("propio", RecordScope(recordingUser: "usuario-yo", recordingInstitution: "FGE-07", entidad: "07"), .propios),
        ("de un colega", RecordScope(recordingUser: "usuario-colega", recordingInstitution: "FGE-07", entidad: "07"), .institucion),
        ("canalizado con consentimiento", RecordScope(recordingUser: "usuario-ceav", recordingInstitution: "CEAV", entidad: "20",
                                                      sharedWith: ["FGE-07"]), .institucion),
        ("de otra institución de Chiapas", RecordScope(recordingUser: "usuario-dif", recordingInstitution: "DIF-07", entidad: "07"), .entidad),
        ("de Oaxaca", RecordScope(recordingUser: "usuario-oax", recordingInstitution: "FGE-20", entidad: "20"), .nacional),
    ]

    @Test func thePermissionTableIsExactlyThePolicy() async throws {
        let database = try await TestDatabase.migrated()
        let loaded = try await Authorizer.load(from: database.store().pool)
        var table: [Role: [Action: String]] = [:]
        for permission in loaded.permissions {
            #expect(!permission.explanation.isEmpty)
            table[permission.role, default: [:]][permission.action] = permission.scope.rawValue + (permission.requiresReason ? "!" : "")
        }
        #expect(table == Self.expected)
    }

    @Test func everyRoleActionAndScopeDecidesAsTheTableSays() async throws {
        let authorizer = try await Authorizer.load(from: TestDatabase.migrated().store().pool)
        var checked = 0
        for role in Role.allCases {
            let identity = Identity(userId: "usuario-yo", institution: "FGE-07", level: .estatal, entidad: "07", roles: [role])
            for action in Action.allCases {
                let granted = Self.expected[role]?[action]
                let scope = granted.flatMap { Scope(rawValue: String($0.prefix { $0 != "!" })) }
                let needsReason = granted?.hasSuffix("!") == true
                for (name, record, needs) in Self.records {
                    let allowed = scope.map { $0 >= needs } ?? false
                    let decision = authorizer.decide(identity, action, on: record, reason: needsReason ? "Auditoría 3/2024." : nil)
                    #expect(decision.isAllowed == allowed, "\(role.rawValue) · \(action.rawValue) · registro \(name)")
                    if needsReason && allowed {
                        let withoutReason = authorizer.decide(identity, action, on: record, reason: "  ")
                        #expect(!withoutReason.isAllowed, "\(role.rawValue) · \(action.rawValue) sin motivo")
                    }
                    checked += 1
                }
                #expect(authorizer.decide(identity, action, on: nil, reason: "x").isAllowed == (scope != nil))
                #expect(authorizer.widestScope(identity, action) == scope)
            }
        }
        #expect(checked == Role.allCases.count * Action.allCases.count * Self.records.count)
    }

    @Test func severalRolesCombineAndDenialsExplainThemselves() async throws {
        let authorizer = try await Authorizer.load(from: TestDatabase.migrated().store().pool)
        let both = Identity(userId: "usuario-yo", institution: "FGE-07", level: .estatal, entidad: "07", roles: [.capturista, .auditor])
        let colleague = Self.records[1].record, far = Self.records[4].record
        // Their own institution's case: as capturista, no reason needed; someone else's: as auditor, with a reason.
        #expect(authorizer.decide(both, .leerDatosPersonales, on: colleague) == .allowed(
            try #require(authorizer.permissions.first { $0.role == .capturista && $0.action == .leerDatosPersonales })))
        guard case .denied(let needsReason) = authorizer.decide(both, .leerDatosPersonales, on: far) else { Issue.record("sin motivo"); return }
        #expect(needsReason.contains("motivo"))
        #expect(authorizer.decide(both, .leerDatosPersonales, on: far, reason: "Revisión de la queja 12/2024.").isAllowed)
        let clerk = Identity(userId: "usuario-yo", institution: "FGE-07", level: .estatal, entidad: "07", roles: [.capturista])
        guard case .denied(let outside) = authorizer.decide(clerk, .leerExpedientes, on: far) else { Issue.record("fuera de alcance"); return }
        #expect(outside.contains("fuera de su alcance") && !outside.contains("FGE-20"), "a denial does not reveal whose record it is")
        guard case .denied(let none) = authorizer.decide(clerk, .publicar, on: nil) else { Issue.record("sin permiso"); return }
        #expect(none.contains("publicar") && none.contains("capturista"))
        // A federal user has no entidad: `entidad` scope then reaches only their institution.
        let federal = Identity(userId: "usuario-f", institution: "SEGOB", level: .federal, entidad: nil, roles: [.enlaceEstatal])
        #expect(!authorizer.decide(federal, .leerExpedientes, on: RecordScope(recordingUser: nil, recordingInstitution: "X", entidad: nil)).isAllowed)
    }

    @Test func everyCommandMapsToAnAction() {
        var unmapped: [String] = []
        for definition in repositoryDefinitions.current where Authorizer.action(forCommand: definition.command, definitions: repositoryDefinitions) == nil {
            unmapped.append(definition.command)
        }
        #expect(unmapped.isEmpty, "sin acción: \(unmapped)")
        let cases: [(String, Action)] = [
            ("registrar-persona", .capturar), ("registrar-atencion", .capturar), ("registrar-capacitacion", .capturar),
            ("validar-registro", .validar), ("registrar-consentimiento", .registrarConsentimiento),
            ("vincular-expedientes", .vincularExpedientes), ("descartar-duplicado", .vincularExpedientes),
            ("borrar-datos-personales", .borrarDatosPersonales), ("establecer-valor-programado", .registrarHechosDelPrograma),
            ("registrar-acuerdo-cies", .registrarComisiones), ("dar-seguimiento-a-acuerdo-cies", .registrarComisiones),
            ("registrar-publicacion", .publicar), ("adoptar-definicion-de-indicador", .publicar),
            ("registrar-usuario", .administrarCuentas), ("establecer-contrasena", .administrarCuentas),
        ]
        for (command, action) in cases {
            #expect(Authorizer.action(forCommand: command, definitions: repositoryDefinitions) == action, "\(command)")
        }
        #expect(Authorizer.action(forCommand: "no-existe", definitions: repositoryDefinitions) == nil)
        // Account commands go through AccountService only (it keeps credentials in step): they are
        // internal, so no generic command endpoint sends them.
        let accountCommands = repositoryDefinitions.current.filter { ["Usuario", "Institucion"].contains($0.streamType) }
        #expect(!accountCommands.isEmpty && accountCommands.allSatisfy { $0.action == Action.administrarCuentas.rawValue && $0.isInternal })
    }

    @Test func aCaseScopeFollowsItsReferralsAndTheConsentToShare() async throws {
        let world = try await AccountWorld.make()
        let (admin, _) = try await world.bootstrap()
        let clerk = try requireIdentity(try await world.service.directory.identity(try await world.user("lucia", by: admin).userId))
        let scopes = RecordScopes(histories: world.handler.histories, directory: world.service.directory, definitions: repositoryDefinitions)
        @discardableResult
        func run(_ name: String, _ data: JSONValue, stream: String? = nil, as institution: String = "FGE-07") async throws -> CommandResult {
            let context = CommandContext(userId: institution == "FGE-07" ? clerk.userId : "usuario-ceav", institutionId: institution,
                                         client: "pruebas", today: CalendarDate("2024-03-01")!)
            return try await world.handler.handle(Command(name: name, data: data, streamId: stream, idempotencyKey: UUID().uuidString), context: context)
        }
        let person: JSONValue = ["calidad": "victima", "sexo": "mujer", "edad": 23, "nacionalidad": "MEX", "fechaDeDeteccion": "2023-11-09",
                                 "institucionQueDetecta": "FGE-07", "formaDeDeteccion": "operativo-de-rescate",
                                 "lugarDeDeteccion": ["pais": "MEX", "entidad": "20", "municipio": "20067"], "nombre": "Ficticia"]
        let stream = try await run("registrar-persona", person).streamId
        try await run("canalizar", ["fecha": "2023-11-10", "folio": "C-1", "institucionDestino": "CEAV", "serviciosSolicitados": ["alojamiento"]],
                      stream: stream)
        var scope = try #require(try await scopes.scope(of: stream))
        #expect(scope == RecordScope(recordingUser: clerk.userId, recordingInstitution: "FGE-07", entidad: "20"), "detected in Oaxaca")
        try await run("registrar-consentimiento", ["fecha": "2023-11-10", "compartirConOtrasInstituciones": true, "contarEnEstadisticas": true,
                                                   "fundamento": "consentimiento-expreso-de-la-persona"], stream: stream)
        scope = try #require(try await scopes.scope(of: stream))
        #expect(scope.sharedWith == ["CEAV"])
        try await run("rechazar-canalizacion", ["fecha": "2023-11-11", "folio": "C-1", "motivo": "Sin cupo."], stream: stream, as: "CEAV")
        #expect(try await scopes.scope(of: stream)?.sharedWith == [])
        // An account is its own record; anything else takes its institution's entidad.
        #expect(try await scopes.scope(of: clerk.userId) == RecordScope(recordingUser: clerk.userId, recordingInstitution: "FGE-07", entidad: "07"))
        #expect(try await scopes.scope(of: "expediente-no-existe") == nil)
    }
}
