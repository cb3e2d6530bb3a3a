import CanonicalJSON
import Catalog
import Commands
import Indicators
import Testing

/// Objective 1 (reform of the federal legal framework): fichas 1.1, 1.2 and 1.3 over scenarios
/// recorded event by event, each figure worked out by hand in the comment beside it.
@Suite(.needsDatabase) struct Objetivo1Tests {
    /// A participation space (`EspacioDeParticipacionCelebrado`), related to the reform or not, with the sectors present.
    func espacio(_ s: Scenario, _ fecha: String, reforma: Bool = true,
                 sectores: [String] = ["sector-publico", "sector-social", "academia"]) async throws -> CommandResult {
        try await s.record("EspacioDeParticipacionCelebrado", ["fecha": .string(fecha), "relacionadoConLaReforma": .bool(reforma),
                                                               "sectoresParticipantes": .array(sectores.map(JSONValue.string))])
    }

    /// A reform recommendation (`RecomendacionDeReformaEmitida`) made in `espacio`; returns its position.
    func recomendacion(_ s: Scenario, en espacio: CommandResult, _ fecha: String) async throws -> Int64 {
        try await s.record("RecomendacionDeReformaEmitida", stream: espacio.streamId, ["fecha": .string(fecha)]).position
    }

    /// 1.1 NRR, acumulado from the baseline year 2019: recommendations made in spaces related to the reform.
    @Test func ficha1_1CountsRecommendationsOfReformSpacesAccumulatedFrom2019() async throws {
        let s = try await Scenario.make()
        let e1 = try await espacio(s, "2019-05-10")
        let r1 = try await recomendacion(s, en: e1, "2019-05-10")
        let r2 = try await recomendacion(s, en: e1, "2020-02-01")        // a 2020 recommendation of a 2019 space: counts from 2020
        let e2 = try await espacio(s, "2021-03-01", reforma: false)
        let r3 = try await recomendacion(s, en: e2, "2021-03-01")        // space not related to the reform: never counted
        let e3 = try await espacio(s, "2022-09-02")
        let r4 = try await recomendacion(s, en: e3, "2022-09-02")
        let r5 = try await recomendacion(s, en: e3, "2022-10-15")

        let r = try await s.compute("1.1", [2018, 2019, 2020, 2021, 2022])
        // 2018 < baseline 2019: NA, whatever is recorded.
        #expect(r[2018]?.flag == .notApplicable && r[2018]?.substitution == "NRR=NA (antes del año de la línea base, 2019)")
        #expect(r[2018]?.display == "NA" && r[2018]?.variables.isEmpty == true)
        // 2019: r1 only → 1; the space is part of the provenance.
        #expect(r[2019]?.value("NRR") == 1 && r[2019]?.substitution == "NRR=1 = 1" && r[2019]?.flag == nil)
        #expect(r[2019]?.positions("NRR") == [e1.position, r1])
        // 2020: r1 + r2 = 2 (acumulado).
        #expect(r[2020]?.substitution == "NRR=2 = 2" && r[2020]?.positions("NRR") == [e1.position, r1, r2])
        // 2021: still 2: r3 belongs to a space that is not for the reform.
        #expect(r[2021]?.value("NRR") == 2 && r[2021]?.positions("NRR").contains(r3) == false)
        // 2022: r1, r2, r4, r5 = 4.
        #expect(r[2022]?.substitution == "NRR=4 = 4" && r[2022]?.value == 4 && r[2022]?.display == "4")
        #expect(r[2022]?.positions("NRR") == [e1.position, r1, r2, e3.position, r4, r5])
        #expect(r[2022]?.published == "10" && r[2022]?.logPosition == r5)

        // Periódico on the same data (the ficha's table prints the year's own count): 2022 = r4 + r5 = 2; 2020 = r2 = 1.
        let periodic = try await s.compute(try Scenario.ficha("1.1", kind: "Periódico"), [2020, 2022])
        #expect(periodic[2022]?.substitution == "NRR=2 = 2" && periodic[2022]?.positions("NRR") == [e3.position, r4, r5])
        #expect(periodic[2020]?.substitution == "NRR=1 = 1" && periodic[2020]?.positions("NRR") == [e1.position, r2])

        // Month of availability January: on 31-12-2022 the 2022 figure is preliminary; on 1-1-2023 it is final.
        let early = try await s.compute(try Scenario.ficha("1.1"), [2022], today: CalendarDate("2022-12-31")!)
        #expect(early[2022]?.display == "4 p/" && early[2022]?.flag == .preliminary)
        let onTime = try await s.compute(try Scenario.ficha("1.1"), [2022], today: CalendarDate("2023-01-01")!)
        #expect(onTime[2022]?.display == "4" && onTime[2022]?.flag == nil)
    }

