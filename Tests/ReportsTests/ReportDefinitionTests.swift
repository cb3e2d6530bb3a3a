import CanonicalJSON
import Definitions
import Reports
import TestDatabase
import Testing

let definitions = repositoryDefinitions
let catalogue = ReportCatalogue(definitions: definitions)

func parse(_ text: String) throws -> ReportDefinition {
    try ReportDefinition.parse(try CanonicalJSON.parse(Array(text.utf8)), catalogue: catalogue)
}

/// The problems of a definition that must be refused (an empty list means it was accepted).
func problems(_ text: String) throws -> [Problem] {
    do { _ = try parse(text); return [] } catch let error as ReportInputError { return error.problems }
}

/// The variables come from the definitions; bad input is refused naming the field and what is allowed.
struct ReportDefinitionTests {
    @Test func variablesAreGeneratedFromTheDefinitionsAndNoPersonalFieldIsEverADimensionOrMeasure() throws {
        let training = try #require(catalogue.source("CapacitacionImpartida"))
        for name in ["anio", "mes", "institucionQueRegistra", "institucion", "modalidad", "naturaleza", "poblacionesObjetivo", "lugar",
                     "basadaEnElProgramaNacionalDeCapacitacion", "evaluaciones"] {
            #expect(training.dimensions.contains(name), "\(name)")
        }
        for name in ["totalDeParticipantes", "participantesPorSexo.mujeres", "participantesPorNivelDeMando.mandosAltos", "duracionEnHoras"] {
            #expect(training.numerics.contains(name), "\(name)")
        }
        #expect(!training.dimensions.contains("nombreDelEvento") && !training.dimensions.contains("objetivo"), "texto libre")
        #expect(training.variable("poblacionesObjetivo")?.multiValued == true)
        // Every module with records, the people, and nothing of the accounts or the system.
        #expect(catalogue.source("OperativoRealizado") != nil && catalogue.source("ConvenioFirmado") != nil && catalogue.source("personas") != nil)
        #expect(catalogue.source("UsuarioRegistrado") == nil && catalogue.source("VictimaRegistrada") == nil)
        // No field that a definition marks personal is usable anywhere.
        var personal: Set<String> = []
        for definition in definitions.current {
            for field in DataDictionary.fields(of: definition, in: definitions) where field.isPersonal { personal.insert(field.path) }
        }
        #expect(personal.contains("nombre") && personal.contains("curp"))
        for source in catalogue.sources {
            let usable = Set(source.dimensions + source.numerics)
            #expect(usable.isDisjoint(with: personal), "\(source.name): \(usable.intersection(personal))")
        }
        let people = try #require(catalogue.source("personas"))
        #expect(people.variable("curp")?.role == .personal && people.variable("nombre")?.role == .personal)
        #expect(Set(["sexo", "grupoDeEdad", "entidadDeDeteccion", "anio", "modalidades", "nacionalidad"]).isSubset(of: people.dimensions))
    }

    @Test func aValidDefinitionIsRead() throws {
        let report = try parse("""
            {"titulo": "Capacitaciones", "fuente": "CapacitacionImpartida", "filas": "modalidad", "columnas": "anio",
             "filtros": {"lugar": ["07"], "anio": ["2023"]}, "medida": {"suma": "totalDeParticipantes"}, "modo": "publicacion"}
            """)
        #expect(report.rows.name == "modalidad" && report.columns?.name == "anio" && report.measure == .sum("totalDeParticipantes"))
        #expect(report.mode == .publication && report.filters.map { $0.variable.name } == ["lugar", "anio"])
        #expect(try parse(#"{"titulo": "P", "fuente": "personas", "filas": "sexo", "medida": "personas"}"#).mode == .internal)
    }

    @Test func badInputNamesEachFieldAndWhatIsAllowed() throws {
        // An unknown variable, a personal field, a number as a dimension, an unknown filter, all at once.
        var found = try problems("""
            {"titulo": "X", "fuente": "personas", "filas": "colorFavorito", "columnas": "curp", "filtros": {"edad": ["23"]}, "medida": "personas"}
            """)
        #expect(found.map(\.path) == ["filas", "columnas", "filtros.edad"], "\(found)")
        #expect(found[0].code == "variable-desconocida" && found[0].message.contains("«colorFavorito»") && found[0].message.contains("sexo"))
        #expect(found[1].code == "dato-personal" && found[1].message.contains("«curp» es un dato personal"))
        #expect(found[2].message.contains("grupoDeEdad"), "la edad solo por grupo")
        found = try problems(#"{"titulo": "X", "fuente": "CapacitacionImpartida", "filas": "totalDeParticipantes", "medida": {"suma": "modalidad"}}"#)
        #expect(found.map(\.code) == ["variable-numerica", "variable-no-numerica"], "\(found)")
        #expect(found[1].path == "medida.suma" && found[1].message.contains("variables sumables: ") && found[1].message.contains("totalDeParticipantes"))
        found = try problems(#"{"titulo": "X", "fuente": "CapacitacionImpartida", "filas": "modalidad", "medida": "personas"}"#)
        #expect(found.map(\.path) == ["medida"] && found[0].message.contains("«registros»"), "\(found)")
        found = try problems(#"{"titulo": "X", "fuente": "Inexistente", "filas": "modalidad", "medida": "registros"}"#)
        #expect(found.map(\.path) == ["fuente"] && found[0].message.contains("CapacitacionImpartida"), "\(found)")
        found = try problems(#"{"titulo": "", "fuente": "CapacitacionImpartida", "filas": "nombreDelEvento", "medida": "registros", "orden": 1, "modo": "x", "filtros": {"anio": ["dos mil"]}}"#)
        #expect(Set(found.map(\.path)) == ["orden", "titulo", "filas", "filtros.anio", "modo"], "\(found)")
        #expect(found.first { $0.path == "filas" }?.message.contains("texto libre") == true)
    }
}
