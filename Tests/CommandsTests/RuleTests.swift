import CanonicalJSON
import Commands
import Definitions
import Streams
import Testing

/// Every business rule rejects with its code and path, and a rejected command writes nothing.
@Suite(.needsDatabase) struct RuleTests {
    @Test func datesMayNotBeInTheFutureNorBeforeTheLeyGeneralUnlessHistoricalLoadIsDeclared() async throws {
        let system = try await System.make()
        let future = try await system.problems("registrar-persona", persona(fechaDeDeteccion: "2025-01-02"))
        #expect(future.contains { $0.code == "fecha-futura" && $0.path == "datos.fechaDeDeteccion" }, "\(future)")
        let old = persona(curp: curp("FIEL800321MCSCJC0"), fechaDeNacimiento: "1980-03-21", edad: 30, fechaDeDeteccion: "2010-05-01")
        let early = try await system.problems("registrar-persona", old)
        #expect(early.map(\.code) == ["fecha-anterior-a-la-ley"], "\(early)")
        #expect(try await system.problems("registrar-persona", old, historical: true) == [])
    }

    @Test func ageMustMatchTheBirthDateAndTheCURPMustBeWellFormed() async throws {
        let system = try await System.make()
        let age = try await system.problems("registrar-persona", persona(edad: 30))
        #expect(age.map(\.code) == ["edad-inconsistente"] && age.first?.path == "datos.edad", "\(age)")
        let digit = try await system.problems("registrar-persona", persona(curp: "FIEL980321MCSCJC08"))
        #expect(digit.map(\.code) == ["curp-digito-verificador"], "\(digit)")
        let mismatch = try await system.problems("registrar-persona", persona(curp: curp("FIEL980322MCSCJC0")))
        #expect(mismatch.map(\.code) == ["curp-fecha-de-nacimiento"], "\(mismatch)")
        let format = try await system.problems("registrar-persona", persona(curp: "NO-ES-CURP"))
        #expect(format.map(\.code) == ["formato-invalido"] && format.first?.path == "datos.curp", "\(format)")
        // Problems get shown and logged: they never echo a personal value back.
        for problem in age + digit + mismatch + format {
            for secret in ["NO-ES-CURP", "FIEL98032", "1998-03-21", "1998-03-22"] { #expect(!problem.message.contains(secret), "\(problem)") }
        }
        #expect(try await system.eventCount() == 0)
    }

    @Test func anAttentionMayNotPrecedeTheRegistrationAndMustMatchItsTypesClassification() async throws {
        let system = try await System.make()
        let stream = try await system.run("registrar-persona", persona()).streamId
        let before = try await system.problems("registrar-atencion", atencion("2021-11-08"), stream: stream)
        #expect(before.map(\.code) == ["atencion-anterior-al-registro"], "\(before)")
        let mismatch = try await system.problems("registrar-atencion", atencion(clasificacion: "reparacion-integral"), stream: stream)
        #expect(mismatch.map(\.code) == ["clasificacion-no-corresponde"], "\(mismatch)")
        let unknown = try await system.problems("registrar-atencion", atencion(), stream: "expediente-no-existe")
        #expect(unknown.map(\.code) == ["flujo-inexistente"], "\(unknown)")
        let noStream = try await system.problems("registrar-atencion", atencion())
        #expect(noStream.map(\.code) == ["requerido"] && noStream.first?.path == "flujo", "\(noStream)")
    }

    @Test func aReferralMustNameAnotherInstitutionAndAUniqueFolio() async throws {
        let system = try await System.make()
        let stream = try await system.run("registrar-persona", persona()).streamId
        let referral: JSONValue = ["fecha": "2022-01-10", "folio": "F-1", "institucionDestino": "FGE-07", "serviciosSolicitados": ["alojamiento"]]
        #expect(try await system.problems("canalizar", referral, stream: stream).map(\.code) == ["canalizacion-misma-institucion"])
        try await system.run("canalizar", FieldPath.replacing("institucionDestino", in: referral, with: "DIF-07"), stream: stream)
        let again = try await system.problems("canalizar", FieldPath.replacing("institucionDestino", in: referral, with: "CEAV"), stream: stream)
        #expect(again.map(\.code) == ["folio-repetido"])
        let unknown = try await system.problems("aceptar-canalizacion", ["fecha": "2022-01-11", "folio": "F-9"], stream: stream, as: context("DIF-07"))
        #expect(unknown.map(\.code) == ["canalizacion-inexistente"])
    }

    @Test func cataloguesAndGeographyAreCheckedOnTheEventsDateThroughTheCommand() async throws {
        let system = try await System.make()
        var data = persona()
        data = FieldPath.replacing("lugarDeOrigen.municipio", in: data, with: "20067")
        data = FieldPath.replacing("institucionQueDetecta", in: data, with: "PGR")
        data = FieldPath.replacing("sexo", in: data, with: "desconocido")
        let found = try await system.problems("registrar-persona", data)
        #expect(Set(found.map { "\($0.path) \($0.code)" }) == ["datos.lugarDeOrigen.municipio municipio-de-otra-entidad",
            "datos.institucionQueDetecta catalogo-codigo-no-vigente", "datos.sexo catalogo-codigo-desconocido"], "\(found)")
        #expect(try await system.eventCount() == 0)
    }

    @Test func aPeriodMayNotEndBeforeItStarts() async throws {
        let system = try await System.make()
        let stream = try await system.run("registrar-persona", persona()).streamId
        let found = try await system.problems("documentar-victimizacion", ["fechaDeDocumentacion": "2021-11-10", "modalidades": ["explotacion-laboral"],
            "inicioDeLaExplotacion": "2021-05-01", "finDeLaExplotacion": "2021-01-01"], stream: stream)
        #expect(found.map(\.code) == ["periodo-invertido"] && found.first?.path == "datos.finDeLaExplotacion", "\(found)")
    }

    @Test func malformedEnvelopesListEveryProblem() {
        let parsed = Command.parse(["comando": 3, "datos": "x", "extra": true, "versionEsperada": -1])
        guard case .failure(let rejection) = parsed else { Issue.record("debió rechazarse"); return }
        #expect(Set(rejection.problems.map(\.path)) == ["comando", "claveDeIdempotencia", "extra", "versionEsperada"], "\(rejection)")
    }

    @Test func anUnknownCommandIsRejected() async throws {
        let system = try await System.make()
        #expect(try await system.problems("registrar-ovni", [:]).map(\.code) == ["comando-desconocido"])
    }

    @Test func aStaleExpectedVersionIsAConflictWithTheCurrentVersion() async throws {
        let system = try await System.make()
        let stream = try await system.run("registrar-persona", persona()).streamId
        try await system.run("registrar-atencion", atencion(), stream: stream)
        do {
            try await system.run("registrar-atencion", atencion(), stream: stream, version: 1)
            Issue.record("debió haber conflicto")
        } catch .conflict(_, let expected, let current) {
            #expect(expected == 1 && current == 2)
        }
    }
}

