import CanonicalJSON
import Catalog
import Definitions
import TestDatabase
import Testing

/// The municipio catalogue is INEGI's full list, valid by date like every catalogue.
@Suite struct MunicipioCatalogTests {
    let definitions = repositoryDefinitions
    var registration: EventDefinition { definitions.latest("VictimaRegistrada")! }
    var example: JSONValue { registration.examples[0] }

    func problems(_ payload: JSONValue) -> [Problem] { definitions.validate(payload, definition: registration).problems }

    @Test func theShippedListIsINEGIsWithItsCountsByDate() throws {
        let municipios = try #require(definitions.catalogs["municipios"])
        #expect(municipios.values.count == 2478)
        // Censo 2020 (reference date 2020-03-15): 2,469 municipios and alcaldías.
        #expect(municipios.values.filter { $0.isValid(on: CalendarDate("2020-03-15")!) }.count == 2469)
        #expect(municipios.value("07101")?.label == "Tuxtla Gutiérrez, Chiapas")
        #expect(municipios.values.filter { $0.code.hasPrefix("09") }.count == 16, "16 alcaldías de la Ciudad de México")
        #expect(municipios.values.filter { $0.code.hasPrefix("20") }.count == 570, "570 municipios de Oaxaca")
        for value in municipios.values { #expect(value.extra["entidad"]?.stringValue == String(value.code.prefix(2)), "\(value.code)") }
        #expect(municipios.verification != nil)
    }

    @Test func anUnknownMunicipioIsRejectedEvenInsideItsEntidad() {
        let found = problems(FieldPath.replacing("lugarDeOrigen.municipio", in: example, with: "07999"))
        #expect(found.map { "\($0.path) \($0.code)" } == ["lugarDeOrigen.municipio catalogo-codigo-desconocido"], "\(found)")
    }

    @Test func aMunicipioCreatedAfterTheCensusIsValidOnlyFromThen() {
        // Eldorado (25019), Sinaloa, has no 2020 census population: not a code for a 2019 detection.
        var payload = FieldPath.replacing("lugarDeDeteccion", in: example, with: ["pais": "MEX", "entidad": "25", "municipio": "25019"])
        payload = FieldPath.replacing("fechaDeDeteccion", in: payload, with: "2019-05-02")
        let old = problems(payload).filter { $0.path == "lugarDeDeteccion.municipio" }
        #expect(old.map(\.code) == ["catalogo-codigo-no-vigente"], "\(old)")
        payload = FieldPath.replacing("fechaDeDeteccion", in: payload, with: "2024-05-02")
        #expect(problems(payload).filter { $0.path == "lugarDeDeteccion.municipio" } == [])
    }

    @Test func exclusiveAlternativesNameTheFieldsThatConflict() throws {
        let attention = try #require(definitions.latest("AtencionOtorgada"))
        let both: JSONValue = ["fecha": "2023-03-04", "tipo": "atencion-psicologica", "clasificacion": "asistencia",
                               "institucion": "CEAV", "organizacionDeLaSociedadCivil": "Casa Ejemplo A.C."]
        let found = definitions.validate(both, definition: attention).problems
        #expect(found.map(\.code) == ["alternativas-excluyentes"], "\(found)")
        let message = found.first?.message ?? ""
        #expect(message.contains("«institucion»") && message.contains("«organizacionDeLaSociedadCivil»"), "\(message)")
    }
}
