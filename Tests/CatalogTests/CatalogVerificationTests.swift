import Catalog
import Foundation
import Testing

private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `verificacion` records which published source a catalogue was checked against, strictly read.
@Suite struct CatalogVerificationTests {
    func load(_ text: String) -> Result<CatalogSet, CatalogLoadError> {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("catalogos-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try? text.write(to: folder.appendingPathComponent("c.json"), atomically: true, encoding: .utf8)
        do { return .success(try CatalogSet.load(directory: folder)) } catch { return .failure(error) }
    }

    @Test func aVerificationIsReadWithItsSourceVersionAndDates() throws {
        let set = try load("""
            {"catalogo":"c","nombre":"C","descripcion":"d","fuente":"f",
             "verificacion":{"fuente":"Norma X","version":"2.1","fecha":"2021-06-30","consultado":"2026-12-03","resultado":"sin cambios"},
             "valores":[{"codigo":"a","etiqueta":"A","vigenteDesde":"2012-01-01","vigenteHasta":null}]}
            """).get()
        let verification = try #require(set["c"]?.verification)
        #expect(verification.source == "Norma X" && verification.version == "2.1" && verification.result == "sin cambios")
        #expect(verification.published == CalendarDate("2021-06-30") && verification.checked == CalendarDate("2026-12-03"))
    }

    @Test func aBadVerificationIsReportedFieldByField() {
        let result = load("""
            {"catalogo":"c","nombre":"C","descripcion":"d","fuente":"f",
             "verificacion":{"fuente":"","fecha":"2021-02-30","consultado":"2020-01-01","otra":1},
             "valores":[{"codigo":"a","etiqueta":"A","vigenteDesde":"2012-01-01","vigenteHasta":null}]}
            """)
        guard case .failure(let error) = result else { Issue.record("se cargó un catálogo no válido"); return }
        let paths = Set(error.problems.map(\.path))
        #expect(paths == ["/verificacion/otra", "/verificacion/fuente", "/verificacion/fecha", "/verificacion/resultado"], "\(error)")
    }

    @Test func everyCatalogueWithCTDCCodesAndTheLanguagesNameTheirVerifiedSource() throws {
        let set = try CatalogSet.load(directory: repository.appendingPathComponent("events/catalogs"))
        let ctdc = set.catalogs.values.filter { $0.internationalStandard?.contains("CTDC") == true }
        #expect(!ctdc.isEmpty)
        for catalog in ctdc + [try #require(set["lengua-indigena"]), try #require(set["municipios"])] {
            #expect(catalog.verification != nil, "\(catalog.id) sin «verificacion»")
        }
    }
}
