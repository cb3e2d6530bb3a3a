import CanonicalJSON
import Commands
import Foundation
import Statistics
import TestDatabase
import Testing

@Suite(.needsDatabase) struct OutputTests {
    /// No personal value and no free text of the events reaches the projection's tables (dumped with
    /// pg_dump) nor any output.
    @Test func noPersonalValueNorFreeTextReachesTheProjectionOrTheOutputs() async throws {
        let world = try await World.make()
        var data = CaseFixtures.persona(nombre: "Zenobiaunica").objectValue!
        data += [.init(key: "curp", value: "FIEL980321MCSCJC07"), .init(key: "fechaDeNacimiento", value: "1998-03-21"),
                 .init(key: "telefono", value: "961 555 0199"), .init(key: "domicilio", value: "Calle Secretisima 77")]
        data = data.map { $0.key == "edad" ? .init(key: "edad", value: 24) : $0 }
        let stream = try await world.run("registrar-persona", .object(data)).streamId
        try await world.run("documentar-victimizacion", CaseFixtures.victimizacion(), stream: stream)
        try await world.run("registrar-atencion", ["fecha": "2023-04-01", "tipo": "atencion-psicologica", "clasificacion": "asistencia",
                                                   "organizacionDeLaSociedadCivil": "Organizacionsecreta A.C.", "descripcion": "Descripcionsecreta"], stream: stream)
        try await world.run("registrar-consentimiento", CaseFixtures.consentimiento(true), stream: stream)
        try await world.run("validar-registro", ["fecha": "2023-04-02", "versionValidada": 4, "observaciones": "Revisionsecreta"], stream: stream)
        try await world.run("registrar-operativo", ["fecha": "2023-05-01", "institucionQueEncabeza": "FGE-07", "lugar": ["pais": "MEX", "entidad": "07", "localidad": "Localidadsecreta"],
                                                    "personasRescatadas": ["mujeres": 3, "hombres": 0], "descripcion": "Operativosecreto en un bar"])
        let report = try await world.report(threshold: 0)
        let (status, dump) = try world.database.pgDump(["--schema=proj_estadisticas"])
        #expect(status == 0)
        #expect(dump.contains("explotacion-sexual") && dump.contains("atencion-psicologica"), "el volcado debe contener las filas")
        let outputs = [StatisticsRenderer.json(report), StatisticsRenderer.csv(report), StatisticsRenderer.text(report)]
        #expect(report.table("operativos-por-tipo-de-lugar", 2023)?.total == 1)
        for secret in ["Zenobiaunica", "Apellidoinventado", "FIEL980321", "961 555 0199", "Secretisima", "1998-03-21", "2023-03-10",
                       "Relato secreto", "Descripcionsecreta", "Organizacionsecreta", "Revisionsecreta", "Observacionsecreta",
                       "Localidadsecreta", "Operativosecreto", "Misma CURP", "cifrado:v"] {
            #expect(!dump.contains(secret), "«\(secret)» aparece en la proyección")
            for output in outputs { #expect(!output.contains(secret), "«\(secret)» aparece en una salida") }
        }
    }

    /// `sintra stats` prints; `sintra stats export` writes a Frictionless data package whose every
    /// resource exists and whose CSV headers are exactly the declared fields.
    @Test func theCommandLinePrintsAndExportsAValidDataPackage() async throws {
        let world = try await World.make()
        for (index, year) in ["2022", "2023", "2023"].enumerated() {
            let stream = try await world.run("registrar-persona", CaseFixtures.persona("\(year)-03-10", sexo: index == 0 ? "hombre" : "mujer")).streamId
            try await world.run("registrar-consentimiento", CaseFixtures.consentimiento(true, fecha: "\(year)-03-12"), stream: stream)
            try await world.run("validar-registro", CaseFixtures.validacion(2, fecha: "\(year)-03-20"), stream: stream)
        }
        let root = TestDatabase.repositoryRoot
        let common = ["--projector-url", world.database.projectorURL, "--projections", root.appendingPathComponent("projections").path,
                      "--events", root.appendingPathComponent("events").path]
        var (status, output) = try await runSintra(["stats", "--anio", "2023", "--format", "csv", "--umbral", "1"] + common)
        #expect(status == 0, "\(output)")
        #expect(output.hasPrefix("# " + StatisticsReport.rule(threshold: 1)))
        #expect(output.contains("2023,personas-por-sexo,Víctimas y posibles víctimas por sexo,personas,sexo,mujer,Mujer,07,Chiapas,2,false"), "\(output.prefix(600))")
        #expect(!output.contains("\n2022,"))
        (status, output) = try await runSintra(["stats", "--anio", "2023"] + common)
        #expect(status == 0 && output.contains("| Mujer | (s) |") && output.contains(StatisticsReport.rule(threshold: 10)), "\(output.prefix(1500))")
        // One threshold rule everywhere: at least 1 (0 used to be accepted here while publish and serve refused it).
        for threshold in ["--umbral=-1", "--umbral=0"] {
            (status, output) = try await runSintra(["stats", threshold] + common)
            #expect(status != 0 && output.contains("--umbral: al menos 1"), "\(output)")
        }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sintra-stats-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        (status, output) = try await runSintra(["stats", "export", "--dir", directory.path] + common)
        #expect(status == 0, "\(output)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["datapackage.json", "estadisticas-2022.csv", "estadisticas-2022.json", "estadisticas-2023.csv",
                          "estadisticas-2023.json", "estadisticas-serie.csv", "estadisticas-serie.json"])
        try await Self.checkDataPackage(directory)
        let yearOnly = directory.appendingPathComponent("2023")
        (status, output) = try await runSintra(["stats", "export", "--dir", yearOnly.path, "--anio", "2023"] + common)
        #expect(status == 0, "\(output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: yearOnly.path).sorted() == ["datapackage.json", "estadisticas-2023.csv", "estadisticas-2023.json"])
        try await Self.checkDataPackage(yearOnly)
    }

    /// The data package as the reference tool reads it: `frictionless validate` (frictionless 5 from
    /// PyPI, which ops/test installs) must find every resource valid, the CSVs against their schemas
    /// and primary keys. (Our own re-implementation of the rules passed while frictionless 5 read the
    /// leading # line of every CSV as its header.) And what a reuser needs beside the data.
    static func checkDataPackage(_ directory: URL) async throws {
        let (_, report) = try await runProgram(URL(fileURLWithPath: "/usr/bin/env"),
                                         ["python3", "-m", "frictionless", "validate", "--json", directory.appendingPathComponent("datapackage.json").path],
                                         standardErrorToo: false)
        let parsed = try #require(try? JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any],
                                  "frictionless validate did not answer (is it installed? ops/test installs it): \(report.prefix(300))")
        let invalid = (parsed["tasks"] as? [[String: Any]] ?? []).filter { ($0["valid"] as? Bool) != true }.map { task in
            "\(task["name"] ?? "?"): \(((task["errors"] as? [[String: Any]]) ?? []).prefix(3).map { $0["message"] ?? "" })"
        }
        #expect(parsed["valid"] as? Bool == true, "\(invalid.joined(separator: "\n"))")
        let descriptor = try CanonicalJSON.parse(try Data(contentsOf: directory.appendingPathComponent("datapackage.json")))
        #expect(descriptor["description"]?.stringValue?.contains(StatisticsReport.rule(threshold: 10)) == true)
        #expect(descriptor["licenses"]?[0]?["path"] != nil && descriptor["sources"]?[0]?["title"] != nil)
        #expect(descriptor["version"]?.stringValue?.hasPrefix("1.0.") == true)
        for resource in descriptor["resources"]?.arrayValue ?? [] where resource["format"]?.stringValue == "csv" {
            let text = try String(contentsOf: directory.appendingPathComponent(resource["path"]!.stringValue!), encoding: .utf8)
            #expect(text.hasPrefix("# " + StatisticsReport.rule(threshold: 10)), "the rule stays the first line a person reads")
        }
    }
}
