import AnnualReport
import CanonicalJSON
import Catalog
import Foundation
import Indicators
import Reports
import TestDatabase
import Testing

/// The inputs of the annual report (issue 16, part 3): built from the reports of the plan in
/// `events/reportes/informe-anual.json`, per institution and national, against the year before, with
/// the completeness review, and every table traceable to its report definition.
@Suite(.needsDatabase) struct AnnualReportTests {
    static let root = TestDatabase.repositoryRoot

    /// The three trainings of the definition's examples, each recorded by the institution it names
    /// (FGR 2023 with 48 people, CIES-07 2021 with 135, SECTUR 2024 with 210).
    static func world() async throws -> ProjectionWorld {
        let world = try await ProjectionWorld.make()
        for example in try #require(definitions.latest("CapacitacionImpartida")?.examples) {
            try await world.run("registrar-capacitacion", example, institution: try #require(example["institucion"]?.stringValue))
        }
        return world
    }

    static func builder(_ world: ProjectionWorld) throws -> (AnnualReportBuilder, AnnualReportPlan) {
        let catalogue = ReportCatalogue(definitions: definitions)
        let plan = try AnnualReportPlan.load(eventsDirectory: root.appendingPathComponent("events"), catalogue: catalogue)
        let indicators = try IndicatorDefinition.loadAll(directory: root.appendingPathComponent("projections/indicators"))
        return (AnnualReportBuilder(projector: world.projector(), catalogs: definitions.catalogs, catalogue: catalogue, indicators: indicators), plan)
    }

    @Test func eachModuleByInstitutionAgainstTheYearBeforeWithTheCompletenessReview() async throws {
        let world = try await Self.world()
        let (builder, plan) = try Self.builder(world)
        let report = try await builder.build(plan, year: 2024, threshold: 10, today: CalendarDate("2025-01-15")!)
        #expect(report.sections.map(\.key).first == "capacitacion" && report.sections.count == plan.sections.count)
        let trainings = try #require(report.sections.first?.tables)
        // Count of trainings: SECTUR's one in 2024, FGR's one in 2023; people trained: 210 against 48.
        #expect(trainings[0].total == 1 && trainings[0].previousTotal == 1, "\(String(describing: trainings[0].total))")
        #expect(trainings[0].result.rows.map(\.code) == ["SECTUR"] && trainings[0].previous.rows.map(\.code) == ["FGR"])
        #expect(trainings[1].total == 210 && trainings[1].previousTotal == 48)

        // Completeness: the CI members in force in 2024 are obliged (14: the catalogue's 15 but PGR, which
        // became FGR in December 2018); FGR reported trainings
        // in 2023 but not in 2024; SECTUR did in 2024; CIES-07 is not a member and never «missing».
        let review = report.completeness
        #expect(review.institutions.filter(\.obliged).count == 14 && !review.institutions.contains { $0.code == "PGR" })
        let fgr = try #require(review.institutions.first { $0.code == "FGR" })
        #expect(fgr.obliged && fgr.counts["CapacitacionImpartida"]?.year == 0 && fgr.counts["CapacitacionImpartida"]?.previous == 1)
        #expect(fgr.missing.contains("CapacitacionImpartida") && fgr.missing.count == plan.recordSources.count)
        let sectur = try #require(review.institutions.first { $0.code == "SECTUR" })
        #expect(!sectur.missing.contains("CapacitacionImpartida") && sectur.missing.contains("OperativoRealizado"))
        #expect(review.pending.count == 14)

        // Traceable: each table's definition, run on its own by the reports module, gives the same figure.
        let table = trainings[1]
        #expect(table.definition["filtros"]?["anio"] == .array(["2024"]))
        let again = try await ReportRunner(projector: world.projector(), catalogs: definitions.catalogs)
            .run(try ReportDefinition.parse(table.definition, catalogue: ReportCatalogue(definitions: definitions)), threshold: 10)
        #expect(again.value(again.rows.count, again.columns.count) == 210)
        #expect(report.recordsCommand(table, institution: "SECTUR") == "sintra registros list --modulo capacitacion --institucion SECTUR --desde 2024-01-01 --hasta 2024-12-31")

        // The documents: JSON parses and carries the review; Markdown and HTML show the comparison.
        let json = try CanonicalJSON.parse(Data(AnnualReportJSON.render(report).utf8))
        #expect(json["anio"] == .number(2024) && json["revisionDeCompletitud"]?["pendientes"] == .number(14))
        #expect(json["secciones"]?[0]?["reportes"]?[1]?["totalDelAnioAnterior"] == .number(48))
        #expect(json["estadisticasPublicas"]?["nota"]?.stringValue?.contains("No hay una entrega publicada") == true)
        let markdown = AnnualReportRenderer.markdown(report)
        #expect(markdown.contains("## Revisión de completitud") && markdown.contains("| Fiscalía General de la República | sí |"), "\(markdown.prefix(1500))")
        #expect(markdown.contains("2023: 48 → 2024: 210"))
        let html = AnnualReportRenderer.html(report)
        #expect(html.contains("@media print") && !html.contains("<script") && html.contains("<h2>Capacitación</h2>"))
    }

