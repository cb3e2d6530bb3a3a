import CanonicalJSON
import Catalog
import Commands
import Indicators
import Testing

/// Objective 3 (attention, reintegration and reparation instruments): fichas 3.1, 3.2 and 3.3 over
/// scenarios recorded event by event, each figure worked out by hand in the comment beside it.
@Suite(.needsDatabase) struct Objetivo3Tests {
    /// The log positions of the instruments scenario shared by 3.1 and 3.2.
    struct Instrumentos {
        var tao: Int64 = 0, tia: Int64 = 0, registro: Int64 = 0, adopcion: Int64 = 0
        /// Applications: CEAV 2020, SSA 2021, CEAV 2022, SEP 2022 (did not attend victims), SRE 2022, COMAR 2022 on the
        /// programme instrument; SSA 2022 on an instrument without an attention purpose; INM 2022 on one never adopted.
        var ceav2020: Int64 = 0, ssa2021: Int64 = 0, ceav2022: Int64 = 0, sep2022: Int64 = 0, sre2022: Int64 = 0, comar2022: Int64 = 0
        var ssa2022OtraFinalidad: Int64 = 0, inm2022NoAdoptado: Int64 = 0
    }

    func instrumento(_ s: Scenario, finalidades: [String] = ["operacion-de-refugios-y-albergues", "atencion-integral", "reintegracion-social"])
        async throws -> CommandResult {
        try await s.record("InstrumentoRegistrado", ["fechaDeAprobacion": "2020-03-01", "fechaDePublicacion": "2020-03-01",
                                                     "finalidades": .array(finalidades.map(JSONValue.string))])
    }

    func adopcion(_ s: Scenario, _ instrumento: CommandResult, _ fecha: String) async throws -> Int64 {
        try await s.record("InstrumentoAdoptadoPorLaCI", stream: instrumento.streamId, ["fecha": .string(fecha)]).position
    }

    /// An institution's application of an instrument for `anio` (`InstrumentoAplicado`): example 0 attended victims, example 1 did not.
    func aplicacion(_ s: Scenario, _ instrumento: CommandResult, anio: Int, _ institucion: String, atendio: Bool = true) async throws -> Int64 {
        try await s.record("InstrumentoAplicado", example: atendio ? 0 : 1, stream: instrumento.streamId,
                           ["fechaDeReporte": .string("\(anio + 1)-01-31"), "anio": .number(Double(anio)), "institucion": .string(institucion)]).position
    }

    /// The programme instrument is approved in 2020 but adopted by the CI only on 1-6-2021 (rule 8: it is an instrument
    /// of the programme for a year Y only if adopted by 31-12-Y).
    func instrumentos(_ s: Scenario) async throws -> Instrumentos {
        var x = Instrumentos()
        x.tao = try await s.universo("autoridades-obligadas", ["SEGOB", "SRE", "SSA", "SNDIF", "CEAV", "INM", "INMUJERES"], 2020, 2024)
        x.tia = try await s.universo("instituciones-apf-que-aplican-instrumentos", ["CEAV", "SSA", "SEP", "STPS", "INM", "SEGOB", "SRE",
                                                                                  "COMAR", "INMUJERES", "BIENESTAR", "CONAVIM", "CONATRIB"], 2020, 2024)
        let programa = try await instrumento(s)
        x.registro = programa.position
        x.adopcion = try await adopcion(s, programa, "2021-06-01")
        let otraFinalidad = try await instrumento(s, finalidades: ["deteccion-e-identificacion"])
        _ = try await adopcion(s, otraFinalidad, "2021-06-01")
        let noAdoptado = try await instrumento(s)
        x.ceav2020 = try await aplicacion(s, programa, anio: 2020, "CEAV")
        x.ssa2021 = try await aplicacion(s, programa, anio: 2021, "SSA")
        x.ceav2022 = try await aplicacion(s, programa, anio: 2022, "CEAV")
        x.sep2022 = try await aplicacion(s, programa, anio: 2022, "SEP", atendio: false)
        x.sre2022 = try await aplicacion(s, programa, anio: 2022, "SRE")
        x.ssa2022OtraFinalidad = try await aplicacion(s, otraFinalidad, anio: 2022, "SSA")
        x.inm2022NoAdoptado = try await aplicacion(s, noAdoptado, anio: 2022, "INM")
        x.comar2022 = try await aplicacion(s, programa, anio: 2022, "COMAR")
        return x
    }

