import CanonicalJSON
import Foundation
import Indicators
import Testing
import TestDatabase

/// The fichas' queries live in `.sql` files beside them (issue 15: SQL where a DBA can read it).
@Suite struct QueryFileTests {
    static let fichas = TestDatabase.repositoryRoot.appendingPathComponent("projections/indicators")

    @Test func noFichaFileHoldsSQLLongerThanALine() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.fichas.path).filter { $0.hasSuffix(".json") }
        #expect(files.count == 15)
        for file in files {
            let json = try CanonicalJSON.parse(Data(contentsOf: Self.fichas.appendingPathComponent(file)))
            for variable in json["metodoDeCalculo"]?["variables"]?.arrayValue ?? [] {
                #expect(variable["consulta"]?.stringValue?.contains("\n") != true, "\(file): \(variable["clave"]?.stringValue ?? "?")")
            }
        }
    }

    @Test func theLoadedFichaCarriesEachFileAsItsQuery() throws {
        let fichas = try IndicatorDefinition.loadAll(directory: Self.fichas)
        let ficha = try #require(fichas.first { $0.id == "1.2" })
        let file = try String(contentsOf: Self.fichas.appendingPathComponent("1.2.NEP.sql"), encoding: .utf8)
        let recorded = try CanonicalJSON.parse(ficha.document)["metodoDeCalculo"]?["variables"]?.arrayValue?.first { $0["clave"] == "NEP" }
        // What is recorded is the file without its final newline; and it reads back as the same ficha.
        #expect(recorded?["consulta"]?.stringValue.map { $0 + "\n" } == file)
        #expect(try IndicatorDefinition.parse(document: ficha.document).document == ficha.document)
    }

    func folder(_ files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sintra-consultas-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return directory
    }

    func ficha(query: String?) -> String {
        """
        {"id": "9.1", "version": 1, "nombre": "n", "objetivo": "o", "definicion": "d", "nivelDeDesagregacion": "Nacional",
         "periodicidad": "Anual", "tipo": "Gestión", "acumuladoOPeriodico": "Periódico", "unidadDeMedida": "Número",
         "periodoDeRecoleccion": "Enero-Diciembre", "dimension": "Eficacia", "mesDeDisponibilidad": 2, "tendenciaEsperada": "Ascendente",
         "unidadResponsable": "ST", "lineaBase": {"valor": 0, "anio": 2020}, "meta": {"valor": 1, "anio": 2024}, "seriePublicada": {},
         "metodoDeCalculo": {"clave": "N", "formula": "N", "descripcion": "d", "variables": [
           {"clave": "N", "nombre": "n", "descripcion": "d"\(query.map { ", \"consulta\": \"\($0)\"" } ?? "")}]}}
        """
    }

    func problem(_ files: [String: String]) throws -> String {
        let directory = try folder(files)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            _ = try IndicatorDefinition.loadAll(directory: directory)
            return ""
        } catch let error as IndicatorDefinition.LoadError {
            return error.description
        }
    }

    @Test func aMissingExtraOrDoubledQueryIsAnError() throws {
        #expect(try problem(["9.1.json": ficha(query: nil)]).contains("falta 9.1.N.sql"))
        #expect(try problem(["9.1.json": ficha(query: "SELECT 1"), "9.1.N.sql": "SELECT 1\n"]).contains("también 9.1.N.sql"))
        #expect(try problem(["9.1.json": ficha(query: nil), "9.1.N.sql": "SELECT 1\n", "9.1.D.sql": "SELECT 2\n"])
            .contains("9.1.D.sql no es la consulta"))
        #expect(try problem(["9.1.json": ficha(query: nil), "9.1.N.sql": "SELECT 1 AS valor\n"]) == "")
    }
}
