import Accounts
import CanonicalJSON
import Definitions
import Foundation
import TestDatabase
import Testing
@testable import Web

/// The module records in the browser: every module's opening command recorded through its generated
/// form (each definition's own example, typed into the form), listed and opened; a correction made
/// by editing the record's form; an annulment by the supervisor only; and the CIES sessions,
/// agreements and follow-ups with each agreement's state.
@Suite(.needsDatabase) struct RegistrosPagesTests {
    static func form(_ browser: Browser, _ path: String) async throws -> [(String, String)] {
        let page = try await browser.get(path)
        #expect(page.status == 200, "\(path): \(page.status)")
        return [("_csrf", page.hidden("_csrf") ?? ""), ("_clave", page.hidden("_clave") ?? "")]
    }

    /// A definition's example as the values a person types into its form.
    static func typed(_ world: WebWorld, _ command: String, overriding: [String: JSONValue] = [:]) throws -> [(String, String)] {
        let definitions = world.services.definitions
        let definition = try #require(definitions.definition(forCommand: command))
        var example = try #require(definition.examples.first, "\(command) has an example")
        if case .object(var members) = example {
            for (key, value) in overriding { members.removeAll { $0.key == key }; members.append(.init(key: key, value: value)) }
            example = .object(members)
        }
        return RecordFormValues.values(definitions.formFields(of: definition), data: example).pairs.map { ($0.name, $0.value) }
    }