    /// 3.1 PAO% = NAOR/TAO·100, periódico: obligated authorities that attended victims with a programme instrument that year.
    @Test func ficha3_1AuthoritiesThatAttendedVictimsWithAProgrammeInstrument() async throws {
        let s = try await Scenario.make()
        let x = try await instrumentos(s)
        let r = try await s.compute("3.1", [2019, 2020, 2021, 2022])
        #expect(r[2019]?.substitution == "PAO=NA (antes del año de la línea base, 2020)")     // 2019 < baseline 2020
        // 2020: CEAV applied it, but the CI adopted it only in 2021 → not a programme instrument in 2020 → 0/7·100 = 0.
        #expect(r[2020]?.substitution == "PAO=(0/7)*100 = 0" && r[2020]?.positions("NAOR") == [x.tao] && r[2020]?.positions("TAO") == [x.tao])
        // 2021: SSA → 1/7·100 = 14.29; provenance: the list, the instrument, its adoption, the application.
        #expect(r[2021]?.substitution == "PAO=(1/7)*100 = 14.29" && r[2021]?.positions("NAOR") == [x.tao, x.registro, x.adopcion, x.ssa2021])
        // 2022: CEAV, SRE = 2 → 2/7·100 = 28.57. Not: SEP (did not attend victims, not obligated), SSA (instrument without an
        // attention purpose), INM (instrument not adopted), COMAR (not an obligated authority).
        #expect(r[2022]?.value("NAOR") == 2 && r[2022]?.value("TAO") == 7 && r[2022]?.substitution == "PAO=(2/7)*100 = 28.57")
        #expect(r[2022]?.positions("NAOR") == [x.tao, x.registro, x.adopcion, x.ceav2022, x.sre2022])
        #expect([x.sep2022, x.ssa2022OtraFinalidad, x.inm2022NoAdoptado, x.comar2022].allSatisfy { r[2022]?.positions("NAOR").contains($0) == false })
        // Month of availability January: preliminary on 31-12-2022, final from 1-1-2023.
        let early = try await s.compute("3.1", [2022], today: CalendarDate("2022-12-31")!)
        #expect(early[2022]?.display == "28.57 p/")
    }

    /// 3.2 IA% = NIA/TIA·100, acumulado from 2020: institutions of the list that applied a programme instrument,
    /// whether or not they attended victims; the same data counted per year (periódico).
    @Test func ficha3_2InstitutionsThatAppliedAProgrammeInstrumentAccumulatedVersusPeriodic() async throws {
        let s = try await Scenario.make()
        let x = try await instrumentos(s)
        let r = try await s.compute("3.2", [2019, 2020, 2021, 2022])
        #expect(r[2019]?.display == "NA")                                                  // 2019 < baseline 2020
        // 2020: not adopted by 31-12-2020 → 0/12·100 = 0.
        #expect(r[2020]?.substitution == "IA=(0/12)*100 = 0" && r[2020]?.positions("TIA") == [x.tia])
        // 2021: adopted by 31-12-2021, so the 2020 application counts too: CEAV (2020), SSA (2021) → 2/12·100 = 16.67.
        #expect(r[2021]?.substitution == "IA=(2/12)*100 = 16.67")
        #expect(r[2021]?.positions("NIA") == [x.tia, x.registro, x.adopcion, x.ceav2020, x.ssa2021])
        // 2022: CEAV, SSA, SEP (applying counts without attending victims), SRE, COMAR = 5 → 5/12·100 = 41.666… → 41.67.
        // Not: INM (instrument never adopted); SSA's 2022 application on the other instrument adds no provenance.
        #expect(r[2022]?.value("NIA") == 5 && r[2022]?.substitution == "IA=(5/12)*100 = 41.67")
        #expect(r[2022]?.positions("NIA") == [x.tia, x.registro, x.adopcion, x.ceav2020, x.ssa2021, x.ceav2022, x.sep2022, x.sre2022, x.comar2022])
        // Periódico, same events: 2022 alone: CEAV, SEP, SRE, COMAR = 4 → 4/12·100 = 33.33; 2021 alone: SSA → 8.33.
        let p = try await s.compute(try Scenario.ficha("3.2", kind: "Periódico"), [2021, 2022])
        #expect(p[2022]?.substitution == "IA=(4/12)*100 = 33.33" && p[2021]?.substitution == "IA=(1/12)*100 = 8.33")
        // Month of availability March: preliminary on 28-02-2023.
        let early = try await s.compute("3.2", [2022], today: CalendarDate("2023-02-28")!)
        #expect(early[2022]?.display == "41.67 p/")
    }

