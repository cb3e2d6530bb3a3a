import CanonicalJSON
import Catalog
import Commands
import Indicators
import Testing

/// Objective 2 (coordination): fichas 2.1, 2.2 and 2.3 over scenarios recorded event by event,
/// each figure worked out by hand in the comment beside it.
@Suite(.needsDatabase) struct Objetivo2Tests {
    /// A coordination mechanism established (`MecanismoDeCoordinacionEstablecido`).
    func mecanismo(_ s: Scenario, _ codigo: String, _ fecha: String) async throws -> CommandResult {
        try await s.record("MecanismoDeCoordinacionEstablecido", ["fecha": .string(fecha), "mecanismo": .string(codigo)])
    }

    /// A verdict on a mechanism's functionality for `anio` (`FuncionalidadDeMecanismoEvaluada`); returns its position.
    func evaluacion(_ s: Scenario, _ mecanismo: CommandResult, anio: Int, funcional: Bool, fecha: String) async throws -> Int64 {
        try await s.record("FuncionalidadDeMecanismoEvaluada", stream: mecanismo.streamId,
                           ["fecha": .string(fecha), "anio": .number(Double(anio)), "funcional": .bool(funcional)]).position
    }

    /// 2.1 MCE% = NMCE/TMCP·100: distinct mechanisms established by 31 December; TMCP = 0 gives ND.
    @Test func ficha2_1DistinctMechanismsAndAZeroDenominator() async throws {
        let s = try await Scenario.make()
        let tmcp = try await s.valorProgramado("2-1-tmcp", 3, alcance: "anual", 2019, 2024, fecha: "2022-12-27")
        let m1 = try await mecanismo(s, "cies", "2021-10-14").position
        let m2 = try await mecanismo(s, "integrantes-ci", "2022-03-01").position
        let m3 = try await mecanismo(s, "cies", "2022-06-01").position           // a second stream for the CIES mechanism
        let m4 = try await mecanismo(s, "sector-economico", "2023-05-01").position
        let tmcp0 = try await s.valorProgramado("2-1-tmcp", 0, alcance: "anual", 2024, 2024, fecha: "2024-01-10")

        let r = try await s.compute("2.1", [2020, 2021, 2022, 2023, 2024])
        #expect(r[2020]?.substitution == "MCE=NA (antes del año de la línea base, 2021)")           // 2020 < baseline 2021
        // 2021: only the CIES mechanism (m1) → 1/3·100 = 33.33.
        #expect(r[2021]?.substitution == "MCE=(1/3)*100 = 33.33" && r[2021]?.positions("NMCE") == [m1] && r[2021]?.positions("TMCP") == [tmcp])
        // 2022: {cies, integrantes-ci} = 2, m3 does not count twice (but is shown) → 2/3·100 = 66.67.
        #expect(r[2022]?.value("NMCE") == 2 && r[2022]?.substitution == "MCE=(2/3)*100 = 66.67")
        #expect(r[2022]?.positions("NMCE") == [m1, m2, m3])
        // 2023: + sector-economico = 3 → 100.
        #expect(r[2023]?.substitution == "MCE=(3/3)*100 = 100" && r[2023]?.value == 100 && r[2023]?.positions("NMCE") == [m1, m2, m3, m4])
        // 2024: the later TMCP (0, for 2024 only) applies → zero denominator → ND, never 0 nor 100.
        #expect(r[2024]?.flag == .notAvailable && r[2024]?.display == "ND" && r[2024]?.value == nil)
        #expect(r[2024]?.substitution == "MCE=(3/0)*100 = ND (denominador cero)" && r[2024]?.positions("TMCP") == [tmcp0])
    }

