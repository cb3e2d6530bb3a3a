import Catalog
import Foundation
import Testing

private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite struct ShippedCatalogTests {
    @Test func everyShippedCatalogueLoadsStrictly() throws {
        let set = try CatalogSet.load(directory: repository.appendingPathComponent("events/catalogs"))
        #expect(set.catalogs.count >= 30)
        let entidades = try #require(set["entidades-federativas"])
        #expect(entidades.values.count == 32)
        #expect(entidades.value("07")?.label == "Chiapas")
        #expect(entidades.value("07")?.internationalCode == "MX-CHP")
        let modalidades = try #require(set["modalidades-de-explotacion"])
        #expect(modalidades.values.count == 11)
        let paises = try #require(set["paises"])
        #expect(paises.value("GTM") != nil)
        let today = try #require(CalendarDate("2024-06-30"))
        for id in ["sexo", "calidad-de-la-persona", "tipos-de-atencion", "instituciones", "medios-comisivos", "formas-de-enganche"] {
            let catalog = try #require(set[id], "\(id)")
            #expect(catalog.values.contains { $0.isValid(on: today) }, "\(id)")
        }
    }
}

@Suite struct CatalogValidationTests {
    func load(_ files: [String: String]) -> Result<CatalogSet, CatalogLoadError> {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("catalogos-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, text) in files { try? text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        do { return .success(try CatalogSet.load(directory: folder)) } catch { return .failure(error) }
    }

    @Test func aRetiredCodeIsValidOnlyBeforeItsEnd() throws {
        let result = load(["estatus.json": """
            {"catalogo":"estatus","nombre":"Estatus","descripcion":"d","fuente":"f","valores":[
              {"codigo":"viejo","etiqueta":"Viejo","vigenteDesde":"2012-01-01","vigenteHasta":"2020-01-01"},
              {"codigo":"nuevo","etiqueta":"Nuevo","vigenteDesde":"2020-01-01","vigenteHasta":null}]}
            """])
        let catalog = try #require(try result.get()["estatus"])
        #expect(catalog.value("viejo", on: CalendarDate("2019-12-31")!) != nil)
        #expect(catalog.value("viejo", on: CalendarDate("2020-01-01")!) == nil)
        #expect(catalog.value("nuevo", on: CalendarDate("2019-12-31")!) == nil)
        #expect(catalog.value("nuevo", on: CalendarDate("2031-05-05")!) != nil)
        #expect(catalog.value("inexistente") == nil)
    }

    @Test func everyProblemIsReportedWithItsFileAndPath() {
        let result = load(["malo.json": """
            {"catalogo":"otro","nombre":"Malo","descripcion":"d","fuente":"f","extra":1,"campos":{"nivel":"n"},"valores":[
              {"codigo":"a","etiqueta":"A","vigenteDesde":"2012-02-30","vigenteHasta":null},
              {"codigo":"a","etiqueta":"","vigenteDesde":"2012-01-01","vigenteHasta":"2011-01-01","color":"rojo"},
              {"codigo":"b","etiqueta":"B","vigenteDesde":"2012-01-01","codigoInternacional":"X"}]}
            """, "roto.json": #"{"catalogo": "roto", "catalogo": "dos"}"#])
        guard case .failure(let error) = result else {
            Issue.record("invalid catalogues loaded")
            return
        }
        let found = Set(error.problems.map { "\($0.file) \($0.path)" })
        for expected in ["malo.json /extra", "malo.json /valores/0/vigenteDesde", "malo.json /valores/1/etiqueta",
                         "malo.json /valores/1/vigenteHasta", "malo.json /valores/1/color", "malo.json /valores/1/codigo",
                         "malo.json /valores/2/vigenteHasta", "malo.json /valores/2/codigoInternacional",
                         "malo.json /catalogo", "roto.json /catalogo"] {
            #expect(found.contains(expected), "missing \(expected) in \(error)")
        }
        #expect(error.problems.allSatisfy { !$0.message.isEmpty })
    }

    @Test func calendarDatesAreStrict() {
        #expect(CalendarDate("2024-02-29") != nil)
        for bad in ["2023-02-29", "2024-13-01", "24-01-01", "2024-1-01", "2024-01-01T00:00:00Z", "hoy", "２０２４-01-01"] {
            #expect(CalendarDate(bad) == nil, "\(bad)")
        }
        #expect(CalendarDate("2012-06-15")!.description == "2012-06-15")
        for bad in ["2024-0a-01", "2024/01/01", "+024-01-01", "2024-01-1 ", "2024-00-10", "0000-01-00", ""] {
            #expect(CalendarDate(bad) == nil, "\(bad)")
        }
        // Every day of four years, leap days included, reads back as written.
        var day = CalendarDate("2023-01-01")!
        for _ in 0..<(4 * 366) {
            #expect(CalendarDate(day.description) == day)
            day = day.adding(days: 1)
        }
    }
}

@Suite struct CalendarArithmeticTests {
    @Test func dayNumbersRoundTripAcrossLeapYearsAndTheEpoch() {
        #expect(CalendarDate("1970-01-01")!.dayNumber == 0)
        #expect(CalendarDate("2000-03-01")!.dayNumber - CalendarDate("2000-02-28")!.dayNumber == 2)
        #expect(CalendarDate("2012-06-14")!.adding(days: 366) == CalendarDate("2013-06-15")!)
        #expect(CalendarDate("1969-12-31")!.dayNumber == -1)
        for number in stride(from: -800_000, to: 800_000, by: 997) {
            #expect(CalendarDate(dayNumber: number).dayNumber == number)
        }
    }
}
