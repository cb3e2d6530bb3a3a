import Definitions
import TestDatabase
import Testing

@Suite struct LoaderTests {
    @Test func theRepositoryDefinitionsCarryEachModulesDocumentedVariableCount() {
        for module in DataDictionary.modules {
            let variables = DataDictionary.variables(of: module.id, in: repositoryDefinitions)
            #expect(variables.count == module.documentedVariables, "\(module.id): \(variables)")
        }
        let total = DataDictionary.modules.map { DataDictionary.variables(of: $0.id, in: repositoryDefinitions).count }.reduce(0, +)
        #expect(total == 189)
    }

    @Test func everyCurrentDefinitionHasAUniqueCommandAndExamples() {
        let set = repositoryDefinitions
        #expect(Set(set.current.map(\.command)).count == set.current.count)
        for definition in set.all { #expect(!definition.examples.isEmpty, "\(definition.key)") }
        #expect(set.definition(forCommand: "registrar-persona")?.eventType == "VictimaRegistrada")
        #expect(set.latest("AtencionOtorgada")?.version == 2)
        #expect(set.definition("AtencionOtorgada", version: 1) != nil)
    }

    @Test func aValidScratchDefinitionLoads() throws {
        #expect(try loadProblems(["operativos/PruebaRegistrada.v1.json": definitionText()]) == [])
    }

    @Test func anUnknownKeywordIsALoadError() throws {
        let problems = try loadProblems(["operativos/PruebaRegistrada.v1.json":
            definitionText(property: #"{"type": "string", "description": "x", "maxLenght": 3}"#)])
        #expect(problems.contains { $0.contains("maxLenght") && $0.contains("palabra clave desconocida") }, "\(problems)")
    }

    @Test func anUnknownCatalogueADanglingReferenceAndAnUnsupportedFormatAreLoadErrors() throws {
        let problems = try loadProblems([
            "operativos/PruebaRegistrada.v1.json": definitionText(property: #"{"type": "string", "description": "x", "x-catalogo": "colores"}"#),
            "operativos/OtraRegistrada.v1.json": definitionText(type: "OtraRegistrada", property: #"{"$ref": "comun.json#/$defs/noExiste"}"#)
                .replacingOccurrences(of: "registrar-prueba", with: "registrar-otra"),
            "operativos/TerceraRegistrada.v1.json": definitionText(type: "TerceraRegistrada", property: #"{"type": "string", "description": "x", "format": "email"}"#)
                .replacingOccurrences(of: "registrar-prueba", with: "registrar-tercera"),
        ])
        #expect(problems.contains { $0.contains("colores") }, "\(problems)")
        #expect(problems.contains { $0.contains("noExiste") }, "\(problems)")
        #expect(problems.contains { $0.contains("email") }, "\(problems)")
    }

    @Test func anExampleThatDoesNotValidateIsALoadError() throws {
        let problems = try loadProblems(["operativos/PruebaRegistrada.v1.json": definitionText(example: #"{"fecha": "2023-02-30", "campo": "x"}"#)])
        #expect(problems.contains { $0.contains("examples[0]") && $0.contains("fecha-invalida") }, "\(problems)")
    }

    @Test func aFileNameThatDisagreesWithItsHeaderAndARepeatedCommandAreLoadErrors() throws {
        let problems = try loadProblems([
            "operativos/PruebaRegistrada.v1.json": definitionText(),
            "difusion/OtraRegistrada.v1.json": definitionText(type: "OtraRegistrada"),
        ])
        #expect(problems.contains { $0.contains("debe ser definitions/operativos/OtraRegistrada.v1.json") }, "\(problems)")
        #expect(problems.contains { $0.contains("registrar-prueba") && $0.contains("ya lo usa") }, "\(problems)")
    }

    @Test func rootOnlyKeywordsNestedAndMalformedDependenciesAreLoadErrors() throws {
        let problems = try loadProblems(["operativos/PruebaRegistrada.v1.json": definitionText(
            property: #"{"type": "object", "description": "x", "$id": "https://otra/x.json", "additionalProperties": false, "properties": {}, "dependentRequired": {"a": "b"}}"#,
            example: #"{"fecha": "2023-01-01", "campo": {}}"#)])
        #expect(problems.contains { $0.contains("$id") && $0.contains("raíz") }, "\(problems)")
        #expect(problems.contains { $0.contains("dependentRequired/a") }, "\(problems)")
    }

    @Test func duplicateKeysInADefinitionAreALoadError() throws {
        let text = definitionText(property: #"{"type": "string", "type": "integer", "description": "x"}"#)
        let problems = try loadProblems(["operativos/PruebaRegistrada.v1.json": text])
        #expect(problems.contains { $0.contains("JSON no válido") }, "\(problems)")
    }
}