    @Test func everyModulesRecordIsRecordedThroughItsFormListedAndOpened() async throws {
        let world = try await WebWorld.make()
        let userId = try await world.account("st.web", "SEGOB", [.secretariaTecnica])
        let identity = try #require(try await world.services.accounts.directory.identity(userId))
        try await world.test { browser in
            _ = try await browser.login("st.web")
            let list = try await browser.get("/registros")
            #expect(list.status == 200)
            let openers = RecordPages.openingCommands(world.services.definitions)
            let modules = Set(openers.map(\.module))
            #expect(modules.count >= 11, "the records of the other modules: \(modules.sorted())")
            var recorded = 0
            for definition in openers where !definition.examples.isEmpty {
                guard (try? world.web.commands.context(identity, command: definition.command, client: "web/1")) != nil else { continue }
                let sent = try await browser.post("/registros/nuevo/\(definition.command)",
                                                  try await Self.form(browser, "/registros/nuevo/\(definition.command)") + Self.typed(world, definition.command))
                #expect(sent.status == 303, "\(definition.command): \(sent.status) \(sent.html.prefix(1200))")
                guard let location = sent.location else { continue }
                let page = try await browser.get(location)
                // A CIES session is shown among its commission's sessions; every other record on its own page.
                #expect(page.status == 200 && page.html.contains("Listo: quedó registrado") && (location.hasPrefix("/cies") || page.html.contains("Vigente")),
                        "\(definition.command)")
                recorded += 1
            }
            #expect(recorded >= 10, "recorded \(recorded) kinds of record through the web")
            let listed = try await browser.get("/registros?modulo=capacitacion")
            #expect(listed.html.contains("Capacitación impartida"))
            let badFilter = try await browser.get("/registros?modulo=no-existe&desde=ayer")
            #expect(badFilter.status == 422 && badFilter.html.contains("no es un módulo con registros") && badFilter.html.contains("AAAA-MM-DD"))
        }
    }

    @Test func aRecordIsCorrectedInItsFormAndAnnulledOnlyByASupervisor() async throws {
        let world = try await WebWorld.make()
        try await world.account("cap.web", "FGE-07", [.capturista])
        try await world.account("sup.web", "FGE-07", [.supervisorInstitucional])
        try await world.account("ajeno.web", "FGR", [.capturista])
        try await world.test { browser in
            _ = try await browser.login("cap.web")
            let sent = try await browser.post("/registros/nuevo/registrar-operativo",
                                              try await Self.form(browser, "/registros/nuevo/registrar-operativo") + Self.typed(world, "registrar-operativo"))
            let recordURL = try #require(sent.location?.split(separator: "?").first.map(String.init), "\(sent.html.prefix(1500))")
            let record = try await browser.get(recordURL)
            #expect(record.html.contains("id=\"accion-corregir\"") && !record.html.contains("id=\"accion-anular\""), "a capturista corrects, never annuls")
            #expect(try await browser.get(recordURL + "/anular").status == 403)

            // The correction form opens as the record stands; a wrong code is said beside its field and nothing is written.
            let correction = try await browser.get(recordURL + "/corregir")
            #expect(correction.html.contains("name=\"inmueblesAsegurados\" value=\"1\""), "\(correction.html.prefix(100))")
            let base = [("_csrf", correction.hidden("_csrf")!), ("_clave", correction.hidden("_clave")!)]
            let stream = String(recordURL.dropFirst("/registros/".count))
            let before = try await world.services.handler.store.readStream(stream).count
            let unchanged = try await browser.post(recordURL + "/corregir", base + Self.typed(world, "registrar-operativo") + [("_motivo", "Nada cambió")])
            #expect(unchanged.status == 422 && unchanged.html.contains("No cambió ningún dato"),
                    "\(unchanged.html.firstMatch(of: /resumen-errores[\s\S]{0,1500}/)?.output ?? "")")
            let wrong = try await browser.post(recordURL + "/corregir", base + Self.typed(world, "registrar-operativo", overriding: ["tipoDeLugar": "no-existe"])
                                               + [("_motivo", "Corrección de prueba")])
            #expect(wrong.status == 422 && wrong.html.contains("href=\"#campo-tipoDeLugar\""), "\(wrong.html.prefix(2000))")
            let noReason = try await browser.post(recordURL + "/corregir", base + Self.typed(world, "registrar-operativo", overriding: ["inmueblesAsegurados": 2]))
            #expect(noReason.status == 422 && noReason.html.contains("id=\"campo--motivo-error\""), "\(noReason.html.prefix(2000))")
            #expect(try await world.services.handler.store.readStream(stream).count == before)

            let fixed = try await browser.post(recordURL + "/corregir", base + Self.typed(world, "registrar-operativo", overriding: ["inmueblesAsegurados": 2])
                                               + [("_motivo", "El informe rectificado reporta dos inmuebles.")])
            #expect(fixed.status == 303, "\(fixed.html.prefix(2000))")
            let corrected = try await browser.get(recordURL)
            #expect(corrected.html.contains("Registro corregido") && corrected.html.contains("El informe rectificado reporta dos inmuebles."))
            #expect(corrected.html.contains("<td>Inmuebles asegurados</td><td>1</td><td>2</td>"), "before → after")

            browser.forgetCookies()
            _ = try await browser.login("ajeno.web")
            #expect(try await browser.get(recordURL + "/corregir").status == 403, "another institution's record")
            browser.forgetCookies()
            _ = try await browser.login("sup.web")
            let annul = try await Self.form(browser, recordURL + "/anular")
            let annulled = try await browser.post(recordURL + "/anular", annul + [("_motivo", "Duplicado del operativo capturado antes.")])
            #expect(annulled.status == 303)
            let final = try await browser.get(recordURL)
            #expect(final.html.contains("Anulado el") && !final.html.contains("id=\"accion-corregir\""))
        }
    }

    @Test func theCIESSessionsAgreementsAndTheStateOfEach() async throws {
        let world = try await WebWorld.make()
        try await world.account("enlace.web", "CIES-07", [.enlaceEstatal])
        try await world.account("cap.web", "FGE-07", [.capturista])
        try await world.test { browser in
            _ = try await browser.login("enlace.web")
            let session = try await browser.post("/registros/nuevo/registrar-sesion-cies",
                                                 try await Self.form(browser, "/registros/nuevo/registrar-sesion-cies") + Self.typed(world, "registrar-sesion-cies"))
            #expect(session.status == 303 && session.location == "/cies?hecho=registrar-sesion-cies", "\(session.html.prefix(2000))")
            var page = try await browser.get("/cies")
            let sessionId = try #require(page.html.firstMatch(of: /registrar-acuerdo-cies\?sesion=(sesion_cies-[^"]+)"/)?.output.1).description
            let agreement = try await browser.post("/registros/nuevo/registrar-acuerdo-cies",
                                                   try await Self.form(browser, "/registros/nuevo/registrar-acuerdo-cies?sesion=\(sessionId)")
                                                   + Self.typed(world, "registrar-acuerdo-cies", overriding: ["sesion": .string(sessionId)]))
            #expect(agreement.status == 303, "\(agreement.html.prefix(2000))")
            page = try await browser.get("/cies")
            #expect(page.html.contains("estado-adoptado"), "a new agreement is «adoptado»")
            let agreementId = try #require(page.html.firstMatch(of: /\/cies\/acuerdos\/(acuerdo_cies-[^\/]+)\/seguimiento/)?.output.1).description
            let follow = try await browser.post("/cies/acuerdos/\(agreementId)/seguimiento",
                                                try await Self.form(browser, "/cies/acuerdos/\(agreementId)/seguimiento")
                                                + Self.typed(world, "dar-seguimiento-a-acuerdo-cies", overriding: ["estatus": "cumplido", "avance": 100]))
            #expect(follow.status == 303, "\(follow.html.prefix(2000))")
            page = try await browser.get("/cies?entidad=07")
            #expect(page.html.contains("estado-cumplido") && !page.html.contains("/cies/acuerdos/\(agreementId)/seguimiento"), "a fulfilled agreement admits no more follow-up")
            #expect(try await browser.get("/cies?entidad=99").status == 400)

            browser.forgetCookies()
            _ = try await browser.login("cap.web")
            let read = try await browser.get("/cies")
            #expect(read.status == 200 && !read.html.contains("id=\"nueva-sesion\""), "a capturista reads, never records, CIES sessions")
            #expect(try await browser.get("/registros/nuevo/registrar-sesion-cies").status == 403)
        }
    }
}