    /// 2.2 MCEF% = NMCEF/TMCE·100: the latest verdict (by anio, then fecha) stands until a later one;
    /// a verdict recorded late changes a past year now but not as known before; p/ before March.
    @Test func ficha2_2LatestVerdictStandsAndALateReEvaluation() async throws {
        let s = try await Scenario.make()
        let m1 = try await mecanismo(s, "cies", "2021-10-14")
        let f1 = try await evaluacion(s, m1, anio: 2021, funcional: false, fecha: "2022-02-01")
        let m2 = try await mecanismo(s, "integrantes-ci", "2022-03-01")
        let f2 = try await evaluacion(s, m1, anio: 2022, funcional: true, fecha: "2023-02-15")
        let f3 = try await evaluacion(s, m2, anio: 2022, funcional: true, fecha: "2023-02-20")

        let before = try await s.compute("2.2", [2020, 2021, 2022])
        #expect(before[2020]?.display == "NA")                                               // 2020 < baseline 2021
        // 2021: TMCE = m1; its 2021 verdict f1 is «no funcional» → 0/1·100 = 0 (a real 0, not ND).
        #expect(before[2021]?.substitution == "MCEF=(0/1)*100 = 0" && before[2021]?.positions("NMCEF") == [])
        #expect(before[2021]?.positions("TMCE") == [m1.position] && before[2021]?.positions("NMCEF").contains(f1) == false)
        // 2022: m1 (f2) and m2 (f3) functional → 2/2·100 = 100.
        #expect(before[2022]?.substitution == "MCEF=(2/2)*100 = 100" && before[2022]?.positions("NMCEF") == [m1.position, m2.position, f2, f3])

        // Recorded later: m2 re-evaluated for 2022 as not functional (same anio, later fecha: it wins).
        let f4 = try await evaluacion(s, m2, anio: 2022, funcional: false, fecha: "2023-03-10")
        let now = try await s.compute("2.2", [2022, 2023])
        // 2022 now: m1 functional (f2), m2 not (f4) → 1/2·100 = 50.
        #expect(now[2022]?.substitution == "MCEF=(1/2)*100 = 50" && now[2022]?.positions("NMCEF") == [m1.position, f2])
        #expect(now[2022]?.positions("TMCE") == [m1.position, m2.position] && now[2022]?.logPosition == f4)
        // 2023: no 2023 verdicts: the 2022 ones stand (acumulado) → still 1/2·100 = 50.
        #expect(now[2023]?.substitution == "MCEF=(1/2)*100 = 50")
        // As known before f4 (log up to f3): 2022 is still 100.
        let asOf = try await s.compute(try Scenario.ficha("2.2"), [2022], source: try await s.asOf(f3, label: "f22"))
        #expect(asOf[2022]?.substitution == "MCEF=(2/2)*100 = 100" && asOf[2022]?.logPosition == f3)

        // Month of availability March: 2023 is preliminary on 29-02-2024 and final on 1-3-2024.
        let early = try await s.compute("2.2", [2023], today: CalendarDate("2024-02-29")!)
        #expect(early[2023]?.display == "50 p/" && early[2023]?.flag == .preliminary)
        let onTime = try await s.compute("2.2", [2023], today: CalendarDate("2024-03-01")!)
        #expect(onTime[2023]?.display == "50" && onTime[2023]?.flag == nil)
    }

