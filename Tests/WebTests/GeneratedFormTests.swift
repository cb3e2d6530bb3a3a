import CanonicalJSON
import Definitions
import Foundation
import TestDatabase
import Testing
@testable import Web

/// Forms come from the definitions: a field added to a (scratch) definition appears in the form,
/// with its label and help, and comes back in the command's data — no web code changed.
@Suite struct GeneratedFormTests {
    /// A copy of `events/` with one field added to `CanalizacionSolicitada`.
    static func scratchDefinitions() throws -> DefinitionSet {
        let source = TestDatabase.repositoryRoot.appendingPathComponent("events")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sintra-web-definiciones-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: scratch)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = scratch.appendingPathComponent("definitions/atencion-a-victimas/CanalizacionSolicitada.v1.json")
        var text = try String(contentsOf: file, encoding: .utf8)
        let anchor = "\"properties\": {"
        let range = try #require(text.range(of: anchor))
        text.replaceSubrange(range, with: anchor + """

            "medioDeTraslado": { "description": "Cómo llegará la persona a la institución de destino.", "type": "string", "minLength": 1, "maxLength": 60, "x-catalogo": "medios-de-transporte" },
            "notaDeEnlace": { "description": "Nombre del área de enlace que recibe.", "type": "string", "minLength": 1, "maxLength": 120 },
        """)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return try DefinitionSet.load(eventsDirectory: scratch)
    }

    @Test func aFieldAddedToADefinitionAppearsInItsFormAndInTheCommandData() async throws {
        let definitions = try Self.scratchDefinitions()
        let definition = try #require(definitions.definition(forCommand: "canalizar"))
        let builder = FormBuilder(definitions: definitions)
        var values = FormValues()
        values.set("notaDeEnlace", "Área de trabajo social")
        values.set("medioDeTraslado", "autobus")
        let fields = builder.view(definition, values: values, problems: [:])
        let note = try #require(fields.first { $0["nombre"] as? String == "notaDeEnlace" })
        #expect(note["etiqueta"] as? String == "Nota de enlace")
        #expect(note["ayuda"] as? String == "Nombre del área de enlace que recibe.")
        #expect(note["valor"] as? String == "Área de trabajo social")
        let transport = try #require(fields.first { $0["nombre"] as? String == "medioDeTraslado" })
        #expect(transport["esSeleccion"] as? Bool == true, "a catalogue field is a select of its codes")
        #expect(((transport["opciones"] as? [[String: Any]]) ?? []).count > 2)

        // Rendered by the real templates, with a label tied to the control.
        let templates = try await Templates.load()
        let all = fields.map { templates.library.render($0, withTemplate: "campo") ?? "" }.joined()
        #expect(all.contains("<label for=\"campo-notaDeEnlace\">Nota de enlace"), "\(all.prefix(400))")
        #expect(all.contains("name=\"notaDeEnlace\" value=\"Área de trabajo social\""))

        // And it travels in the command's data.
        let data = FormPayload.data(definitions.formFields(of: definition), values: values)
        #expect(data["notaDeEnlace"] == "Área de trabajo social")
        #expect(data["medioDeTraslado"] == "autobus")
    }

    @Test func everyCaseCommandHasAFormWithLabelsForEveryControl() async throws {
        let templates = try await Templates.load()
        let builder = FormBuilder(definitions: repositoryDefinitions)
        for definition in CommandPages.caseCommands(repositoryDefinitions, opens: false) + CommandPages.caseCommands(repositoryDefinitions, opens: true) {
            let html = builder.view(definition, values: FormValues(), problems: [:]).map { templates.library.render($0, withTemplate: "campo") ?? "" }.joined()
            #expect(!html.isEmpty, "\(definition.command)")
            // Every input, select and textarea has an id with a <label for> (checkboxes too).
            let ids = html.matches(of: /<(?:input|select|textarea)[^>]* id="([^"]+)"/).map { String($0.output.1) }
            for id in ids { #expect(html.contains("for=\"\(id)\""), "\(definition.command): \(id) sin etiqueta") }
        }
    }

    @Test func nestedGroupsRepeatedItemsAndProblemsLandBesideTheirFields() throws {
        let definition = try #require(repositoryDefinitions.definition(forCommand: "registrar-persona"))
        var values = FormValues()
        values.set("_n:personasDeContacto", "2")
        values.set("personasDeContacto[1].nombre", "Contacto")
        values.set("lugarDeDeteccion.pais", "MEX")
        values.set("edad", "veinte")
        values.set("hablaEspanol", "si")
        let data = FormPayload.data(repositoryDefinitions.formFields(of: definition), values: values)
        #expect(data["personasDeContacto"] == [["nombre": "Contacto"]], "empty items are dropped")
        #expect(data["lugarDeDeteccion"] == ["pais": "MEX"])
        #expect(data["edad"] == "veinte", "the validator judges what was typed")
        #expect(data["hablaEspanol"] == true)
        let problems = [Problem(path: "datos.lugarDeDeteccion.entidad", code: "requerido", message: "falta la entidad"),
                        Problem(path: "datos", code: "regla", message: "una regla de todo el registro")]
        let placed = ProblemPlacement.place(problems, fields: repositoryDefinitions.formFields(of: definition))
        #expect(placed.byField["lugarDeDeteccion.entidad"] == ["Falta la entidad"])
        #expect(placed.summary.count == 2 && placed.summary[0]["enlace"] == "#campo-lugarDeDeteccion-entidad" && placed.summary[1]["enlace"] == "")
    }

    @Test func labelsGetTheirAccentsBack() {
        #expect(FieldLabels.label("fechaDeDeteccion") == "Fecha de detección")
        #expect(FieldLabels.label("curp") == "CURP")
        #expect(FieldLabels.eventType("AtencionOtorgada") == "Atención otorgada")
        #expect(FieldLabels.command("registrar-atencion") == "Registrar atención")
        #expect(FieldLabels.command("aceptar-canalizacion") == "Aceptar canalización")
    }
}