@Suite(.needsDatabase) struct CorrectionRuleTests {
    @Test func aCorrectionMustLeaveTheGeneralDataConsistent() async throws {
        let system = try await System.make()
        let stream = try await system.run("registrar-persona", persona()).streamId
        func correct(_ corrections: JSONValue) async throws -> [Problem] {
            try await system.problems("corregir-datos-generales", ["fecha": "2022-02-01", "motivo": "Error de captura.", "correcciones": corrections], stream: stream)
        }
        let age = try await correct(["edad": 70])
        #expect(age.map(\.code) == ["edad-inconsistente"] && age.first?.path == "datos.correcciones.edad", "\(age)")
        let birth = try await correct(["fechaDeNacimiento": "2030-01-01"])
        #expect(birth.map(\.code).contains("nacimiento-posterior-a-deteccion"), "\(birth)")
        let curpOther = try await correct(["curp": .string(curp("FIEL970321MCSCJC0"))])
        #expect(curpOther.map(\.code) == ["curp-fecha-de-nacimiento"] && curpOther.first?.path == "datos.correcciones.curp", "\(curpOther)")
        // Birth date and age corrected together, consistently: accepted.
        #expect(try await correct(["fechaDeNacimiento": "1997-03-21", "edad": 24, "curp": .string(curp("FIEL970321MCSCJC0"))]) == [])
    }

