import CanonicalJSON
import Catalog
import Commands
import Definitions
import Foundation
import Indicators
import Postgres
import Projections
import Publications
import Statistics
import TestDatabase
import Testing

/// `sintra indicators --as-of` as one JSON document, and an accurate explanation of each difference.
@Suite(.needsDatabase) struct AsOfTests {
    static let fichas = TestDatabase.repositoryRoot.appendingPathComponent("projections/indicators")

    /// `sintra indicators --as-of D --format json` prints one JSON document with both cuts and their differences.
    @Test func asOfAsJSONIsOneParseableDocument() async throws {
        let world = try await ProjectionWorld.make()
        try await world.run("registrar-espacio-de-participacion",
                            try #require(repositoryDefinitions.latest("EspacioDeParticipacionCelebrado")?.examples.first), institution: "SEGOB")
        let (status, output) = try await runProgram(TestDatabase.sintraExecutable, [
            "indicators", "--as-of", CalendarDate.today().description, "--format", "json", "--anio", "2022",
            "--indicador", "1.2", "--projector-url", world.database.projectorURL], in: TestDatabase.repositoryRoot.path, standardErrorToo: false)
        #expect(status == 0)
        let document = try CanonicalJSON.parse(output)
        #expect(document["alCorte"]?["resultados"]?.arrayValue?.count == 1 && document["ahora"]?["resultados"]?.arrayValue?.count == 1)
        #expect(document["alCorte"]?["fecha"]?.stringValue == CalendarDate.today().description && document["diferencias"]?.arrayValue?.isEmpty == true)
    }

    /// Through the command line: a space held today (1.3, month of availability January) is p/ now and final as of
    /// 1 February next year; the only difference is the p/ mark, and the table says so instead of «cambio de definición
    /// o de validación».
    @Test func theCommandLineExplainsAChangeOfOnlyThePreliminaryMark() async throws {
        let world = try await ProjectionWorld.make()
        let today = CalendarDate.today()
        var space = try #require(repositoryDefinitions.latest("EspacioDeParticipacionCelebrado")?.examples.first)
        space = FieldPath.replacing("fecha", in: space, with: .string(today.description))
        let context = CommandContext(userId: "st", institutionId: "SEGOB", client: "pruebas", today: today)
        _ = try await world.handler.handle(Command(name: "registrar-espacio-de-participacion", data: space, idempotencyKey: UUID().uuidString),
                                           context: context)
        let year = Int(today.description.prefix(4))!
        let (_, text) = try await runProgram(TestDatabase.sintraExecutable, [
            "indicators", "--as-of", "\(year + 1)-02-01", "--format", "md", "--anio", String(year), "--indicador", "1.3",
            "--projector-url", world.database.projectorURL], in: TestDatabase.repositoryRoot.path, standardErrorToo: false)
        let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("| 1.3 | \(year) |") }, "\(text)")
        #expect(row.contains("| 3 | 3 p/ |"), "\(row)")
        #expect(row.contains("solo cambia la marca p/") && !row.contains("cambio de definición"), "\(row)")
    }

    /// The same figure, p/ on the as-of day (before the ficha's month of availability) and final now: the explanation says
    /// so, instead of blaming a change of definition or validation.
    @Test func anAsOfDifferenceOfOnlyThePreliminaryMarkIsExplainedAsSuch() async throws {
        let world = try await ProjectionWorld.make()
        let space = try await world.run("registrar-espacio-de-participacion",
                                        try #require(repositoryDefinitions.latest("EspacioDeParticipacionCelebrado")?.examples.first),
                                        institution: "SEGOB")
        let projector = world.projector()
        let fichas = try IndicatorDefinition.loadAll(directory: Self.fichas).filter { $0.id == "1.3" }
        let asOf = CalendarDate("2022-12-31")!, today = CalendarDate("2023-06-30")!
        let then = try await IndicatorsAsOf(projector: projector, history: IndicatorDefinitionHistory(pool: world.owner))
            .compute(position: space.position, years: [2022], today: asOf, current: fichas)
        try await projector.start()
        let now = try await IndicatorEngine(pool: world.owner, indicators: fichas).compute(years: [2022], today: today)
        let comparison = AsOfComparison(asOf: asOf, today: today, position: space.position, then: then.results, now: now, definitions: fichas)
        let difference = try #require(comparison.differences.first)
        #expect(difference.then?.display.hasSuffix(" p/") == true && difference.now?.display.hasSuffix(" p/") == false)
        let explanation = try #require(difference.explanation)
        #expect(explanation.hasPrefix("misma cifra; solo cambia la marca p/: deja de ser preliminar"), "\(explanation)")
        #expect(explanation.contains("01/2023") && !explanation.contains("definición") && !explanation.contains("validación"))
        let json = comparison.json
        #expect(json["diferencias"]?[0]?["explicacion"]?.stringValue == explanation)
    }

    /// A space of participation annulled after the as-of day: the figure drops, and the explanation names the
    /// annulled record and its date instead of a vague «cambio en registros anteriores».
    @Test func anAnnulmentAfterTheDayIsNamedInTheExplanation() async throws {
        let world = try await ProjectionWorld.make()
        let example = try #require(repositoryDefinitions.latest("EspacioDeParticipacionCelebrado")?.examples.first)
        let first = try await world.run("registrar-espacio-de-participacion", example, institution: "SEGOB")
        let second = try await world.run("registrar-espacio-de-participacion", example, institution: "SEGOB")
        let annulled = try await world.run("anular-registro", ["fecha": "2023-03-01", "motivo": "Registro duplicado del mismo espacio."],
                                           stream: second.streamId, institution: "SEGOB")
        let projector = world.projector()
        let fichas = try IndicatorDefinition.loadAll(directory: Self.fichas).filter { $0.id == "1.3" }
        let year = Int(String(example["fecha"]?.stringValue?.prefix(4) ?? "2022"))!
        let asOf = CalendarDate("\(year + 1)-06-30")!, today = CalendarDate("\(year + 1)-07-31")!
        let then = try await IndicatorsAsOf(projector: projector, history: IndicatorDefinitionHistory(pool: world.owner))
            .compute(position: annulled.position - 1, years: [year], today: asOf, current: fichas)
        try await projector.start()
        let now = try await IndicatorEngine(pool: world.owner, indicators: fichas).compute(years: [year], today: today)
        let changes = try await RecordChange.after(annulled.position - 1, world.owner)
        #expect(changes.map(\.recordId) == [second.streamId] && changes.first?.openingPosition == second.position && changes.first?.kind == .anulado)
        let comparison = AsOfComparison(asOf: asOf, today: today, position: annulled.position - 1, then: then.results, now: now,
                                        definitions: fichas, recordChanges: changes)
        let difference = try #require(comparison.differences.first)
        #expect(difference.then?.display != difference.now?.display, "\(String(describing: difference.then?.display)) \(String(describing: difference.now?.display))")
        let explanation = try #require(difference.explanation)
        #expect(explanation.contains("el registro \(second.streamId) (EspacioDeParticipacionCelebrado) fue anulado el 2023-03-01"), "\(explanation)")
        #expect(!explanation.contains(first.streamId))
    }
}
