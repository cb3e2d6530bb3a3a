import CanonicalJSON
import Catalog
import Commands
import Indicators
import Testing

/// Objective 5 (human rights): fichas 5.1, 5.2 and 5.3 over scenarios recorded event by event,
/// each figure worked out by hand in the comment beside it.
@Suite(.needsDatabase) struct Objetivo5Tests {
    static let tresEnfoques: [String] = ["derechos-humanos", "perspectiva-de-genero", "interseccionalidad"]

    func accionEstrategica(_ s: Scenario, _ fecha: String, enfoques: [String] = Objetivo5Tests.tresEnfoques) async throws -> Int64 {
        try await s.record("AccionEstrategicaDeDerechosHumanosRealizada",
                           ["fecha": .string(fecha), "enfoques": .array(enfoques.map(JSONValue.string))]).position
    }

    func accionEducativa(_ s: Scenario, _ fecha: String, enfoques: [String] = ["derechos-humanos", "interes-superior-de-la-ninez"]) async throws -> Int64 {
        try await s.record("AccionDeInclusionEnElSectorEducativoRealizada", by: "SEP",
                           ["fecha": .string(fecha), "enfoques": .array(enfoques.map(JSONValue.string))]).position
    }

    /// A person detected by `institucion`, validated at once by it (version 1); returns the registration.
    func detectada(_ s: Scenario, _ fecha: String, por institucion: String, calidad: String = "posible-victima") async throws -> CommandResult {
        let persona = try await s.persona(detectada: fecha, por: institucion, calidad: calidad)
        try await s.validar(persona.streamId, version: 1, fecha: fecha, por: institucion)
        return persona
    }

    /// 5.1 PAE% = NAER/TAE·100, acumulado from TAE's anioInicial: actions with the three approaches; more than programmed
    /// is shown as computed (133.33), not capped.
    @Test func ficha5_1StrategicActionsWithTheThreeApproachesBeyondWhatWasProgrammed() async throws {
        let s = try await Scenario.make()
        let tae = try await s.valorProgramado("5-1-tae", 3, alcance: "periodo", 2021, 2024, fecha: "2022-12-27")
        let a0 = try await accionEstrategica(s, "2020-10-01")                                   // before the period 2021–2024
        let a1 = try await accionEstrategica(s, "2021-09-01")
        let a2 = try await accionEstrategica(s, "2022-03-01", enfoques: ["derechos-humanos", "perspectiva-de-genero"])  // no interseccionalidad
        let a3 = try await accionEstrategica(s, "2023-11-28")
        let a4 = try await accionEstrategica(s, "2024-02-01")
        let a5 = try await accionEstrategica(s, "2024-05-01")

        let r = try await s.compute("5.1", [2020, 2021, 2022, 2023, 2024])
        #expect(r[2020]?.substitution == "PAE=NA (antes del año de la línea base, 2021)")      // 2020 < baseline 2021
        // 2021: a1 → 1/3·100 = 33.33; TAE (periodo) is part of NAER's provenance because it sets the window start.
        #expect(r[2021]?.substitution == "PAE=(1/3)*100 = 33.33" && r[2021]?.positions("NAER") == [tae, a1] && r[2021]?.positions("TAE") == [tae])
        // 2022: a2 lacks interseccionalidad → still 1 → 33.33.
        #expect(r[2022]?.substitution == "PAE=(1/3)*100 = 33.33" && [a0, a2].allSatisfy { r[2022]?.positions("NAER").contains($0) == false })
        // 2023: a1, a3 → 2/3·100 = 66.67.
        #expect(r[2023]?.substitution == "PAE=(2/3)*100 = 66.67" && r[2023]?.positions("NAER") == [tae, a1, a3])
        // 2024: a1, a3, a4, a5 → 4/3·100 = 133.33.
        #expect(r[2024]?.substitution == "PAE=(4/3)*100 = 133.33" && r[2024]?.value == 133.33 && r[2024]?.flag == nil)
        #expect(r[2024]?.positions("NAER") == [tae, a1, a3, a4, a5])
        // Month of availability January: 2024 is preliminary on 31-12-2024.
        let early = try await s.compute("5.1", [2024], today: CalendarDate("2024-12-31")!)
        #expect(early[2024]?.display == "133.33 p/")
    }

