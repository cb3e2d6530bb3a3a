import CanonicalJSON
import Commands
import Definitions
import EventLog
import Testing

@Suite(.needsDatabase) struct CaseLifecycleTests {
    @Test func aCaseIsRegisteredDocumentedAttendedReferredClosedAndReopened() async throws {
        let system = try await System.make()
        let registered = try await system.run("registrar-persona", persona())
        let stream = registered.streamId
        #expect(stream.hasPrefix("expediente-"))
        #expect(registered.streamVersion == 1)
        try await system.run("documentar-victimizacion", ["fechaDeDocumentacion": "2021-11-10", "modalidades": ["explotacion-sexual"],
            "ruta": ["origen": ["pais": "GTM"], "destino": ["pais": "MEX", "entidad": "07", "municipio": "07089"]],
            "cruceDeFronteraInternacional": true], stream: stream)
        try await system.run("registrar-atencion", atencion("2021-11-12"), stream: stream)
        try await system.run("canalizar", ["fecha": "2021-12-01", "folio": "C-1", "institucionDestino": "DIF-07",
                                           "serviciosSolicitados": ["alojamiento"]], stream: stream)
        // Only the destination answers the referral.
        let wrongInstitution = try await system.problems("aceptar-canalizacion", ["fecha": "2021-12-02", "folio": "C-1"], stream: stream)
        #expect(wrongInstitution.map(\.code) == ["institucion-no-destinataria"])
        try await system.run("aceptar-canalizacion", ["fecha": "2021-12-02", "folio": "C-1"], stream: stream, as: context("DIF-07"))
        let twice = try await system.problems("aceptar-canalizacion", ["fecha": "2021-12-03", "folio": "C-1"], stream: stream, as: context("DIF-07"))
        #expect(twice.map(\.code) == ["canalizacion-ya-resuelta"])

        try await system.run("cerrar-caso", ["fecha": "2022-06-30", "motivo": "proyecto-de-vida-concluido"], stream: stream)
        let whileClosed = try await system.problems("registrar-atencion", atencion("2022-07-02"), stream: stream)
        #expect(whileClosed.map(\.code) == ["caso-cerrado"])
        try await system.run("reabrir-caso", ["fecha": "2022-07-01", "motivo": "La persona solicita nuevamente apoyo legal."], stream: stream)
        let reopened = try await system.run("registrar-atencion", atencion("2022-07-02", tipo: "asesoria-juridica"), stream: stream)
        #expect(reopened.streamVersion == 8)
        let events = try await system.store.readStream(stream)
        #expect(events.map(\.eventType) == ["VictimaRegistrada", "VictimizacionDocumentada", "AtencionOtorgada", "CanalizacionSolicitada",
                                            "CanalizacionAceptada", "CasoCerrado", "CasoReabierto", "AtencionOtorgada"])
        #expect(events.allSatisfy { $0.streamType == "Expediente" })
    }

    @Test func aCorrectionIsANewEventAndTheOriginalStays() async throws {
        let system = try await System.make()
        let stream = try await system.run("registrar-persona", persona()).streamId
        try await system.run("corregir-datos-generales", ["fecha": "2022-02-01", "motivo": "Error de captura en el sexo.",
                                                          "correcciones": ["estadoCivil": "casado"]], stream: stream)
        // The codes of a correction are those in force when the corrected facts were recorded:
        // PGR (FGR since 2018-12-20) is right for a 2017 detection, corrected in 2022.
        let old = try await system.run("registrar-persona", persona(edad: 18, fechaDeDeteccion: "2017-03-01")).streamId
        try await system.run("corregir-datos-generales", ["fecha": "2022-02-01", "motivo": "La detectó la entonces PGR.",
                                                          "correcciones": ["institucionQueDetecta": "PGR"]], stream: old)
        let events = try await system.store.readStream(stream)
        #expect(events.map(\.eventType) == ["VictimaRegistrada", "DatosGeneralesCorregidos"])
        #expect(events[0].payload.contains("\"sexo\": \"mujer\""))
    }

    @Test func aSupervisorOfTheRecordingInstitutionValidatesAndConsentIsRecorded() async throws {
        let system = try await System.make()
        let stream = try await system.run("registrar-persona", persona()).streamId
        let outsider = try await system.problems("validar-registro", ["fecha": "2022-01-05", "versionValidada": 1], stream: stream, as: context("FGR"))
        #expect(outsider.map(\.code) == ["institucion-no-registradora"])
        let future = try await system.problems("validar-registro", ["fecha": "2022-01-05", "versionValidada": 5], stream: stream)
        #expect(future.map(\.code) == ["version-inexistente"])
        try await system.run("validar-registro", ["fecha": "2022-01-05", "versionValidada": 1], stream: stream, as: context(user: "supervisora-1"))
        try await system.run("registrar-consentimiento", ["fecha": "2022-01-05", "compartirConOtrasInstituciones": true,
                                                          "contarEnEstadisticas": true, "fundamento": "consentimiento-expreso-de-la-persona"], stream: stream)
        #expect(try await system.store.readStream(stream).count == 3)
    }

    @Test func cIESAgreementsAreFollowedUpUntilFulfilled() async throws {
        let system = try await System.make()
        let sessionExample = try #require(definitions.latest("SesionCIESCelebrada")?.examples.first)
        let session = try await system.run("registrar-sesion-cies", sessionExample, as: context("CIES-07"))
        var agreement = try #require(definitions.latest("AcuerdoCIESAdoptado")?.examples.first)
        agreement = FieldPath.replacing("sesion", in: agreement, with: .string(session.streamId))
        let adopted = try await system.run("registrar-acuerdo-cies", agreement, as: context("CIES-07"))
        let followUp = try #require(definitions.latest("AcuerdoCIESSeguido")?.examples.first)
        let missing = try await system.problems("dar-seguimiento-a-acuerdo-cies", followUp, stream: "acuerdo_cies-no-existe")
        #expect(missing.map(\.code) == ["acuerdo-inexistente"])
        let wrongKind = try await system.problems("dar-seguimiento-a-acuerdo-cies", followUp, stream: session.streamId)
        #expect(wrongKind.map(\.code) == ["flujo-de-otro-tipo"])
        let done = FieldPath.replacing("avance", in: FieldPath.replacing("estatus", in: followUp, with: "cumplido"), with: 100)
        try await system.run("dar-seguimiento-a-acuerdo-cies", done, stream: adopted.streamId)
        let after = try await system.problems("dar-seguimiento-a-acuerdo-cies", followUp, stream: adopted.streamId)
        #expect(after.map(\.code).contains("acuerdo-concluido"))
        let dangling = FieldPath.replacing("sesion", in: agreement, with: "sesion_cies-no-existe")
        #expect(try await system.problems("registrar-acuerdo-cies", dangling).map(\.code) == ["sesion-inexistente"])
    }

    @Test func everyOperationalDefinitionsExampleIsAcceptedThroughItsCommand() async throws {
        let system = try await System.make()
        var created: [String: String] = [:]  // stream type → a stream of it
        // Streams first (in dependency order: a session before its agreements), then follow-ups.
        let ordered = definitions.current.filter { $0.module != "atencion-a-victimas" && $0.module != "sistema" }
            .sorted { ($0.startsStream ? 0 : 1, $0.eventType == "AcuerdoCIESAdoptado" ? 1 : 0) < ($1.startsStream ? 0 : 1, $1.eventType == "AcuerdoCIESAdoptado" ? 1 : 0) }
        for definition in ordered {
            var example = try #require(definition.examples.first)
            if definition.eventType == "AcuerdoCIESAdoptado", let session = created["SesionCIES"] {
                example = FieldPath.replacing("sesion", in: example, with: .string(session))
            }
            let stream = definition.startsStream ? nil : created[definition.streamType]
            do {
                let result = try await system.run(definition.command, example, stream: stream, as: context("SEGOB"))
                created[definition.streamType] = created[definition.streamType] ?? result.streamId
            } catch {
                Issue.record("\(definition.command): \(error)")
            }
        }
    }
}
