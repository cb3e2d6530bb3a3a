import CanonicalJSON
import Definitions
import TestDatabase
import Testing

@Suite struct ValidationTests {
    let definitions = repositoryDefinitions
    var registration: EventDefinition { definitions.latest("VictimaRegistrada")! }
    var example: JSONValue { registration.examples[0] }

    func problems(_ payload: JSONValue, _ definition: EventDefinition? = nil) -> [Problem] {
        definitions.validate(payload, definition: definition ?? registration).problems
    }

    @Test func theExampleIsValidAndItsAnnotationsNameThePersonalFieldsAndCatalogues() {
        let result = definitions.validate(example, definition: registration)
        #expect(result.isValid, "\(result.problems)")
        for path in ["nombre", "primerApellido", "curp", "fechaDeNacimiento", "telefono", "domicilio", "personasDeContacto", "relato"] {
            #expect(result.annotations.personalPaths.contains(path), "\(path)")
        }
        for path in ["sexo", "edad", "nacionalidad", "lugarDeOrigen.entidad"] {
            #expect(!result.annotations.personalPaths.contains(path), "\(path)")
        }
        #expect(result.annotations.catalogUses.contains { $0.path == "lugarDeOrigen.entidad" && $0.catalog == "entidades-federativas" })
    }

    @Test func everyProblemIsReportedAtOnceWithItsPathAndCode() {
        var payload = example
        payload = FieldPath.replacing("sexo", in: payload, with: 7)
        payload = FieldPath.replacing("fechaDeDeteccion", in: payload, with: "2023-02-30")
        payload = FieldPath.replacing("lugarDeOrigen.municipio", in: payload, with: "7089")
        guard case .object(var members) = payload else { Issue.record("no es objeto"); return }
        members.removeAll { $0.key == "calidad" }
        members.append(JSONMember(key: "sexso", value: "mujer"))
        let found = problems(.object(members))
        let summary = Set(found.map { "\($0.path) \($0.code)" })
        #expect(summary.isSuperset(of: ["sexo tipo-invalido", "fechaDeDeteccion fecha-invalida", "lugarDeOrigen.municipio formato-invalido",
                                        "calidad requerido", "sexso campo-no-permitido"]), "\(found)")
        #expect(found.allSatisfy { !$0.message.isEmpty })
    }

    @Test func aCatalogueCodeMustExistAndBeInForceOnTheEventsDate() {
        let unknown = problems(FieldPath.replacing("sexo", in: example, with: "marciano"))
        #expect(unknown.map(\.code) == ["catalogo-codigo-desconocido"], "\(unknown)")
        // PGR became FGR on 2018-12-20: valid for a 2017 detection, not for a 2021 one.
        let retired = problems(FieldPath.replacing("institucionQueDetecta", in: example, with: "PGR"))
        #expect(retired.map(\.code) == ["catalogo-codigo-no-vigente"], "\(retired)")
        var old = FieldPath.replacing("institucionQueDetecta", in: example, with: "PGR")
        old = FieldPath.replacing("fechaDeDeteccion", in: old, with: "2017-05-02")
        #expect(problems(old).filter { $0.path == "institucionQueDetecta" } == [])
    }

    @Test func aMunicipioMustBelongToItsEntidad() {
        let found = problems(FieldPath.replacing("lugarDeOrigen.municipio", in: example, with: "20067"))
        #expect(found.map(\.code) == ["municipio-de-otra-entidad"], "\(found)")
        #expect(found.first?.path == "lugarDeOrigen.municipio")
    }

    @Test func aPlaceAbroadCannotCarryAnEntidad() {
        let abroad = FieldPath.replacing("lugarDeOrigen", in: example, with: ["pais": "GTM", "entidad": "07"])
        #expect(!problems(abroad).isEmpty)
        #expect(problems(FieldPath.replacing("lugarDeOrigen", in: example, with: ["pais": "GTM"])) == [])
    }

    @Test func bothVersionsOfAtencionOtorgadaValidate() throws {
        let v1 = try #require(definitions.definition("AtencionOtorgada", version: 1))
        let v2 = try #require(definitions.definition("AtencionOtorgada", version: 2))
        let old: JSONValue = ["fecha": "2021-03-04", "tipo": "atencion-psicologica", "clasificacion": "asistencia",
                              "institucion": "CEAV", "duracionHoras": 1.5]
        #expect(definitions.validate(old, definition: v1).isValid)
        #expect(!definitions.validate(old, definition: v2).isValid, "v2 no admite duracionHoras")
        // Read as v2 by upcast_payload: UpcastTests (EventLogTests), on PostgreSQL.
    }

    @Test func oneOfReportsWhenNeitherOrBothAlternativesAreGiven() throws {
        let attention = try #require(definitions.latest("AtencionOtorgada"))
        let base: JSONValue = ["fecha": "2023-03-04", "tipo": "atencion-psicologica", "clasificacion": "asistencia"]
        #expect(!definitions.validate(base, definition: attention).isValid)
        let both = FieldPath.replacing("", in: base, with: ["fecha": "2023-03-04", "tipo": "atencion-psicologica", "clasificacion": "asistencia",
                                                           "institucion": "CEAV", "organizacionDeLaSociedadCivil": "Casa Ejemplo A.C."])
        #expect(!definitions.validate(both, definition: attention).isValid)
    }

    @Test func fieldPathsReadAndReplaceNestedValues() {
        let value: JSONValue = ["ruta": ["transito": [["pais": "GTM"], ["pais": "MEX", "entidad": "07"]]]]
        #expect(FieldPath.value(at: "ruta.transito[1].entidad", in: value) == "07")
        let changed = FieldPath.replacing("ruta.transito[0].pais", in: value, with: "HND")
        #expect(FieldPath.value(at: "ruta.transito[0].pais", in: changed) == "HND")
        #expect(FieldPath.replacing("ruta.noHay[3]", in: value, with: 1) == value)
    }
}