    @Test func identifiersMayNotCarryPersonalData() async throws {
        let system = try await System.make()
        let found = try await system.problems("registrar-persona", persona(), stream: "expediente-FIEL980321MCSCJC07")
        #expect(found.map(\.code) == ["identificador-con-datos-personales"], "\(found)")
        let key = try await system.problems("registrar-persona", persona(), key: "lucia@ejemplo.mx")
        #expect(key.map(\.code) == ["identificador-con-datos-personales"] && key.first?.path == "claveDeIdempotencia", "\(key)")
    }
}

@Suite(.needsDatabase) struct IdempotencyTests {
    @Test func aRetriedCommandReturnsItsFirstResultAndWritesNothing() async throws {
        let system = try await System.make()
        let first = try await system.run("registrar-persona", persona(), key: "registro-1")
        let again = try await system.run("registrar-persona", persona(), key: "registro-1")
        #expect(again.replayed && again.streamId == first.streamId && again.position == first.position)
        try await system.run("cerrar-caso", ["fecha": "2022-06-30", "motivo": "otro"], stream: first.streamId, key: "cierre-1")
        // The case is closed now; the retry must still answer with the first result, not "already closed".
        let retry = try await system.run("cerrar-caso", ["fecha": "2022-06-30", "motivo": "otro"], stream: first.streamId, key: "cierre-1")
        #expect(retry.replayed)
        #expect(try await system.eventCount() == 2)
    }

    @Test func aKeyReusedForAnotherCommandIsRefusedAndTouchesNothing() async throws {
        let system = try await System.make()
        let first = try await system.run("registrar-persona", persona()).streamId
        let second = try await system.run("registrar-persona", persona(nombre: "Otra", curp: curp("FIEO970707MCSCJC0"), fechaDeNacimiento: "1997-07-07", edad: 24)).streamId
        try await system.run("registrar-atencion", atencion(), stream: first, key: "k-compartida")
        // The same key for an erasure of the second person: refused, and the second person's key survives.
        let erase: JSONValue = ["fecha": "2023-01-10", "fundamento": "orden-judicial", "documento": "Oficio 1/2023"]
        let refused = try await system.problems("borrar-datos-personales", erase, stream: second, key: "k-compartida")
        #expect(refused.map(\.code) == ["clave-de-idempotencia-reutilizada"], "\(refused)")
        #expect(try await system.handler.vault.key(subject: second) != nil)
        // Same key, same stream, different data: refused too. Same key from another institution: refused.
        #expect(try await system.problems("registrar-atencion", atencion("2022-02-02"), stream: first, key: "k-compartida").map(\.code)
                == ["clave-de-idempotencia-reutilizada"])
        #expect(try await system.problems("registrar-atencion", atencion(), stream: first, key: "k-compartida", as: context("DIF-07")).map(\.code)
                == ["clave-de-idempotencia-reutilizada"])
        #expect(try await system.eventCount() == 3)
    }

    @Test func theSameCommandSentTwiceAtOnceIsWrittenOnce() async throws {
        let system = try await System.make()
        let results = try await withThrowingTaskGroup(of: CommandResult.self) { group in
            for _ in 0..<2 { group.addTask { try await system.run("registrar-persona", persona(), key: "a-la-vez") } }
            var all: [CommandResult] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results[0].streamId == results[1].streamId)
        #expect(results.filter(\.replayed).count == 1)
        #expect(try await system.eventCount() == 1)
    }
}
