import CanonicalJSON
import Catalog
import Commands
import Indicators
import Testing

/// Objective 4 (knowledge, training and dissemination): fichas 4.1, 4.2 and 4.3 over scenarios
/// recorded event by event, each figure worked out by hand in the comment beside it.
@Suite(.needsDatabase) struct Objetivo4Tests {
    static let instancias = ["SEGOB", "SRE", "INM", "SEP"]

    /// One update action of the Programa Nacional de Capacitación; returns its position.
    func actualizacion(_ s: Scenario, _ fecha: String) async throws -> Int64 {
        try await s.record("ProgramaNacionalDeCapacitacionActualizado", example: 1, ["fecha": .string(fecha)]).position
    }

    /// An institution's staff by command level for `anio`; returns its position.
    func plantilla(_ s: Scenario, _ institucion: String, anio: Int, _ altos: Int, _ medios: Int, _ operativos: Int) async throws -> Int64 {
        try await s.record("PlantillaInstitucionalRegistrada",
                           ["fecha": .string("\(anio + 1)-01-31"), "anio": .number(Double(anio)), "institucion": .string(institucion),
                            "fechaDeCorte": .string("\(anio)-12-31"),
                            "personalPorNivelDeMando": ["mandosAltos": .number(Double(altos)), "mandosMedios": .number(Double(medios)),
                                                        "operativos": .number(Double(operativos))]]).position
    }

    /// A training imparted by `institucion`, with its participants by command level; returns its position.
    func capacitacion(_ s: Scenario, _ institucion: String, _ fecha: String, _ altos: Int, _ medios: Int, _ operativos: Int,
                      basadaEnElPNC: Bool = true) async throws -> Int64 {
        try await s.record("CapacitacionImpartida", by: institucion,
                           ["institucion": .string(institucion), "fechaDeInicio": .string(fecha), "fechaDeConclusion": .string(fecha),
                            "totalDeParticipantes": .number(Double(altos + medios + operativos)),
                            "participantesPorNivelDeMando": ["mandosAltos": .number(Double(altos)), "mandosMedios": .number(Double(medios)),
                                                             "operativos": .number(Double(operativos))],
                            "basadaEnElProgramaNacionalDeCapacitacion": .bool(basadaEnElPNC),
                            "contenidosDelProgramaNacional": basadaEnElPNC ? ["especializado-ministerios-publicos"] : ["fuera-del-programa"]]).position
    }

    /// A dissemination action; `temas: nil` records it without themes (then it counts, as the definition allows).
    func difusion(_ s: Scenario, _ institucion: String, _ fecha: String,
                  temas: [String]? = ["modalidades-de-explotacion", "formas-de-enganche", "denuncia-segura"]) async throws -> Int64 {
        var changes: KeyValuePairs<String, JSONValue> = ["institucion": .string(institucion), "fecha": .string(fecha)]
        if let temas {
            changes = ["institucion": .string(institucion), "fecha": .string(fecha), "temas": .array(temas.map(JSONValue.string))]
        }
        return try await s.record("AccionDeDifusionRealizada", by: institucion, changes, removing: temas == nil ? ["temas"] : []).position
    }