    /// 3.3 PIFP% = NIP/TIA·100, periódico: ND until the list of institutions is recorded; then institutions of the list
    /// whose latest report for the year says they promote reparation, or that granted a reparation in a validated case.
    @Test func ficha3_3NotAvailableWithoutTheListThenReportsAndReparations() async throws {
        let s = try await Scenario.make()
        let i1 = try await s.informe("CEAV", anio: 2022, fecha: "2023-01-31", promueve: true)
        let i2 = try await s.informe("SRE", anio: 2022, fecha: "2023-01-15", promueve: true)
        let i3 = try await s.informe("SRE", anio: 2022, fecha: "2023-02-01")          // SRE's later 2022 report: does not promote
        let p = try await s.persona(detectada: "2022-03-01", por: "INM")
        let reparacion = try await s.atencion(p.streamId, fecha: "2022-05-30", institucion: "SSA", reparacion: true, por: "INM")
        let asistencia = try await s.atencion(p.streamId, fecha: "2022-06-01", institucion: "INM", por: "INM")  // not a reparation
        let validacion = try await s.validar(p.streamId, version: 3, fecha: "2022-06-15", por: "INM")

        // No list recorded: both variables are missing → ND for missing data (the ficha gives 13 and no names).
        let without = try await s.compute("3.3", [2022])
        #expect(without[2022]?.substitution == "PIFP=(ND/ND)*100 = ND (faltan datos)" && without[2022]?.flag == .notAvailable)
        #expect(without[2022]?.logPosition == validacion)

        let tia = try await s.universo("instituciones-apf-que-promueven-la-reparacion", ["CEAV", "SRE", "SSA", "INM"], 2020, 2024)
        let r = try await s.compute("3.3", [2019, 2022, 2023])
        #expect(r[2019]?.display == "NA")                                                  // 2019 < baseline 2020
        // 2022: CEAV (i1) and SSA (reparation granted, validated) = 2 → 2/4·100 = 50. SRE's latest report (i3) says no;
        // INM gave only an asistencia.
        #expect(r[2022]?.substitution == "PIFP=(2/4)*100 = 50" && r[2022]?.positions("NIP") == [i1, reparacion, tia])
        #expect([i2, i3, asistencia].allSatisfy { r[2022]?.positions("NIP").contains($0) == false })
        #expect(r[2022]?.positions("TIA") == [tia] && r[2022]?.flag == nil)
        // 2023, periódico: nobody reported anything that year → ND, not 0.
        #expect(r[2023]?.substitution == "PIFP=(ND/4)*100 = ND (NIP: ninguna institución reportó para 2023)")
        // Month of availability March: preliminary on 28-02-2023.
        let early = try await s.compute("3.3", [2022], today: CalendarDate("2023-02-28")!)
        #expect(early[2022]?.display == "50 p/")
    }
}