    @Test func theWorkbookOpensInOpenpyxlWithOneSheetPerSection() async throws {
        let world = try await Self.world()
        let (builder, plan) = try Self.builder(world)
        let report = try await builder.build(plan, year: 2024, threshold: 10, today: CalendarDate("2025-01-15")!)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("informe-\(UUID().uuidString).xlsx")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(AnnualReportRenderer.xlsx(report)).write(to: file)
        let script = """
            import json, sys, openpyxl
            book = openpyxl.load_workbook(sys.argv[1])
            print(json.dumps({"hojas": book.sheetnames, "capacitacion": [[c for c in row] for row in book["Capacitación"].iter_rows(values_only=True)]}))
            """
        let (status, output) = try await runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, file.path], standardErrorToo: false)
        #expect(status == 0, "openpyxl no abrió el archivo: \(output.prefix(400))")
        let parsed = try #require(try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output.prefix(400))")
        let sheets = try #require(parsed["hojas"] as? [String])
        #expect(sheets.first == "Resumen" && sheets.count == plan.sections.count + 3, "\(sheets)")
        let rows = try #require(parsed["capacitacion"] as? [[Any]])
        let total = try #require(rows.first { ($0.first as? String) == "Total" && $0.contains { ($0 as? Double) == 210 || ($0 as? Int) == 210 } },
                                 "\(rows.prefix(12))")
        #expect(total.contains { ($0 as? Int) == 48 || ($0 as? Double) == 48 }, "el total del año anterior, como número: \(total)")
    }

    @Test func theCommandLineAndItsErrors() async throws {
        let world = try await Self.world()
        let common = ["--projector-url", world.database.projectorURL, "--projections", Self.root.appendingPathComponent("projections").path,
                      "--events", Self.root.appendingPathComponent("events").path]
        var (status, output) = try await runSintra(["informe-anual", "--anio", "2024"] + common)
        #expect(status == 0 && output.hasPrefix("# Insumos para el informe anual de la Comisión Intersecretarial 2024"), "\(output.prefix(300))")
        #expect(output.contains("## Revisión de completitud") && output.contains("## Anexo de indicadores del PNTdP, 2024"))
        (status, output) = try await runSintra(["informe-anual", "--anio", "1999"] + common)
        #expect(status != 0 && output.contains("--anio: 1999 no es un año del registro"), "\(output)")
        (status, output) = try await runSintra(["informe-anual", "--anio", "2024", "--format", "xlsx"] + common)
        #expect(status != 0 && output.contains("indique el archivo con --salida"), "\(output)")

        // A plan whose report names a personal field: refused, naming the report and the field.
        let bad: JSONValue = ["titulo": "X", "secciones": [["clave": "a", "titulo": "A", "reportes": [
            ["titulo": "Mal", "fuente": "personas", "filas": "curp", "medida": "personas"]]]]]
        #expect(throws: AnnualReportError.self) { try AnnualReportPlan.parse(bad, catalogue: ReportCatalogue(definitions: definitions)) }
        do { _ = try AnnualReportPlan.parse(bad, catalogue: ReportCatalogue(definitions: definitions)) } catch {
            #expect(String(describing: error).contains("secciones[0].reportes[0] (Mal): filas: «curp» es un dato personal"), "\(error)")
        }
    }
}
