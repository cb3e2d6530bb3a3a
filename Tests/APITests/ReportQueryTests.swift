import Catalog
import CanonicalJSON
import Foundation
import Testing
import TestDatabase

/// The reports module through HTTP: run a definition, refuse a bad one naming its fields (422, nothing
/// run), save one through its command and run it by name, as JSON, CSV and a spreadsheet.
@Suite(.needsDatabase) struct ReportQueryTests {
    @Test func reportsRunSaveAndRefuseBadInputThroughTheAPI() async throws {
        let world = try await APIWorld.make()
        try await world.account("capturista.fgr", "FGR", [.capturista])
        let example = try #require(repositoryDefinitions.latest("CapacitacionImpartida")?.examples.first)
        let definition: JSONValue = ["titulo": "Capacitaciones", "fuente": "CapacitacionImpartida", "filas": "modalidad", "columnas": "anio", "medida": "registros"]
        try await world.test { client in
            #expect(try await client.call(.post, "/v1/reportes/ejecutar", body: definition).status == 401)
            let token = try await client.login("capturista.fgr")
            let recorded = try await client.command("registrar-capacitacion", example, token: token)
            #expect(recorded.status == 201, "\(recorded.text)")
            try await world.catchUp()

            var answer = try await client.call(.post, "/v1/reportes/ejecutar", token: token, body: definition)
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.json["total"]?.numberValue == 1 && answer.json["renglones"]?[0]?["codigo"]?.stringValue == "presencial")
            #expect(answer.json["regla"]?.stringValue?.contains("Reporte interno") == true && (answer.json["posicionDelRegistro"]?.numberValue ?? 0) > 0)

            answer = try await client.call(.post, "/v1/reportes/ejecutar", token: token,
                                           body: ["titulo": "Mal", "fuente": "personas", "filas": "nombre", "columnas": "edad", "medida": "registros"])
            #expect(answer.status == 422, "\(answer.text)")
            let paths = answer.json["problemas"]?.arrayValue?.compactMap { $0["ruta"]?.stringValue } ?? []
            #expect(paths == ["filas", "columnas", "medida"], "\(answer.text)")
            #expect(answer.text.contains("«nombre» es un dato personal") && answer.text.contains("grupoDeEdad"), "\(answer.text)")

            answer = try await client.call(.post, "/v1/reportes/ejecutar?formato=csv", token: token, body: definition)
            #expect(answer.status == 200 && answer.text.hasPrefix("codigo,etiqueta,2023,Total\r\npresencial,Presencial,1,1\r\n"), "\(answer.text)")
            answer = try await client.call(.post, "/v1/reportes/ejecutar?formato=xlsx", token: token, body: definition)
            #expect(answer.status == 200 && answer.headers[.contentType]?.hasPrefix("application/vnd.openxmlformats") == true)

            answer = try await client.call(.get, "/v1/reportes/variables", token: token)
            let sources = answer.json["fuentes"]?.arrayValue ?? []
            #expect(sources.contains { $0["fuente"]?.stringValue == "personas" } && !answer.text.contains("\"curp\""))

            // Saved: a command like any other, then run by name by anyone with access; as of yesterday it had nothing.
            let saved = try await client.command("guardar-reporte", ["fecha": "2024-12-01", "nombre": "capacitaciones-por-modalidad", "definicion": definition], token: token)
            #expect(saved.status == 201, "\(saved.text)")
            try await world.catchUp()
            answer = try await client.call(.get, "/v1/reportes/guardados", token: token)
            #expect(answer.json["reportes"]?[0]?["nombre"]?.stringValue == "capacitaciones-por-modalidad" && answer.json["reportes"]?[0]?["institucion"]?.stringValue == "FGR")
            answer = try await client.call(.get, "/v1/reportes/guardados/capacitaciones-por-modalidad?formato=md", token: token)
            #expect(answer.status == 200 && answer.text.contains("| Presencial | 1 | 1 |"), "\(answer.text)")
            let yesterday = CalendarDateText.yesterday
            answer = try await client.call(.get, "/v1/reportes/guardados/capacitaciones-por-modalidad?asOf=\(yesterday)", token: token)
            #expect(answer.status == 200 && answer.json["total"]?.numberValue == 0 && answer.json["alDia"]?.stringValue == yesterday, "\(answer.text)")
            #expect(try await client.call(.get, "/v1/reportes/guardados/no-existe", token: token).status == 404)
            #expect(try await client.call(.get, "/v1/reportes/guardados/No%20Valido", token: token).status == 400)
        }
    }
}

enum CalendarDateText {
    /// Yesterday in Mexico City, the calendar "as of a day" is cut in.
    static var yesterday: String { CalendarDate.today().adding(days: -1).description }
}

/// The annual report through HTTP: the same document as `sintra informe-anual`, in each format, and a
/// clear 400 for a year that is not one.
@Suite(.needsDatabase) struct AnnualReportEndpointTests {
    @Test func theAnnualReportInEachFormatAndItsErrors() async throws {
        let world = try await APIWorld.make()
        try await world.account("capturista.fgr", "FGR", [.capturista])
        let example = try #require(repositoryDefinitions.latest("CapacitacionImpartida")?.examples.first)
        try await world.test { client in
            #expect(try await client.call(.get, "/v1/informe-anual/2023").status == 401)
            let token = try await client.login("capturista.fgr")
            #expect(try await client.command("registrar-capacitacion", example, token: token).status == 201)
            try await world.catchUp()
            var answer = try await client.call(.get, "/v1/informe-anual/2023", token: token)
            #expect(answer.status == 200, "\(answer.text.prefix(400))")
            #expect(answer.json["secciones"]?[0]?["reportes"]?[0]?["total"]?.numberValue == 1)
            let fgr = answer.json["revisionDeCompletitud"]?["instituciones"]?.arrayValue?.first { $0["clave"]?.stringValue == "FGR" }
            #expect(fgr?["registros"]?["CapacitacionImpartida"]?["anio"]?.numberValue == 1, "\(String(describing: fgr))")
            answer = try await client.call(.get, "/v1/informe-anual/2023?formato=html", token: token)
            #expect(answer.status == 200 && answer.headers[.contentType]?.hasPrefix("text/html") == true && answer.text.contains("Revisión de completitud"))
            answer = try await client.call(.get, "/v1/informe-anual/2023?formato=xlsx", token: token)
            #expect(answer.status == 200 && answer.headers[.contentDisposition]?.contains("informe-anual-2023.xlsx") == true)
            answer = try await client.call(.get, "/v1/informe-anual/1999", token: token)
            // The contract's bounds (2012–2100), enforced for every operation by DeclaredParameters.
            #expect(answer.status == 400 && answer.text.contains("ruta.anio") && answer.text.contains("el mínimo es 2012"), "\(answer.text)")
            #expect(try await client.call(.get, "/v1/informe-anual/dos-mil", token: token).status == 400)
            #expect(try await client.call(.get, "/v1/informe-anual/2023?formato=pdf", token: token).status == 400)
        }
    }
}
