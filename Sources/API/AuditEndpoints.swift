import Accounts
import CanonicalJSON
import Definitions
import Cryptography
import EventLog
import Hummingbird
import Postgres
import Privacy

/// What an auditor with a mandate asks: a stream's full history, one event by position, whether
/// the chain holds, and who opened a case's personal data. Personal fields come back as null:
/// opening them goes through the case file, with a stated purpose, and is itself recorded.
enum AuditEndpoints {
    static func all(_ services: APIServices) -> [Endpoint] {
        [
            Endpoint(.get, "/v1/auditoria/flujos/{flujo}", operationId: "historial-de-flujo", tag: "auditoria",
                     summary: "Todos los eventos de un flujo, en orden: quién, cuándo, qué, con su hash.", access: .authenticated,
                     parameters: [.init("flujo", in: .path, description: "Identificador del flujo.", schema: ["type": "string", "minLength": 1, "maxLength": 200])],
                     successes: [.init(200, "El historial.", schema: ResponseSchemas.ref("HistorialDeFlujo"))], errors: [401, 403, 404, 429, 503]) { _, context in
                let identity = try context.requireIdentity()
                let stream = context.parameters.get("flujo") ?? ""
                try await services.requireRecord(stream, identity, .leerHistorial)
                var events: [RecordedEvent] = []
                var next: Int64 = 1
                while true {
                    let page = try await services.store.readStream(stream, from: next, limit: 1_000)
                    events += page
                    guard page.count == 1_000, let last = page.last else { break }
                    next = last.version + 1
                }
                return SystemEndpoints.json(["flujo": .string(stream), "eventos": .array(events.map(json))])
            },
            Endpoint(.get, "/v1/auditoria/eventos/{posicion}", operationId: "evento-por-posicion", tag: "auditoria",
                     summary: "Un evento por su posición en el registro.", access: .authenticated,
                     parameters: [.init("posicion", in: .path, description: "Posición (1, 2, …).", schema: ["type": "integer", "minimum": 1])],
                     successes: [.init(200, "El evento.", schema: ResponseSchemas.ref("EventoDelRegistro"))], errors: [400, 401, 403, 404, 429, 503]) { _, context in
                let identity = try context.requireIdentity()
                guard let position = context.parameters.get("posicion").flatMap(Int64.init), position >= 1 else {
                    throw APIProblem.malformed("la posición es un entero positivo", path: "ruta.posicion")
                }
                var found: RecordedEvent?
                try await services.store.readAll(after: position - 1, through: position) { found = $0.first }
                guard let event = found else { throw APIProblem.notFound("No hay evento en la posición \(position).") }
                try await services.requireRecord(event.streamId, identity, .leerHistorial)
                return SystemEndpoints.json(json(event))
            },
            Endpoint(.get, "/v1/auditoria/verificacion", operationId: "verificar-cadena", tag: "auditoria",
                     summary: "Recalcula la cadena de hashes del registro completo: sin huecos, encadenado, versiones contiguas.", access: .authenticated,
                     successes: [.init(200, "El registro está íntegro.", schema: ResponseSchemas.ref("VerificacionDeLaCadena"))], errors: [401, 403, 409, 429, 503]) { _, context in
                let identity = try context.requireIdentity()
                guard try services.requireScope(identity, .leerHistorial) == .nacional else {
                    throw APIProblem.forbidden("Verificar el registro completo requiere alcance nacional.")
                }
                do {
                    let verified = try await services.store.verifyChain()
                    return SystemEndpoints.json(["integro": true, "eventos": .number(Double(verified.count)), "posicion": .number(Double(verified.position)),
                                                 "hash": .string(Hex.encode(verified.hash))])
                } catch let failure as VerificationFailure {
                    var problem = APIProblem(.conflict, title: "Registro alterado", detail: "La verificación falló en la \(failure).")
                    problem.extra = [.init(key: "posicion", value: .number(Double(failure.position)))]
                    throw problem
                }
            },
            Endpoint(.get, "/v1/auditoria/consultas/{expediente}", operationId: "consultas-de-datos-personales", tag: "auditoria",
                     summary: "Quién abrió los datos personales de este expediente, cuándo, qué campos y con qué finalidad.", access: .authenticated,
                     parameters: [.init("expediente", in: .path, description: "Identificador del expediente.", schema: ["type": "string", "minLength": 1, "maxLength": 200])],
                     successes: [.init(200, "Las consultas.", schema: ResponseSchemas.ref("ConsultasDeDatosPersonales"))], errors: [401, 403, 404, 429, 503]) { _, context in
                let identity = try context.requireIdentity()
                let caseId = context.parameters.get("expediente") ?? ""
                try await services.requireRecord(caseId, identity, .leerHistorial)
                let rows = try await services.store.pool.query("""
                    SELECT position, recorded_at, metadata->>'userId', metadata->>'institutionId', payload->'campos', stream_id, payload
                      FROM events WHERE event_type = $2 AND payload->>'expediente' = $1 ORDER BY position
                    """, [.text(caseId), .text(EventType.datosPersonalesConsultados.rawValue)])
                // The auditor sees the stated purpose (opened with the consultation's own key) and the
                // person and institution behind each account, not an opaque id: that is what a mandate asks.
                var items: [JSONValue] = []
                for row in rows {
                    let position = try row.decode(Int64.self, 0), recorded = try row.decode(Timestamp.self, 1)
                    let user = try row.decode(String?.self, 2) ?? "", institution = try row.decode(String?.self, 3) ?? ""
                    let fields = try CanonicalJSON.parse(try row.decode(String.self, 4))
                    let stream = try row.decode(String.self, 5)
                    let opened = PersonalDataCipher.decrypt(try CanonicalJSON.parse(try row.decode(String.self, 6)), subject: stream,
                                                            key: try await services.handler.vault.key(subject: stream)).payload
                    let person = try await services.accounts.directory.personalData(of: user)
                    let institutionName = try await services.accounts.directory.institution(institution)?.name
                    items.append(.object([
                        .init(key: "posicion", value: .number(Double(position))), .init(key: "registradoEn", value: .string(recorded.iso8601)),
                        .init(key: "usuario", value: .string(user)), .init(key: "persona", value: person?.name.map(JSONValue.string) ?? .null),
                        .init(key: "institucion", value: .string(institution)),
                        .init(key: "nombreDeLaInstitucion", value: institutionName.map(JSONValue.string) ?? .null),
                        .init(key: "campos", value: fields), .init(key: "finalidad", value: opened["finalidad"] ?? .null)]))
                }
                var response = SystemEndpoints.json(["expediente": .string(caseId), "consultas": .array(items)])
                response.headers[.cacheControl] = "no-store"  // names of public servants and stated purposes
                return response
            },
        ]
    }

    static func json(_ event: RecordedEvent) -> JSONValue {
        let payload = (try? CanonicalJSON.parse(event.payload)) ?? .null
        let hidden = PersonalDataCipher.encryptedPaths(in: payload).reduce(payload) { FieldPath.replacing($1, in: $0, with: JSONValue.null) }
        return ["posicion": .number(Double(event.position)), "flujo": .string(event.streamId), "tipoDeFlujo": .string(event.streamType),
                "version": .number(Double(event.version)), "evento": .string(event.eventType), "versionDelEsquema": .number(Double(event.schemaVersion)),
                "datos": hidden, "metadatos": (try? CanonicalJSON.parse(event.metadata)) ?? .null,
                "ocurrioEn": .string(event.occurredAt.iso8601), "registradoEn": .string(event.recordedAt.iso8601),
                "hashAnterior": .string(Hex.encode(event.previousHash)), "hash": .string(Hex.encode(event.hash))]
    }
}