    /// 5.2 NAIE% = NAIR/NAIP·100, acumulado: actions with the human-rights approach; NAIP corrected to 3 later changes
    /// the past years now (the annex's 33.33 / 66.66) but not as known before.
    @Test func ficha5_2InclusionActionsAndALateCorrectionOfNAIP() async throws {
        let s = try await Scenario.make()
        let naip = try await s.valorProgramado("5-2-naip", 1, alcance: "periodo", 2021, 2024, fecha: "2022-12-27")
        let e1 = try await accionEducativa(s, "2022-08-28")
        let e2 = try await accionEducativa(s, "2023-03-01", enfoques: ["perspectiva-de-genero"])   // without derechos-humanos

        let r = try await s.compute("5.2", [2020, 2021, 2022, 2023])
        #expect(r[2020]?.display == "NA")                                                  // 2020 < baseline 2021
        // 2021: nothing yet → 0/1·100 = 0.
        #expect(r[2021]?.substitution == "NAIE=(0/1)*100 = 0" && r[2021]?.positions("NAIR") == [naip])
        // 2022 and 2023: e1 only (e2 lacks the human-rights approach) → 1/1·100 = 100.
        #expect(r[2022]?.substitution == "NAIE=(1/1)*100 = 100" && r[2022]?.positions("NAIR") == [naip, e1])
        #expect(r[2023]?.substitution == "NAIE=(1/1)*100 = 100" && r[2023]?.positions("NAIR").contains(e2) == false)

        // Recorded in 2024: NAIP = 3 for 2021–2024 (later fecha wins), and a third action dated June 2023.
        let naip3 = try await s.valorProgramado("5-2-naip", 3, alcance: "periodo", 2021, 2024, fecha: "2024-02-01")
        let e3 = try await accionEducativa(s, "2023-06-01")
        let now = try await s.compute("5.2", [2022, 2023])
        // 2022: 1/3·100 = 33.33; 2023: e1, e3 → 2/3·100 = 66.67.
        #expect(now[2022]?.substitution == "NAIE=(1/3)*100 = 33.33" && now[2022]?.positions("NAIP") == [naip3])
        #expect(now[2023]?.substitution == "NAIE=(2/3)*100 = 66.67" && now[2023]?.positions("NAIR") == [e1, naip3, e3])
        // As known before the correction (log up to e2): 2023 is 1/1·100 = 100.
        let before = try await s.compute(try Scenario.ficha("5.2"), [2023], source: try await s.asOf(e2, label: "f52"))
        #expect(before[2023]?.substitution == "NAIE=(1/1)*100 = 100" && before[2023]?.positions("NAIP") == [naip])
    }