    /// 1.2 PEPC% = NEC/NEP·100: the window starts at NEP's anioInicial (periodo), not at the baseline;
    /// a later NEP replaces the earlier one for past years too (as known now), not as known before.
    @Test func ficha1_2WindowFromTheProgrammedPeriodAndALateCorrectionOfNEP() async throws {
        let s = try await Scenario.make()
        let s1 = try await espacio(s, "2019-08-01").position
        let s2 = try await espacio(s, "2021-04-01").position
        let nep = try await s.valorProgramado("1-2-nep", 6, alcance: "periodo", 2019, 2024, fecha: "2022-12-27")
        let s3 = try await espacio(s, "2022-09-02").position
        let s4 = try await espacio(s, "2023-03-01").position
        let s5 = try await espacio(s, "2023-05-01", reforma: false).position   // not for the reform: never in NEC

        let r = try await s.compute("1.2", [2020, 2021, 2023, 2025])
        // 2020 < baseline 2021: NA even though s1 (2019) exists.
        #expect(r[2020]?.display == "NA" && r[2020]?.substitution == "PEPC=NA (antes del año de la línea base, 2021)")
        // 2021: NEC = s1 (2019) + s2 (2021) = 2, because NEP is «periodo» from 2019; NEP = 6. 2/6·100 = 33.33.
        #expect(r[2021]?.value("NEC") == 2 && r[2021]?.value("NEP") == 6)
        #expect(r[2021]?.substitution == "PEPC=(2/6)*100 = 33.33" && r[2021]?.value == 33.33 && r[2021]?.flag == nil)
        #expect(r[2021]?.positions("NEC") == [s1, s2, nep] && r[2021]?.positions("NEP") == [nep])
        // 2023: NEC = s1..s4 = 4 (s5 excluded). 4/6·100 = 66.666… → 66.67.
        #expect(r[2023]?.substitution == "PEPC=(4/6)*100 = 66.67" && r[2023]?.positions("NEC") == [s1, s2, nep, s3, s4])
        #expect(r[2023]?.positions("NEC").contains(s5) == false)
        // 2025: no NEP covers it (2019–2024): ND for missing data; NEC falls back to the baseline 2021: s2, s3, s4 = 3.
        #expect(r[2025]?.flag == .notAvailable && r[2025]?.substitution == "PEPC=(3/ND)*100 = ND (faltan datos)")
        #expect(r[2025]?.value("NEP") == nil && r[2025]?.positions("NEC") == [s2, s3, s4])

        // Recorded in 2024: NEP corrected to 8 for 2019–2024 (latest fecha wins). 2023 becomes 4/8·100 = 50.
        let nep2 = try await s.valorProgramado("1-2-nep", 8, alcance: "periodo", 2019, 2024, fecha: "2024-03-01")
        let now = try await s.compute("1.2", [2023])
        #expect(now[2023]?.substitution == "PEPC=(4/8)*100 = 50" && now[2023]?.positions("NEP") == [nep2])
        #expect(now[2023]?.positions("NEC") == [s1, s2, s3, s4, nep2])
        // As known before the correction (log up to s5): still 4/6 with the first NEP.
        let before = try await s.compute(try Scenario.ficha("1.2"), [2023], source: try await s.asOf(s5, label: "f12"))
        #expect(before[2023]?.substitution == "PEPC=(4/6)*100 = 66.67" && before[2023]?.positions("NEP") == [nep])
        #expect(before[2023]?.logPosition == s5 && now[2023]?.logPosition == nep2)
    }

    /// 1.3 NPS: sectors present in reform spaces, acumulado from 2021; the same data counted per year (periódico).
    @Test func ficha1_3SectorParticipationsAccumulatedVersusPeriodic() async throws {
        let s = try await Scenario.make()
        let s1 = try await espacio(s, "2020-06-01", sectores: ["academia", "sector-publico"]).position  // before the baseline
        let s2 = try await espacio(s, "2021-04-01", sectores: ["sector-publico", "sector-social", "academia", "organismos-internacionales"]).position
        let s3 = try await espacio(s, "2022-09-02", sectores: ["victimas-sobrevivientes", "grupos-vulnerables"]).position
        let s4 = try await espacio(s, "2022-10-01", reforma: false, sectores: ["academia"]).position    // not for the reform
        let s5 = try await espacio(s, "2023-03-01").position       // the example's three sectors

        let r = try await s.compute("1.3", [2020, 2021, 2022, 2023])
        #expect(r[2020]?.display == "NA")                                          // 2020 < baseline 2021
        // 2021: s2's four sectors.
        #expect(r[2021]?.substitution == "NPS=4 = 4" && r[2021]?.positions("NPS") == [s2])
        // 2022: 4 + s3's 2 = 6 (s4 is not for the reform; s1 is before the window start 2021).
        #expect(r[2022]?.substitution == "NPS=6 = 6" && r[2022]?.positions("NPS") == [s2, s3])
        // 2023: 6 + s5's 3 = 9.
        #expect(r[2023]?.substitution == "NPS=9 = 9" && r[2023]?.value == 9 && r[2023]?.positions("NPS") == [s2, s3, s5])
        #expect(r[2023]?.positions("NPS").contains(s1) == false && r[2023]?.positions("NPS").contains(s4) == false)

        // Periódico, same events: each year's own participations: 4, 2, 3 (the ficha's table prints the year's count).
        let p = try await s.compute(try Scenario.ficha("1.3", kind: "Periódico"), [2020, 2021, 2022, 2023])
        #expect(p[2020]?.display == "NA")
        #expect(p[2021]?.substitution == "NPS=4 = 4" && p[2022]?.substitution == "NPS=2 = 2" && p[2023]?.substitution == "NPS=3 = 3")
        #expect(p[2022]?.positions("NPS") == [s3] && p[2023]?.positions("NPS") == [s5])
    }
}
