import CanonicalJSON
import Catalog
import Commands
import Foundation
import TestDatabase
import Testing
@testable import Web

/// «Buscar a una persona»: by name or CURP, by POST, through the blind indexes, within the scope.
@Suite(.needsDatabase) struct SearchPageTests {
    @Test func aCaseworkerFindsAPersonByNameWithinTheirScopeOnly() async throws {
        let world = try await WebWorld.make()
        let caseworker = try await world.account("cap.busca", "FGE-07", [.capturista])
        try await world.account("ajeno.busca", "FGE-20", [.capturista])
        let payload: JSONValue = [
            "calidad": "victima", "sexo": "mujer", "edad": 23, "nacionalidad": "MEX", "condicionMigratoria": "no-aplica-nacional",
            "fechaDeDeteccion": "2024-03-01", "institucionQueDetecta": "FGE-07", "formaDeDeteccion": "operativo-de-rescate",
            "lugarDeDeteccion": ["pais": "MEX", "entidad": "07", "municipio": "07101"],
            "nombre": "María", "primerApellido": "López", "segundoApellido": "Álvarez",
        ]
        let context = CommandContext(userId: caseworker, institutionId: "FGE-07", client: "pruebas", today: CalendarDate("2024-12-31")!)
        let recorded = try await world.services.handler.handle(Command(name: "registrar-persona", data: payload, idempotencyKey: UUID().uuidString), context: context)
        try await world.test { browser in
            _ = try await browser.login("cap.busca")
            var form = try await browser.get("/buscar")
            #expect(form.status == 200 && form.html.contains("name=\"nombre\"") && form.html.contains("name=\"curp\""))
            var found = try await browser.post("/buscar", [("_csrf", form.hidden("_csrf") ?? ""), ("curp", ""), ("nombre", "maria lopez")])
            for _ in 0..<50 where !found.html.contains(recorded.streamId) {
                // The list reads the projection, which follows the log a moment behind.
                try await Task.sleep(for: .milliseconds(100))
                found = try await browser.post("/buscar", [("_csrf", form.hidden("_csrf") ?? ""), ("curp", ""), ("nombre", "maria lopez")])
            }
            #expect(found.status == 200 && found.html.contains("/expedientes/\(recorded.streamId)"), "\(found.html.prefix(400))")
            #expect(!found.html.contains("María") && !found.html.contains("López"), "the results show no personal data")

            let neither = try await browser.post("/buscar", [("_csrf", form.hidden("_csrf") ?? ""), ("curp", ""), ("nombre", "")])
            #expect(neither.status == 422 && neither.html.contains("Escriba la CURP o el nombre") && neither.html.contains("href=\"#nombre\""))
            let particles = try await browser.post("/buscar", [("_csrf", form.hidden("_csrf") ?? ""), ("curp", ""), ("nombre", "de la")])
            #expect(particles.status == 422 && particles.html.contains("aria-invalid=\"true\""), "\(particles.status)")

            browser.forgetCookies()
            _ = try await browser.login("ajeno.busca")
            form = try await browser.get("/buscar")
            let outside = try await browser.post("/buscar", [("_csrf", form.hidden("_csrf") ?? ""), ("curp", ""), ("nombre", "maria lopez")])
            #expect(outside.status == 200 && !outside.html.contains(recorded.streamId) && outside.html.contains("No hay expedientes que usted pueda ver"))
        }
    }
}
