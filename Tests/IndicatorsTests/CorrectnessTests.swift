import CanonicalJSON
import Catalog
import Commands
import Indicators
import Testing

/// What the fichas and events/README.md promise beside each figure, read from the published
/// outputs (the annex's JSON and Markdown), not from the engine's internals: a percentage above
/// 100 flagged, the breakdowns each ficha lists, and ND for a periódico year nobody reported.
@Suite(.needsDatabase) struct CorrectnessTests {
    /// The JSON object of `id` for `year` in the annex document.
    func annexItem(_ results: [IndicatorResult], _ id: String, _ year: Int) throws -> JSONValue {
        let document = try CanonicalJSON.parse(AnnexRenderer.json(results))
        return try #require(document.arrayValue?.first { $0["indicador"]?.stringValue == id && $0["anio"]?.int64Value == Int64(year) })
    }

    /// The `desglose` of variable `key` in an annex item.
    func breakdown(_ item: JSONValue, _ key: String) -> JSONValue? {
        item["variables"]?.arrayValue?.first { $0["clave"]?.stringValue == key }?["desglose"]
    }

    func names(_ value: JSONValue?) -> [String] { value?.arrayValue?.compactMap(\.stringValue) ?? [] }

    /// Rule 5: more realised than programmed (4 of 3 → 133.33) is shown as computed and flagged in every output; exactly
    /// 100 is not flagged.
    @Test func aPercentageAboveHundredIsFlaggedInJSONAndInTheAnnex() async throws {
        let s = try await Scenario.make()
        _ = try await s.valorProgramado("5-1-tae", 3, alcance: "periodo", 2021, 2024, fecha: "2022-12-27")
        for fecha in ["2021-09-01", "2023-11-28", "2024-02-01", "2024-05-01"] {
            try await s.record("AccionEstrategicaDeDerechosHumanosRealizada",
                               ["fecha": .string(fecha), "enfoques": ["derechos-humanos", "perspectiva-de-genero", "interseccionalidad"]])
        }
        let ficha = try Scenario.ficha("5.1")
        let r = try await s.compute(ficha, [2023, 2024])
        let results = [try #require(r[2023]), try #require(r[2024])]
        // 2024: 4/3·100 = 133.33, not capped, flagged; 2023: 2/3·100 = 66.67, not flagged.
        let over = try annexItem(results, "5.1", 2024)
        #expect(over["valor"]?.numberValue == 133.33)
        #expect(over["senales"]?.arrayValue?.compactMap { $0["clave"]?.stringValue } == ["supera-100"])
        #expect(try annexItem(results, "5.1", 2023)["senales"] == nil)
        #expect(AnnexRenderer.markdown(results, definitions: [ficha]).contains("supera 100"))
        #expect(AnnexRenderer.csv(results).contains("supera-100"))
    }

    /// 1.1 by aspect and aspects covered; 1.3 by sector (the fichas' descriptions promise both next to the figure).
    @Test func recommendationsByAspectAndParticipationsBySector() async throws {
        let s = try await Scenario.make()
        let e1 = try await s.record("EspacioDeParticipacionCelebrado", ["fecha": "2021-05-10", "relacionadoConLaReforma": true,
                                                                       "sectoresParticipantes": ["sector-publico", "academia"]])
        let e2 = try await s.record("EspacioDeParticipacionCelebrado", ["fecha": "2022-05-10", "relacionadoConLaReforma": true,
                                                                       "sectoresParticipantes": ["sector-publico", "victimas-sobrevivientes"]])
        for (espacio, fecha, aspecto) in [(e1, "2021-05-10", "sancion"), (e1, "2021-06-01", "prevencion"), (e2, "2022-05-10", "sancion")] {
            try await s.record("RecomendacionDeReformaEmitida", stream: espacio.streamId, ["fecha": .string(fecha), "aspecto": .string(aspecto)])
        }
        let nrr = try await s.compute("1.1", [2022])
        let nrr2022 = try #require(nrr[2022])
        let aspects = try #require(breakdown(try annexItem([nrr2022], "1.1", 2022), "NRR"))
        // Accumulated 2019–2022: sanción 2, prevención 1 → 2 of 5 aspects covered; 1 recommendation dated 2022.
        #expect(aspects["porAspecto"]?["sancion"]?.numberValue == 2 && aspects["porAspecto"]?["prevencion"]?.numberValue == 1)
        #expect(aspects["porAspecto"]?["asistencia-a-victimas"]?.numberValue == 0 && aspects["porAspecto"]?.objectValue?.count == 5)
        #expect(aspects["aspectosCubiertos"]?.numberValue == 2 && aspects["delAnio"]?.numberValue == 1)
        #expect(AnnexRenderer.markdown([nrr2022], definitions: [try Scenario.ficha("1.1")]).contains("por aspecto"))

        let nps = try await s.compute("1.3", [2022])
        let nps2022 = try #require(nps[2022])
        let sectors = try #require(breakdown(try annexItem([nps2022], "1.3", 2022), "NPS"))
        // 2021–2022: sector público in both spaces, academia and víctimas sobrevivientes in one each.
        #expect(sectors["porSector"]?["sector-publico"]?.numberValue == 2 && sectors["porSector"]?["academia"]?.numberValue == 1)
        #expect(sectors["porSector"]?["victimas-sobrevivientes"]?.numberValue == 1 && sectors["porSector"]?["grupos-vulnerables"]?.numberValue == 0)
    }

    /// Rule 4 ("with the list of institutions counted and not counted") for a universe ficha, and 4.2 level by level.
    @Test func institutionsCountedAndNotCountedAndTheLevelsOf4_2() async throws {
        let s = try await Scenario.make()
        _ = try await s.universo("instancias-integrantes-ci", ["SEGOB", "SEP", "SRE"], 2021, 2024)
        _ = try await s.valorProgramado("4-2-porcentaje-minimo", 5, alcance: "anual", 2021, 2024, fecha: "2022-12-27")
        for (institucion, altos, medios, operativos) in [("SEGOB", 20, 100, 400), ("SEP", 10, 50, 200)] {
            try await s.record("PlantillaInstitucionalRegistrada",
                               ["fecha": "2023-01-31", "anio": 2022, "institucion": .string(institucion), "fechaDeCorte": "2022-12-31",
                                "personalPorNivelDeMando": ["mandosAltos": .number(Double(altos)), "mandosMedios": .number(Double(medios)),
                                                            "operativos": .number(Double(operativos))]])
        }
        // SEGOB reaches 5 % at every level (1, 5, 20); SEP is short of operativos (9 < 10); INM is not in the list.
        for (institucion, altos, medios, operativos) in [("SEGOB", 1, 5, 20), ("SEP", 1, 3, 9), ("INM", 5, 5, 5)] {
            try await s.record("CapacitacionImpartida", by: institucion,
                               ["institucion": .string(institucion), "fechaDeInicio": "2022-08-10", "fechaDeConclusion": "2022-08-10",
                                "totalDeParticipantes": .number(Double(altos + medios + operativos)),
                                "participantesPorNivelDeMando": ["mandosAltos": .number(Double(altos)), "mandosMedios": .number(Double(medios)),
                                                                 "operativos": .number(Double(operativos))],
                                "basadaEnElProgramaNacionalDeCapacitacion": true,
                                "contenidosDelProgramaNacional": ["especializado-ministerios-publicos"]])
        }
        let r = try await s.compute("4.2", [2022])
        let result = try #require(r[2022])
        #expect(result.substitution == "PII=(1/3)*100 = 33.33")
        let item = try annexItem([result], "4.2", 2022)
        let nii = try #require(breakdown(item, "NII"))
        #expect(names(nii["contadas"]) == ["SEGOB"] && names(nii["noContadas"]) == ["SEP", "SRE"] && names(nii["fueraDeLaLista"]) == ["INM"])
        let levels = try #require(nii["porNivel"]?.arrayValue)
        let sep = try #require(levels.first { $0["institucion"]?.stringValue == "SEP" })
        #expect(sep["operativos"]?["capacitados"]?.numberValue == 9 && sep["operativos"]?["plantilla"]?.numberValue == 200)
        #expect(sep["operativos"]?["minimo"]?.numberValue == 10 && sep["operativos"]?["cumple"]?.boolValue == false)
        #expect(sep["mandosAltos"]?["cumple"]?.boolValue == true)
        let sre = try #require(levels.first { $0["institucion"]?.stringValue == "SRE" })
        #expect(sre["mandosAltos"]?["plantilla"] == .null, "sin plantilla registrada")
        let annex = AnnexRenderer.markdown([result], definitions: [try Scenario.ficha("4.2")])
        #expect(annex.contains("contadas: SEGOB") && annex.contains("de la lista sin contar: SEP; SRE") && annex.contains("fuera de la lista (no cuentan): INM"))
        #expect(annex.contains("SEP (mandos altos 1 de 10 (mínimo 0.5, cumple); mandos medios 3 de 50 (mínimo 2.5, cumple); operativos 9 de 200 (mínimo 10, no cumple))"), "\(annex)")
        #expect(annex.contains("SRE (mandos altos 0 de ND (mínimo ND, sin plantilla)"), "\(annex)")
    }

    /// A periódico ficha for a year in which nobody reported anything is ND (missing data, with the reason), not 0; a year in
    /// which an institution reported that it did nothing is a real 0.
    @Test func aPeriodicYearWithoutReportsIsNotAvailable() async throws {
        let s = try await Scenario.make()
        _ = try await s.universo("autoridades-obligadas", ["SEGOB", "SRE", "SSA", "SNDIF", "CEAV", "INM", "INMUJERES"], 2020, 2024)
        _ = try await s.informe("SRE", anio: 2022, fecha: "2023-02-09")   // a report: no action in 2022
        let r = try await s.compute("2.3", [2021, 2022])
        #expect(r[2021]?.display == "ND" && r[2021]?.flag == .notAvailable && r[2021]?.value("NAR") == nil)
        #expect(r[2021]?.substitution == "ARAR=(ND/7)*100 = ND (NAR: ninguna institución reportó para 2021)", "\(r[2021]!.substitution)")
        #expect(r[2022]?.substitution == "ARAR=(0/7)*100 = 0" && r[2022]?.display == "0")
        let r2022 = try #require(r[2022])
        let nar = try #require(breakdown(try annexItem([r2022], "2.3", 2022), "NAR"))
        #expect(names(nar["contadas"]).isEmpty && names(nar["noContadas"]).count == 7)

        let none = try await s.compute("3.1", [2022])
        #expect(none[2022]?.display == "ND" && none[2022]?.substitution.contains("ninguna institución reportó") == true)
        _ = try await s.universo("instituciones-apf-que-promueven-la-reparacion", ["CEAV", "SRE", "SSA", "INM"], 2020, 2024)
        let reparation = try await s.compute("3.3", [2021, 2022])
        #expect(reparation[2021]?.display == "ND" && reparation[2022]?.substitution == "PIFP=(0/4)*100 = 0")
    }
}