    /// 5.3 DPVT% = ((DPVTI − DPVT0)/DPVT0)·100: persons detected by CI members in countable cases, linked cases once at
    /// their earliest detection; ND when the previous year is 0; a correction not yet validated suspends its case (p/) and p/ before July;
    /// a person registered late changes two past years now but not as known before.
    @Test func ficha5_3DetectionsByCIMembersYearOnYear() async throws {
        let s = try await Scenario.make()
        let p1 = try await detectada(s, "2021-03-01", por: "INM")
        let p8 = try await detectada(s, "2021-12-01", por: "INM")
        let p2 = try await detectada(s, "2022-02-01", por: "FGR", calidad: "victima")
        let p3 = try await detectada(s, "2022-03-01", por: "FGE-07", calidad: "victima")     // not a member of the CI
        let p4 = try await detectada(s, "2022-04-01", por: "INM", calidad: "testigo")        // a witness, not a (possible) victim
        let p5 = try await s.persona(detectada: "2022-05-01", por: "INM")                    // never validated
        let p6 = try await s.persona(detectada: "2022-06-01", por: "INM")
        try await s.record("ConsentimientoRegistrado", stream: p6.streamId, by: "INM", ["fecha": "2022-06-02", "contarEnEstadisticas": false])
        try await s.validar(p6.streamId, version: 2, fecha: "2022-06-03", por: "INM")         // validated, but not to be counted
        let p7 = try await detectada(s, "2022-07-01", por: "CEAV", calidad: "victima")
        let vinculo = try await s.record("ExpedientesVinculados", stream: p7.streamId, by: "CEAV",
                                         ["fecha": "2022-07-10", "expediente": .string(p8.streamId)]).position  // p7 is p8: one person
        let p9 = try await detectada(s, "2022-08-01", por: "SNDIF")
        try await s.record("DatosGeneralesCorregidos", example: 1, stream: p9.streamId, by: "SNDIF", ["fecha": "2022-09-01"])  // version 3

        let r = try await s.compute("5.3", [2020, 2021, 2022])
        #expect(r[2020]?.substitution == "DPVT=NA (antes del año de la línea base, 2021)")   // 2020 < baseline 2021
        // 2021: p1 and the person of p7/p8 (first detected 1-12-2021) = 2; 2020 had 0 → ND, never 0 nor infinite.
        #expect(r[2021]?.value("DPVTI") == 2 && r[2021]?.value("DPVT0") == 0 && r[2021]?.flag == .notAvailable)
        #expect(r[2021]?.substitution == "DPVT=((2-0)/0)*100 = ND (denominador cero)")
        #expect(r[2021]?.positions("DPVTI") == [p1.position, p8.position, p7.position, vinculo])
        // 2022: p2 (FGR) = 1; not p3 (FGE-07), p4 (testigo), p5 (not validated), p6 (no consent to count),
        // p7 (already counted in 2021 as p8), p9 (corrected after its validation: suspended until validated again, the rule
        // the public statistics share). DPVT0 = 2 (2021) → ((1−2)/2)·100 = −50, preliminary while p9 waits.
        #expect(r[2022]?.substitution == "DPVT=((1-2)/2)*100 = -50" && r[2022]?.display == "-50 p/")
        #expect(r[2022]?.positions("DPVTI") == [p2.position] && r[2022]?.positions("DPVT0") == [p1.position, p8.position, p7.position, vinculo])
        #expect([p3, p4, p5, p6, p7].allSatisfy { r[2022]?.positions("DPVTI").contains($0.position) == false })
        // Validating the correction counts p9 again and makes 2022 final: p2, p9 = 2 → ((2−2)/2)·100 = 0.
        try await s.validar(p9.streamId, version: 3, fecha: "2022-09-02", por: "SNDIF")
        #expect(try await s.compute("5.3", [2022])[2022]?.display == "0")

        let p10 = try await detectada(s, "2023-02-01", por: "INM")
        let p11 = try await detectada(s, "2023-03-01", por: "SSA")
        let p12 = try await detectada(s, "2023-04-01", por: "INM")
        let before = try await s.projector.pool.query("SELECT position FROM log_head").first!.decode(Int64.self, 0)
        // 2023: p10, p11, p12 = 3 against 2 → ((3−2)/2)·100 = 50; information available in July: p/ on 30-6-2024.
        let early = try await s.compute("5.3", [2023], today: CalendarDate("2024-06-30")!)
        #expect(early[2023]?.substitution == "DPVT=((3-2)/2)*100 = 50" && early[2023]?.display == "50 p/")
        #expect(early[2023]?.positions("DPVTI") == [p10.position, p11.position, p12.position])
        #expect(try await s.compute("5.3", [2023], today: CalendarDate("2024-07-01")!)[2023]?.display == "50")

        // Registered (and validated) later: a person detected by the INM in September 2022.
        let p13 = try await detectada(s, "2022-09-15", por: "INM")
        let now = try await s.compute("5.3", [2022, 2023])
        // 2022 now: p2, p9, p13 = 3 → ((3−2)/2)·100 = 50; 2023 now: ((3−3)/3)·100 = 0.
        #expect(now[2022]?.substitution == "DPVT=((3-2)/2)*100 = 50" && now[2022]?.positions("DPVTI") == [p2.position, p9.position, p13.position])
        #expect(now[2023]?.substitution == "DPVT=((3-3)/3)*100 = 0")
        // As known before p13: 2022 was 0, 2023 was 50.
        let asOf = try await s.compute(try Scenario.ficha("5.3"), [2022, 2023], source: try await s.asOf(before, label: "f53"))
        #expect(asOf[2022]?.substitution == "DPVT=((2-2)/2)*100 = 0" && asOf[2023]?.substitution == "DPVT=((3-2)/2)*100 = 50")
        #expect(asOf[2023]?.logPosition == before)
    }
}