    /// 4.1 PAAC% = NAAC/TAP·100, periódico: a TAP recorded for 2021 alone replaces the general one; TAP = 0 gives ND;
    /// the same data counted acumulado gives more than 100, shown as computed.
    @Test func ficha4_1UpdatesOfTheYearAgainstTheProgrammedTAP() async throws {
        let s = try await Scenario.make()
        _ = try await s.valorProgramado("4-1-tap", 2, alcance: "anual", 2021, 2024, fecha: "2022-12-27")
        let tap2021 = try await s.valorProgramado("4-1-tap", 3, alcance: "anual", 2021, 2021, fecha: "2023-01-10")
        let u1 = try await actualizacion(s, "2021-12-15")
        let u2 = try await actualizacion(s, "2021-06-01")
        let u3 = try await actualizacion(s, "2022-07-01")
        let u4 = try await actualizacion(s, "2022-09-01")
        let tap0 = try await s.valorProgramado("4-1-tap", 0, alcance: "anual", 2024, 2024, fecha: "2024-01-15")
        let u5 = try await actualizacion(s, "2024-03-01")

        let r = try await s.compute("4.1", [2020, 2021, 2022, 2023, 2024])
        #expect(r[2020]?.substitution == "PAAC=NA (antes del año de la línea base, 2021)")    // 2020 < baseline 2021
        // 2021: u1, u2 = 2; both TAP apply to 2021, the later fecha (3, for 2021 alone) wins → 2/3·100 = 66.67 (the annex's 66.66).
        #expect(r[2021]?.substitution == "PAAC=(2/3)*100 = 66.67" && r[2021]?.positions("NAAC") == [u1, u2])
        #expect(r[2021]?.positions("TAP") == [tap2021])
        // 2022: u3, u4 = 2 of TAP 2 → 100.
        #expect(r[2022]?.substitution == "PAAC=(2/2)*100 = 100" && r[2022]?.positions("NAAC") == [u3, u4])
        // 2023: nothing that year (periódico) → 0/2·100 = 0.
        #expect(r[2023]?.substitution == "PAAC=(0/2)*100 = 0" && r[2023]?.positions("NAAC") == [] && r[2023]?.flag == nil)
        // 2024: TAP 0 for 2024 → zero denominator → ND (u5 is still shown).
        #expect(r[2024]?.substitution == "PAAC=(1/0)*100 = ND (denominador cero)" && r[2024]?.display == "ND")
        #expect(r[2024]?.positions("NAAC") == [u5] && r[2024]?.positions("TAP") == [tap0])

        // Acumulado, same events: 2022 counts u1..u4 = 4 from 2021 against 2 → 200 (more than programmed: not capped).
        let a = try await s.compute(try Scenario.ficha("4.1", kind: "Acumulado"), [2022, 2023])
        #expect(a[2022]?.substitution == "PAAC=(4/2)*100 = 200" && a[2023]?.substitution == "PAAC=(4/2)*100 = 200")
        #expect(a[2022]?.positions("NAAC") == [u1, u2, u3, u4])
    }

    /// 4.2 PII% = NII/TII·100, acumulado from 2021: instances of the list whose PNC-based trainings reach the threshold of
    /// their latest staff at each command level separately; no staff, no count; a later threshold of 10 % applies.
    @Test func ficha4_2EachCommandLevelAgainstTheLatestStaffAndTheRecordedThreshold() async throws {
        let s = try await Scenario.make()
        let tii = try await s.universo("instancias-integrantes-ci", Self.instancias, 2021, 2024)
        let umbral = try await s.valorProgramado("4-2-porcentaje-minimo", 5, alcance: "anual", 2021, 2024, fecha: "2022-12-27")
        let segob = try await plantilla(s, "SEGOB", anio: 2022, 20, 100, 400)    // 5 %: 1, 5, 20
        let sep2022 = try await plantilla(s, "SEP", anio: 2022, 10, 50, 200)     // 5 %: 0.5, 2.5, 10
        let inm = try await plantilla(s, "INM", anio: 2022, 46, 1210, 6850)      // 5 %: 2.3, 60.5, 342.5
        let sep2023 = try await plantilla(s, "SEP", anio: 2023, 40, 50, 200)     // 5 %: 2, 2.5, 10
        let sre = try await plantilla(s, "SRE", anio: 2023, 10, 20, 100)         // 5 %: 0.5, 1, 5 (no staff recorded before 2023)
        // The PNC's contents exist from 1-7-2022 (catalogue), so PNC-based trainings start then.
        let c1 = try await capacitacion(s, "SEGOB", "2022-08-10", 1, 5, 20)      // exactly at the threshold
        let c2 = try await capacitacion(s, "SEP", "2022-09-01", 1, 3, 10)
        let c3 = try await capacitacion(s, "INM", "2022-10-13", 2, 60, 340)      // short at every level
        let c4 = try await capacitacion(s, "SRE", "2022-11-01", 1, 1, 5)
        let c5 = try await capacitacion(s, "INM", "2023-04-01", 1, 1, 3)         // with c3: 3, 61, 343
        let c6 = try await capacitacion(s, "SEP", "2023-03-01", 5, 0, 0, basadaEnElPNC: false)  // not based on the PNC

        let r = try await s.compute("4.2", [2020, 2021, 2022, 2023])
        #expect(r[2020]?.display == "NA")                                                  // 2020 < baseline 2021
        // 2021: no PNC-based training yet → 0/4·100 = 0 (a real 0: list and threshold exist).
        #expect(r[2021]?.substitution == "PII=(0/4)*100 = 0" && r[2021]?.positions("NII") == [tii, umbral] && r[2021]?.positions("TII") == [tii])
        // 2022: SEGOB (1≥1, 5≥5, 20≥20) and SEP (1≥0.5, 3≥2.5, 10≥10) → 2/4·100 = 50.
        // INM short (2 < 2.3 high commands); SRE without staff for any year ≤ 2022: not counted.
        #expect(r[2022]?.substitution == "PII=(2/4)*100 = 50" && r[2022]?.positions("NII") == [tii, umbral, segob, sep2022, c1, c2])
        // 2023: SEGOB yes; INM yes, c3 + c5 accumulated over 2022–2023 (3≥2.3, 61≥60.5, 343≥342.5); SRE yes with its 2023 staff (1≥0.5, 1≥1, 5≥5);
        // SEP no: its 2023 staff needs 2 high commands, it has 1 (c6 is not PNC-based) → 3/4·100 = 75.
        #expect(r[2023]?.value("NII") == 3 && r[2023]?.substitution == "PII=(3/4)*100 = 75")
        #expect(r[2023]?.positions("NII") == [tii, umbral, segob, inm, sre, c1, c3, c4, c5])
        #expect([sep2023, c2, c6].allSatisfy { r[2023]?.positions("NII").contains($0) == false })

        // The application table's 10 %, recorded for 2023–2024: SEGOB needs 2 high commands (has 1), INM 4.6 (3), SRE 2 middle (1)
        // → 0/4·100 = 0, the published 0.
        let diez = try await s.valorProgramado("4-2-porcentaje-minimo", 10, alcance: "anual", 2023, 2024, fecha: "2024-02-01")
        let now = try await s.compute("4.2", [2022, 2023])
        #expect(now[2023]?.substitution == "PII=(0/4)*100 = 0" && now[2023]?.positions("NII") == [tii, diez])
        #expect(now[2022]?.substitution == "PII=(2/4)*100 = 50")                           // 2022 keeps the 5 %
    }

