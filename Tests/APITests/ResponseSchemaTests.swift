import API
import CanonicalJSON
import Foundation
import HTTPTypes
import Testing
import TestDatabase

/// The typed answers of the contract are true: real answers of the main reads, validated by the
/// reference implementation (Python jsonschema, 2020-12) against the component the contract declares.
@Suite(.needsDatabase) struct ResponseSchemaTests {
    @Test func realAnswersMatchTheirDeclaredSchemasAndSendTheirDeclaredHeaders() async throws {
        let world = try await APIWorld.make(statisticsThreshold: 1)
        try await world.account("capturista.fge", "FGE-07", [.capturista])
        try await world.account("auditoria.asf", "SEGOB", [.auditor])
        try await world.account("admin.segob", "SEGOB", [.administrador])
        try await world.account("st.segob", "SEGOB", [.secretariaTecnica])
        let samples: [JSONValue] = try await world.test { client in
            let token = try await client.login("capturista.fge")
            let auditor = try await client.login("auditoria.asf"), admin = try await client.login("admin.segob")
            let secretaria = try await client.login("st.segob")
            let created = try await client.command("registrar-persona", persona(), token: token)
            let stream = try #require(created.json["flujo"]?.stringValue)
            #expect(try await client.command("registrar-atencion", atencion(), stream: stream, token: token).status == 201)
            try await world.catchUp()
            let training = try #require(repositoryDefinitions.latest("CapacitacionImpartida")?.examples.first)
            #expect(try await client.command("registrar-capacitacion", training, token: token).status == 201)
            try await world.catchUp()
            #expect(try await client.call(.post, "/v1/publicaciones/estadisticas", token: secretaria, body: ["anio": 2024]).status == 201)
            var samples: [JSONValue] = []
            /// One answer with the operation it answers (`GET /v1/expedientes/{expediente}`), its status, headers and body.
            func sample(_ schema: String, _ method: HTTPRequestMethodName, _ uri: String, operation: String? = nil, status: Int = 200,
                        body: JSONValue? = nil, token: String? = nil, headers: [String: String] = [:]) async throws {
                let answer = try await client.call(method.method, uri, token: token, body: body, headers: headers)
                #expect(answer.status == status, "\(uri): \(answer.status) \(answer.text.prefix(300))")
                let template = operation ?? String(uri.prefix { $0 != "?" })
                let headers: [JSONMember] = answer.headers.map { JSONMember(key: $0.name.canonicalName, value: .string($0.value)) }
                samples.append(["esquema": .string(schema), "ruta": .string("\(method.method.rawValue) \(uri)"),
                                "operacion": .string("\(method.method.rawValue.lowercased()) \(template)"), "estado": .number(Double(answer.status)),
                                "encabezados": .object(headers), "cuerpo": answer.json])
            }
            try await sample("ListaDeExpedientes", .get, "/v1/expedientes", token: token)
            try await sample("Expediente", .get, "/v1/expedientes/\(stream)", operation: "/v1/expedientes/{expediente}", token: token)
            try await sample("Indicadores", .get, "/v1/indicadores?anio=2023&asOf=2024-01-01", token: token)
            try await sample("Estadisticas", .get, "/v1/estadisticas/vigentes", token: token)
            try await sample("Reporte", .post, "/v1/reportes/ejecutar", body: ["titulo": "T", "fuente": "CapacitacionImpartida", "filas": "modalidad",
                                                                               "columnas": "anio", "medida": "registros"], token: token)
            try await sample("VariablesDeReportes", .get, "/v1/reportes/variables", token: token)
            try await sample("ReportesGuardados", .get, "/v1/reportes/guardados", token: token)
            try await sample("InformeAnual", .get, "/v1/informe-anual/2024", operation: "/v1/informe-anual/{anio}", token: secretaria)
            try await sample("PaqueteDeDatos", .get, "/v1/estadisticas/exportacion/datapackage.json", operation: "/v1/estadisticas/exportacion/{archivo}")
            try await sample("EventoDelRegistro", .get, "/v1/auditoria/eventos/1", operation: "/v1/auditoria/eventos/{posicion}", token: auditor)
            try await sample("HistorialDeFlujo", .get, "/v1/auditoria/flujos/\(stream)", operation: "/v1/auditoria/flujos/{flujo}", token: auditor)
            try await sample("VerificacionDeLaCadena", .get, "/v1/auditoria/verificacion", token: auditor)
            try await sample("ConsultasDeDatosPersonales", .get, "/v1/auditoria/consultas/\(stream)", operation: "/v1/auditoria/consultas/{expediente}", token: auditor)
            try await sample("ListaDeInstituciones", .get, "/v1/admin/instituciones", token: admin)
            try await sample("ListaDeCuentas", .get, "/v1/admin/usuarios", token: admin)
            try await sample("TablaDePermisos", .get, "/v1/admin/permisos", token: admin)
            try await sample("Estado", .get, "/health")
            try await sample("Catalogo", .get, "/v1/catalogos/sexo", operation: "/v1/catalogos/{nombre}")
            try await sample("ListaDeCatalogos", .get, "/v1/catalogos")
            try await sample("ListaDeDefiniciones", .get, "/v1/definiciones")
            try await sample("TipoDeProblema", .get, "/problemas/datos-no-validos", operation: "/problemas/{tipo}")
            // Errors are contract too: each a Problema whose type names a documented kind, with its headers.
            try await sample("Problema", .get, "/v1/expedientes", status: 401)
            try await sample("Problema", .get, "/v1/admin/usuarios", status: 403, token: token)
            try await sample("Problema", .get, "/v1/expedientes?entidad=7", status: 400, token: token)
            try await sample("Problema", .post, "/v1/comandos/registrar-persona", status: 422,
                             body: ["calidad": "nadie"], token: token, headers: ["Idempotency-Key": UUID().uuidString])
            return samples
        }
        let problemTypes = Set(samples.filter { $0["esquema"] == "Problema" }.compactMap { $0["cuerpo"]?["type"]?.stringValue })
        #expect(problemTypes == ["https://sintra.gob.mx/problemas/sin-autenticacion", "https://sintra.gob.mx/problemas/sin-permiso",
                                 "https://sintra.gob.mx/problemas/solicitud-mal-formada", "https://sintra.gob.mx/problemas/datos-no-validos"], "\(problemTypes)")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("respuestas-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(CanonicalJSON.serialize(.array(samples))).write(to: file)
        let root = TestDatabase.repositoryRoot
        let (status, output) = try await runProgram(URL(fileURLWithPath: "/usr/bin/env"),
                                              ["python3", root.appendingPathComponent("ops/check-responses.py").path,
                                               root.appendingPathComponent("events/openapi.json").path, file.path])
        #expect(status == 0 && output.contains("\(samples.count) respuestas contra su esquema,") && output.contains(" 0 discrepancias"), "\(output)")
    }

    /// Every title an `APIProblem` is built with names a documented kind (else its `type` would be
    /// about:blank): read from the sources, so a new kind of error cannot go undocumented.
    @Test func everyProblemTitleInTheSourcesIsADocumentedType() throws {
        let folder = TestDatabase.repositoryRoot.appendingPathComponent("Sources")
        let documented = Set(ProblemType.all.map(\.title))
        var used: Set<String> = []
        let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains("APIProblem(") && line.contains("title: \"") {
                let after = line.split(separator: "title: \"", maxSplits: 1)[1]
                used.insert(String(after.prefix { $0 != "\"" }))
            }
        }
        #expect(used.count >= 15, "\(used)")
        #expect(used.subtracting(documented).isEmpty, "títulos sin tipo documentado: \(used.subtracting(documented).sorted())")
    }
}

/// The two methods the samples use, named so the call sites read as HTTP.
enum HTTPRequestMethodName {
    case get, post
    var method: HTTPRequest.Method { self == .get ? .get : .post }
}
