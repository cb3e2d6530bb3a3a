import Accounts
import Commands
import Publications
import Statistics
import CanonicalJSON
import Foundation
import Projections
import TestDatabase
import Testing

/// One case worked through HTTP only, with the projector following the log as in `sintra serve`:
/// registered, documented, attended over months, referred to another institution that accepts
/// it, validated; then an indicator and a public statistic that count it, and the auditor's view
/// of who touched it and who opened its personal data.
@Suite(.needsDatabase) struct EndToEndTests {
    @Test func aCaseFromRegistrationToTheAuditorsView() async throws {
        let world = try await APIWorld.make(statisticsThreshold: 1)
        let capturista = try await world.account("cap.fgr", "FGR", [.capturista])
        let supervisora = try await world.account("sup.fgr", "FGR", [.supervisorInstitucional])
        let dif = try await world.account("cap.dif", "DIF-07", [.capturista])
        try await world.account("auditoria", "SEGOB", [.auditor])
        try await world.account("secretaria.tecnica", "SEGOB", [.secretariaTecnica])
        try await world.catchUp()
        let following = Task { try await world.services.projector!.follow(pollInterval: .milliseconds(50)) }
        defer { following.cancel() }

        try await world.test { client in
            let cap = try await client.login("cap.fgr"), sup = try await client.login("sup.fgr"), capDIF = try await client.login("cap.dif")
            let auditor = try await client.login("auditoria"), st = try await client.login("secretaria.tecnica")
            var person = persona(fecha: "2024-02-10")
            person = FieldPathEdit.set(person, "institucionQueDetecta", "FGR")
            // Two people, so that with threshold 1 the public table can show them.
            let registered = try await client.command("registrar-persona", person, token: cap)
            #expect(registered.status == 201, "\(registered.text)")
            let x = try #require(registered.json["flujo"]?.stringValue)
            let other = try #require(try await client.command("registrar-persona", person, token: cap).json["flujo"]?.stringValue)

            #expect(try await client.command("documentar-victimizacion", [
                "fechaDeDocumentacion": "2024-02-11", "modalidades": ["explotacion-laboral"], "formasDeEnganche": ["oferta-de-empleo"],
                "ruta": ["origen": ["pais": "MEX", "entidad": "20"], "destino": ["pais": "MEX", "entidad": "07", "municipio": "07089"]],
            ], stream: x, token: cap).status == 201)
            for month in ["2024-03-05", "2024-05-10", "2024-08-20"] {
                #expect(try await client.command("registrar-atencion", atencion(month), stream: x, token: cap).status == 201)
            }
            for stream in [x, other] {
                #expect(try await client.command("registrar-consentimiento", [
                    "fecha": "2024-02-12", "compartirConOtrasInstituciones": true, "contarEnEstadisticas": true,
                    "fundamento": "consentimiento-expreso-de-la-persona"], stream: stream, token: cap).status == 201)
            }
            let referred = try await client.command("canalizar", ["fecha": "2024-08-21", "folio": "FGR-2024-7", "institucionDestino": "DIF-07",
                                                                  "serviciosSolicitados": ["alojamiento"]], stream: x, token: cap)
            #expect(referred.status == 201)
            // DIF-07 sees the referred case (consent allows sharing), accepts it and gives care.
            let difList = try await client.call(.get, "/v1/expedientes?posicion=\(referred.json["posicion"]?.int64Value ?? 0)", token: capDIF)
                .json["expedientes"]?.arrayValue ?? []
            let difSees: [String] = difList.compactMap { $0["expediente"]?.stringValue }
            #expect(difSees.contains(x))
            #expect(try await client.command("aceptar-canalizacion", ["fecha": "2024-08-22", "folio": "FGR-2024-7"], stream: x, token: capDIF).status == 201)
            let lastCare = try await client.command("registrar-atencion", atencion("2024-09-01"), stream: x, token: capDIF)
            #expect(lastCare.status == 201)
            let version = try #require(lastCare.json["version"]?.int64Value)
            for (stream, validated) in [(x, version), (other, 2)] {
                #expect(try await client.command("validar-registro", ["fecha": "2024-09-02", "versionValidada": .number(Double(validated))],
                                                 stream: stream, token: sup).status == 201)
            }
            // Read-your-writes: the case file waits for the position the last write returned.
            let head = try await world.database.store().head().position
            let file = try await client.call(.get, "/v1/expedientes/\(x)?posicion=\(head)", token: cap)
            #expect(file.status == 200 && file.json["validado"] == true && file.json["instituciones"] == JSONValue.array(["DIF-07", "FGR"]), "\(file.text.prefix(400))")
            #expect(file.json["canalizaciones"]?[0]?["estado"] == "aceptada")
            #expect(file.json["lineaDeTiempo"]?.arrayValue?.filter { $0["evento"] == "AtencionOtorgada" }.count == 4)
            #expect(!file.text.contains("Zenaida") && !file.text.contains("Remedios"), "sin datos personales")

            // The indicators and the public statistics follow the log; once they have caught up:
            try await world.waitForProjections(through: head)
            // An indicator: 5.3 counts people detected by the CI's members (FGR) in 2024, validated.
            let indicator = try await client.call(.get, "/v1/indicadores?anio=2024&indicador=5.3", token: st)
            let variables = indicator.json["ahora"]?[0]?["variables"]?.arrayValue ?? []
            let detected = variables.first { $0["clave"] == "DPVTI" }
            #expect(detected?["valor"] == 2, "\(indicator.text.prefix(600))")
            #expect(detected?["posiciones"]?.arrayValue?.contains(.number(Double(registered.json["posicion"]?.int64Value ?? 0))) == true)

            // The live statistics are internal: two women in Chiapas in 2024, for the Secretaría Técnica.
            let live = try await client.call(.get, "/v1/estadisticas/vigentes?anio=2024", token: st)
            let liveBySex = live.json["tablas"]?.arrayValue?.first { ($0["id"]?.stringValue ?? "").contains("sexo") }
            #expect(live.status == 200 && liveBySex != nil, "\(live.text.prefix(300))")
            #expect(try await client.call(.get, "/v1/estadisticas/vigentes?anio=2024").status == 401)
            // The public tables and their export are the last published release, not a live feed: none yet.
            #expect(try await client.call(.get, "/v1/estadisticas?anio=2024").status == 404)
            #expect(try await client.call(.get, "/v1/estadisticas/exportacion/datapackage.json").status == 404)
            let labels = Labels(catalogs: world.services.definitions.catalogs)
            _ = try await StatisticsPublisher(projector: world.services.projector!, labels: labels).publish(
                year: nil, threshold: 1, handler: world.services.handler,
                context: CommandContext(userId: "secretaria.tecnica", institutionId: "SEGOB", client: "pruebas", today: .today()))
            let statistics = try await client.call(.get, "/v1/estadisticas?anio=2024")
            let bySex = statistics.json["tablas"]?.arrayValue?.first { ($0["id"]?.stringValue ?? "").contains("sexo") }
            #expect(statistics.status == 200 && bySex != nil, "\(statistics.text.prefix(300))")
            #expect(statistics.text.contains("toda cifra de 1 a 1 se suprime") && statistics.json["entrega"]?["umbral"] == 1)
            // A repeated parameter is refused, never silently the last one.
            let repeated = try await client.call(.get, "/v1/estadisticas?anio=2024&anio=2023")
            #expect(repeated.status == 400 && repeated.text.contains("consulta.anio"), "\(repeated.text.prefix(300))")
            // The Frictionless descriptor and every file it names, relative to the same route.
            let descriptor = try await client.call(.get, "/v1/estadisticas/exportacion/datapackage.json")
            let paths = descriptor.json["resources"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? []
            #expect(descriptor.status == 200 && paths.contains("estadisticas-2024.csv"), "\(descriptor.text.prefix(300))")
            for path in paths { #expect(try await client.call(.get, "/v1/estadisticas/exportacion/\(path)").status == 200, "\(path)") }
            #expect(try await client.call(.get, "/v1/estadisticas/exportacion/..%2Fclaves.json").status == 400)
            #expect(try await client.call(.get, "/v1/estadisticas/exportacion/no-existe.json").status == 404)

            // The auditor: who touched the case, and a recorded read of its personal data.
            let history = try await client.call(.get, "/v1/auditoria/flujos/\(x)", token: auditor)
            let authors = Set(history.json["eventos"]?.arrayValue?.compactMap { $0["metadatos"]?["userId"]?.stringValue } ?? [])
            #expect(authors == [capturista, dif, supervisora])
            let opened = try await client.call(.get, "/v1/expedientes/\(x)?datosPersonales=true&finalidad=Auditor%C3%ADa%20de%20la%20canalizaci%C3%B3n%20FGR-2024-7",
                                               token: auditor)
            #expect(opened.status == 200 && opened.text.contains("Zenaida") && opened.text.contains("Remedios"))
            let reads = try await client.call(.get, "/v1/auditoria/consultas/\(x)", token: auditor).json["consultas"]?.arrayValue ?? []
            #expect(reads.count == 1 && reads.first?["campos"]?.arrayValue?.contains("lineaDeTiempo[0].nombre") == true, "\(reads)")
        }
    }
}

/// Replaces one top-level member of a JSON object (test data only).
enum FieldPathEdit {
    static func set(_ object: JSONValue, _ key: String, _ value: JSONValue) -> JSONValue {
        .object((object.objectValue ?? []).filter { $0.key != key } + [JSONMember(key: key, value: value)])
    }
}
