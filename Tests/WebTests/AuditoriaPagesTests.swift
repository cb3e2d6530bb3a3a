import Accounts
import Cryptography
import EventLog
import Foundation
import Postgres
import TestDatabase
import Testing
@testable import Web

/// The auditor's pages through their HTTP forms: the chain verified against a signed checkpoint (and
/// a checkpoint the log does not extend reported as such), who opened a case's personal data and why,
/// and a stream's history as of a past position.
@Suite(.needsDatabase) struct AuditoriaPagesTests {
    /// A case registered by a caseworker whose personal data a supervisor opened with a purpose.
    static func caseOpenedBySupervisor(_ browser: Browser, caseworker: String = "cap.web", supervisor: String = "sup.web") async throws -> String {
        _ = try await browser.login(caseworker)
        let form = try await browser.get("/nuevo/registrar-persona")
        let sent = try await browser.post("/nuevo/registrar-persona", [("_csrf", form.hidden("_csrf")!), ("_clave", form.hidden("_clave")!), ("_version", "")]
                                          + DeskFlowTests.person)
        let caseURL = try #require(sent.location?.split(separator: "?").first.map(String.init))
        browser.forgetCookies()
        _ = try await browser.login(supervisor)
        let page = try await browser.get(caseURL)
        let opened = try await browser.post(caseURL + "/datos-personales", [("_csrf", page.hidden("_csrf")!), ("finalidad", "Seguimiento de la canalización al DIF")])
        #expect(opened.status == 200 && opened.html.contains("Zenaida"))
        browser.forgetCookies()
        return String(caseURL.dropFirst("/expedientes/".count))
    }

    static func accounts(_ world: WebWorld) async throws {
        try await world.account("cap.web", "FGE-07", [.capturista])
        try await world.account("sup.web", "FGE-07", [.supervisorInstitucional])
        try await world.account("auditora", "SEGOB", [.auditor])
    }

    @Test func anAuditorSeesWhoOpenedACasesPersonalDataAndWhy() async throws {
        let world = try await WebWorld.make()
        try await Self.accounts(world)
        try await world.test { browser in
            let caseId = try await Self.caseOpenedBySupervisor(browser)
            _ = try await browser.login("auditora")
            let page = try await browser.get("/auditoria/consultas?expediente=\(caseId)")
            #expect(page.status == 200)
            #expect(page.html.contains("Seguimiento de la canalización al DIF"), "the stated purpose is shown")
            #expect(page.html.contains("Persona sup.web"), "who, by name")
            #expect(page.html.contains("(FGE-07)"), "and institution")
            #expect(page.html.contains("<dd>Nombre, Primer apellido</dd>"), "which fields, as the form labels them")
            #expect(page.html.contains("Víctima registrada") && page.html.contains("Persona cap.web"), "the case's changes in the same timeline")
            #expect(!page.html.contains("Zenaida"), "the personal data itself stays closed")
            #expect(page.headers[.cacheControl] == "no-store")

            // By person: the CURP travels by POST; a malformed one is refused beside its field.
            let bad = try await browser.post("/auditoria/consultas", [("_csrf", page.hidden("_csrf")!), ("curp", "NO")])
            #expect(bad.status == 422 && bad.html.contains("href=\"#curp\""))
            #expect(try await browser.get("/auditoria/consultas?expediente=expediente-no-existe").status == 404)
        }
    }