    /// 4.3 PIIAD% = NIIAD/TII·100, acumulado from 2021: instances of the list with a dissemination action on the ficha's
    /// themes (or without recorded themes); a late action changes a past year now but not as known before.
    @Test func ficha4_3InstancesWithDisseminationAndALateAction() async throws {
        let s = try await Scenario.make()
        let tii = try await s.universo("instancias-integrantes-ci", Self.instancias, 2021, 2024)
        let d0 = try await difusion(s, "SEGOB", "2020-05-18")                              // before the window (2021)
        let d1 = try await difusion(s, "SEGOB", "2021-07-30")
        let d2 = try await difusion(s, "INM", "2022-10-12", temas: ["movilidad-y-migracion", "riesgos-en-internet"])  // other themes
        let d3 = try await difusion(s, "SRE", "2022-11-01", temas: nil)                     // themes not recorded: counts
        let d4 = try await difusion(s, "CIES-07", "2022-10-12")                            // not an instance of the list
        let d5 = try await difusion(s, "SEP", "2023-02-01", temas: ["denuncia-segura"])

        let r = try await s.compute("4.3", [2020, 2021, 2022, 2023])
        #expect(r[2020]?.substitution == "PIIAD=NA (antes del año de la línea base, 2021)")   // 2020 < baseline 2021
        // 2021: SEGOB (d1) → 1/4·100 = 25.
        #expect(r[2021]?.substitution == "PIIAD=(1/4)*100 = 25" && r[2021]?.positions("NIIAD") == [tii, d1])
        // 2022: + SRE (d3) → 2/4·100 = 50; INM's only action is on other themes, CIES-07 is not in the list.
        #expect(r[2022]?.substitution == "PIIAD=(2/4)*100 = 50" && r[2022]?.positions("NIIAD") == [tii, d1, d3])
        #expect([d0, d2, d4].allSatisfy { r[2022]?.positions("NIIAD").contains($0) == false })
        // 2023: + SEP (d5) → 3/4·100 = 75.
        #expect(r[2023]?.substitution == "PIIAD=(3/4)*100 = 75" && r[2023]?.positions("NIIAD") == [tii, d1, d3, d5])

        // Recorded later: an INM action of December 2022 on the ficha's themes → 2022 becomes 3/4 = 75, 2023 becomes 4/4 = 100.
        let d6 = try await difusion(s, "INM", "2022-12-01", temas: ["formas-de-enganche"])
        let now = try await s.compute("4.3", [2022, 2023])
        #expect(now[2022]?.substitution == "PIIAD=(3/4)*100 = 75" && now[2022]?.positions("NIIAD") == [tii, d1, d3, d6])
        #expect(now[2023]?.substitution == "PIIAD=(4/4)*100 = 100")
        // As known before d6 (log up to d5): 2022 is still 50.
        let before = try await s.compute(try Scenario.ficha("4.3"), [2022], source: try await s.asOf(d5, label: "f43"))
        #expect(before[2022]?.substitution == "PIIAD=(2/4)*100 = 50" && before[2022]?.logPosition == d5)
    }
}