    /// 2.3 ARAR% = NAR/TAO·100, periódico: authorities of the list that reported actions in their annual
    /// report or recorded an attention in a validated case; a late report changes a past year.
    @Test func ficha2_3ReportsAndValidatedAttentionsOfTheObligatedAuthorities() async throws {
        let s = try await Scenario.make()
        let tao = try await s.universo("autoridades-obligadas", ["SEGOB", "SRE", "SSA", "SNDIF", "CEAV", "INM", "INMUJERES"], 2020, 2024)
        let i1 = try await s.informe("CEAV", anio: 2022, fecha: "2023-01-31", atencion: true, reintegracion: true, reparacion: true)
        let i2 = try await s.informe("SRE", anio: 2022, fecha: "2023-02-09")                    // no action reported
        let i3 = try await s.informe("CONAVIM", anio: 2022, fecha: "2023-02-10", atencion: true)  // not in the list: shown, not counted
        let i4 = try await s.informe("SSA", anio: 2021, fecha: "2022-01-31", reintegracion: true)
        let p = try await s.persona(detectada: "2022-03-01", por: "INM")                             // version 1
        let a1 = try await s.atencion(p.streamId, fecha: "2022-04-01", institucion: "SNDIF", por: "INM")  // version 2
        try await s.validar(p.streamId, version: 2, fecha: "2022-04-15", por: "INM")                 // version 3
        let a2 = try await s.atencion(p.streamId, fecha: "2022-05-01", institucion: "INMUJERES", por: "INM")  // version 4: not validated yet
        let q = try await s.persona(detectada: "2022-06-01", por: "INM")
        let last = try await s.atencion(q.streamId, fecha: "2022-06-02", institucion: "SEGOB", por: "INM")    // a case never validated

        let r = try await s.compute("2.3", [2019, 2020, 2021, 2022, 2023])
        #expect(r[2019]?.display == "NA")                                                    // 2019 < baseline 2020
        // 2020: the list applies (7) but nobody reported anything → ND (no reports), never a silent 0.
        #expect(r[2020]?.substitution == "ARAR=(ND/7)*100 = ND (NAR: ninguna institución reportó para 2020)" && r[2020]?.positions("NAR") == [tao])
        #expect(r[2020]?.positions("TAO") == [tao] && r[2020]?.flag == .notAvailable)
        // 2021: SSA's 2021 report (i4) → 1/7·100 = 14.285… → 14.29.
        #expect(r[2021]?.substitution == "ARAR=(1/7)*100 = 14.29" && r[2021]?.positions("NAR") == [tao, i4])
        // 2022: CEAV (report i1) and SNDIF (attention a1, version 2 ≤ validated 2) = 2 → 2/7·100 = 28.57.
        // Not counted: SRE (i2 reports nothing), CONAVIM (not in the list), INMUJERES (a2 after the validated version),
        // SEGOB (case q never validated).
        #expect(r[2022]?.value("NAR") == 2 && r[2022]?.value("TAO") == 7 && r[2022]?.substitution == "ARAR=(2/7)*100 = 28.57")
        #expect(r[2022]?.positions("NAR") == [tao, i1, a1])
        #expect([i2, i3, a2, last].allSatisfy { r[2022]?.positions("NAR").contains($0) == false })
        // 2023, periódico: the 2022 facts do not carry over, and nobody reported for 2023 → ND.
        #expect(r[2023]?.display == "ND" && r[2023]?.value("NAR") == nil)

        // Recorded later: SRE's corrected 2022 report (same anio, later fecha: it replaces i2) → 3/7·100 = 42.86.
        let i5 = try await s.informe("SRE", anio: 2022, fecha: "2023-06-01", atencion: true)
        let now = try await s.compute("2.3", [2022])
        #expect(now[2022]?.substitution == "ARAR=(3/7)*100 = 42.86" && now[2022]?.positions("NAR") == [tao, i1, a1, i5])
        // As known before (log up to the last attention): 28.57.
        let asOf = try await s.compute(try Scenario.ficha("2.3"), [2022], source: try await s.asOf(last, label: "f23"))
        #expect(asOf[2022]?.substitution == "ARAR=(2/7)*100 = 28.57" && asOf[2022]?.logPosition == last)

        // Validating p up to version 4 lets a2 count: INMUJERES joins → 4/7·100 = 57.14.
        try await s.validar(p.streamId, version: 4, fecha: "2022-05-15", por: "INM")
        let validated = try await s.compute("2.3", [2022])
        #expect(validated[2022]?.substitution == "ARAR=(4/7)*100 = 57.14" && validated[2022]?.positions("NAR") == [tao, i1, a1, a2, i5])
        // Month of availability March: preliminary on 28-02-2023.
        let early = try await s.compute("2.3", [2022], today: CalendarDate("2023-02-28")!)
        #expect(early[2022]?.display == "57.14 p/")
    }
}