    @Test func anAuditorVerifiesTheChainAgainstASignedCheckpoint() async throws {
        let world = try await WebWorld.make()
        try await Self.accounts(world)
        let store = world.database.store()
        let head = try await store.head()
        let key = Ed25519PrivateKey()
        let good = try EventLog.Checkpoint.sign(position: head.position, hash: head.hash, issuedAt: .now(), key: key)
        let forged = try EventLog.Checkpoint.sign(position: head.position, hash: [UInt8](repeating: 7, count: 32), issuedAt: .now(), key: key)
        try await world.test { browser in
            _ = try await browser.login("auditora")
            let page = try await browser.get("/auditoria/verificacion")
            #expect(page.status == 200 && page.html.contains("Aún no se ha verificado"))
            let csrf = try #require(page.hidden("_csrf"))
            let count = { try await store.pool.query("SELECT count(*) FROM chain_verifications").first!.decode(Int64.self, 0) }

            let garbage = try await browser.post("/auditoria/verificacion", [("_csrf", csrf), ("puntoDeControl", "no es un punto de control")])
            #expect(garbage.status == 422 && garbage.html.contains("id=\"campo-puntoDeControl-error\"") && garbage.html.contains("href=\"#campo-puntoDeControl\""))
            let otherKey = KeyFile.encodePublicKey(Ed25519PrivateKey().publicKey)
            let wrongKey = try await browser.post("/auditoria/verificacion", [("_csrf", csrf), ("puntoDeControl", good.fileContents), ("llavePublica", otherKey)])
            #expect(wrongKey.status == 422 && wrongKey.html.contains("no fue firmado con la llave pública indicada"))
            #expect(try await count() == 0, "bad input records nothing")

            let verified = try await browser.post("/auditoria/verificacion", [("_csrf", csrf), ("puntoDeControl", good.fileContents),
                                                                               ("llavePublica", KeyFile.encodePublicKey(key.publicKey))])
            #expect(verified.status == 303)
            let result = try await browser.get("/auditoria/verificacion")
            #expect(result.html.contains("Registro íntegro") && result.html.contains("punto de control firmado de la posición \(head.position)"))
            #expect(result.html.contains("Persona auditora"))

            _ = try await browser.post("/auditoria/verificacion", [("_csrf", csrf), ("puntoDeControl", forged.fileContents)])
            let failed = try await browser.get("/auditoria/verificacion")
            #expect(failed.html.contains("Registro alterado") && !failed.html.contains("Registro íntegro"), "a checkpoint the log does not extend")
            #expect(try await count() == 2)
        }
    }

    @Test func aStreamsHistoryAsOfAPastPositionAndOneEventByPosition() async throws {
        let world = try await WebWorld.make()
        try await Self.accounts(world)
        try await world.test { browser in
            let caseId = try await Self.caseOpenedBySupervisor(browser)
            _ = try await browser.login("auditora")
            let events = try await world.services.handler.store.readStream(caseId)
            let first = try #require(events.first)
            let whole = try await browser.get("/auditoria/flujos/\(caseId)")
            #expect(whole.status == 200 && whole.html.contains("Víctima registrada") && whole.html.contains("[dato personal oculto]"))
            #expect(!whole.html.contains("Zenaida"))
            // Before its first event the stream had none; at it, the first one only.
            let before = try await browser.get("/auditoria/historial?flujo=\(caseId)&hasta=\(first.position - 1)")
            #expect(before.html.contains("0 de \(events.count) eventos") && before.html.contains("no tenía eventos"))
            let asOf = try await browser.get("/auditoria/flujos/\(caseId)?hasta=\(first.position)")
            #expect(asOf.html.contains("Víctima registrada"))
            let beforeDay = try await browser.get("/auditoria/historial?flujo=\(caseId)&hasta=2000-01-01")
            #expect(beforeDay.html.contains("no tenía eventos"))
            let badUntil = try await browser.get("/auditoria/historial?flujo=\(caseId)&hasta=ayer")
            #expect(badUntil.status == 422 && badUntil.html.contains("href=\"#hasta\""))
            let one = try await browser.get("/auditoria/eventos/\(first.position)")
            #expect(one.status == 200 && one.html.contains(Hex.encode(first.hash)))
            #expect(try await browser.get("/auditoria/historial?posicion=\(first.position)").location == "/auditoria/eventos/\(first.position)")
            #expect(try await browser.get("/auditoria/eventos/999999").status == 404)
        }
    }
}

/// A checkpoint chosen with `<input type="file">` arrives as multipart; each part is its field's text.
struct UploadedFormTests {
    @Test func eachPartOfAMultipartFormIsItsFieldsText() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nabc\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"puntoDeControl\"; filename=\"p.json\"\r\nContent-Type: application/json\r\n\r\n{\"position\":3}\n\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"llavePublica\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n"
            + "--XyZ--\r\n"
        let values = UploadedForm.parse(Array(body.utf8), boundary: "XyZ")
        #expect(values.first("_csrf") == "abc")
        #expect(values.first("puntoDeControl") == "{\"position\":3}\n")
        #expect(values.first("llavePublica") == "" && values.text("llavePublica") == nil, "no file chosen: empty")
        #expect(UploadedForm.parse(Array("sin separadores".utf8), boundary: "XyZ").pairs.isEmpty)
    }
}
