import Accounts
import CanonicalJSON
import Foundation
import Catalog
import Commands
import Definitions
import HTTPTypes
import Hummingbird
import NIOCore

/// One endpoint per command of every module, generated from the definitions:
/// `POST /v1/comandos/<comando>` for a command that opens a stream (a new case, an operation, a
/// training…), `POST /v1/flujos/{flujo}/<comando>` for one that appends to an existing stream.
enum CommandEndpoints {
    static func all(_ services: APIServices) -> [Endpoint] {
        services.definitions.current.filter { !$0.isInternal }.sorted { $0.command < $1.command }.map { definition in
            let opens = definition.startsStream
            var parameters: [Endpoint.Parameter] = [
                IdempotentWrites.parameter,
                .init("cargaHistorica", in: .query, description: "true para registrar hechos anteriores a 2012-06-14 (carga histórica).",
                      schema: ["type": "boolean"]),
            ]
            if opens {
                parameters.append(.init("flujo", in: .query, description: "Identificador del nuevo flujo (\(definition.streamCategory)-…); por omisión se genera.",
                                        schema: ["type": "string", "maxLength": 200]))
            } else {
                parameters.insert(.init("flujo", in: .path, description: "Flujo (\(definition.streamType)) al que se agrega el evento.",
                                        schema: ["type": "string", "minLength": 1, "maxLength": 200]), at: 0)
                parameters.append(.init("If-Match", in: .header, description: "Versión del flujo que se leyó (ETag); si cambió, 412 con versionActual.",
                                        schema: ["type": "string", "maxLength": 24]))
            }
            let path = opens ? "/v1/comandos/\(definition.command)" : "/v1/flujos/{flujo}/\(definition.command)"
            let written: [String: JSONValue] = [
                "ETag": ["description": "Versión del flujo después de esta escritura; envíela en If-Match en la siguiente.", "schema": ["type": "string"]],
                "Location": ["description": "Dónde leer lo escrito (en un expediente, con ?posicion= para leer lo propio).", "schema": ["type": "string"]],
            ]
            return Endpoint(
                .post, path, operationId: definition.command, tag: definition.module,
                summary: "\(definition.eventType): \(definition.description)", access: .authenticated, parameters: parameters,
                requestBody: ["$ref": .string("#/components/schemas/\(definition.key)")],
                successes: [.init(201, "Registrado: el evento quedó en el registro.", schema: ["$ref": "#/components/schemas/ResultadoDeComando"],
                                  headers: written),
                            .init(200, "Ya se había registrado con esta clave: el mismo resultado, nada nuevo.",
                                  schema: ["$ref": "#/components/schemas/ResultadoDeComando"], headers: written)],
                errors: opens ? [400, 401, 403, 413, 422, 429, 503] : [400, 401, 403, 404, 409, 412, 413, 422, 429, 503]
            ) { request, context in
                try await run(definition, request: request, context: context, services: services)
            }
        }
    }

    static func run(_ definition: EventDefinition, request: Request, context: APIContext, services: APIServices) async throws -> Response {
        let identity = try context.requireIdentity()
        let stream = definition.startsStream ? request.uri.queryParameters["flujo"].map(String.init) : context.parameters.get("flujo")
        // The account, its institution and its permissions; whose record it is is judged later, on
        // the same reading of the stream the command is decided on.
        let commandContext = try await accountCall { () async throws(AccountError) in
            try services.commands.context(identity, command: definition.command, client: "api/1")
        }
        var problems: [Problem] = []
        let key = IdempotentWrites.key(request)
        if key == nil { problems.append(IdempotentWrites.badKey) }
        var expected: Int64?
        if let match = request.headers[.ifMatch] {
            // The ETag of a case read with its personal data opened carries a suffix; it names the same version.
            let digits = EntityTag.core(match).replacingOccurrences(of: "-datos-personales", with: "")
            if let version = Int64(digits), version >= 0 { expected = version } else {
                problems.append(Problem(path: "encabezados.If-Match", code: "version-no-valida", message: "If-Match debe ser la versión del flujo, p. ej. \"3\""))
            }
        }
        let historical = request.uri.queryParameters["cargaHistorica"].map(String.init)
        if let historical, historical != "true" && historical != "false" {
            problems.append(Problem(path: "consulta.cargaHistorica", code: "booleano", message: "cargaHistorica es true o false"))
        }
        let data = try await Body.json(request)
        guard problems.isEmpty else { throw APIProblem.malformed(problems.map(\.message).joined(separator: "; "), problems: problems) }
        let command = Command(name: definition.command, data: data, streamId: stream, expectedVersion: expected,
                              idempotencyKey: key!, historicalLoad: historical == "true")
        let result: CommandResult
        let started = ContinuousClock.now
        switch await outcome(services.handler, command, commandContext) {
        case .success(let value): result = value
        case .failure(.conflict(let stream, let expectedVersion, let current)) where expected != nil:
            // The client's own If-Match no longer holds: a failed precondition (412), not a business conflict.
            var problem = APIProblem(.conflict(streamId: stream, expected: expectedVersion, current: current))
            problem = APIProblem(.preconditionFailed, title: "La versión cambió", detail: problem.detail)
            problem.headers[.eTag] = "\"\(current)\""
            problem.extra = [.init(key: "versionActual", value: .number(Double(current)))]
            throw problem
        case .failure(let error): throw APIProblem(error)
        }
        if !result.replayed { services.metrics.appended(module: definition.module, duration: ContinuousClock.now - started) }
        let body: JSONValue = [
            "comando": .string(result.command), "evento": .string(result.eventType), "flujo": .string(result.streamId),
            "version": .number(Double(result.streamVersion)), "posicion": .number(Double(result.position)), "repetido": .bool(result.replayed),
            "posiblesDuplicados": .array(result.possibleDuplicates.map(JSONValue.string)),
        ]
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .eTag: "\"\(result.streamVersion)\""]
        // A case's Location carries the position token: reading it waits for the case file to hold this write.
        // (A stream's audit history reads the log itself, always current.)
        headers[.location] = definition.streamType == "Expediente" ? "/v1/expedientes/\(result.streamId)?posicion=\(result.position)"
            : "/v1/auditoria/flujos/\(result.streamId)"
        return Response(status: result.replayed ? .ok : .created, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: CanonicalJSON.serialize(body))))
    }

    /// As a `Result`: a typed-throws `catch` with patterns crashes this compiler (6.3.1).
    static func outcome(_ handler: CommandHandler, _ command: Command, _ context: CommandContext) async -> Result<CommandResult, CommandError> {
        do { return .success(try await handler.handle(command, context: context)) } catch { return .failure(error) }
    }
}

extension APIProblem {
    /// A command's outcome as HTTP: a missing stream is 404, a version conflict 409 with the current
    /// version (a stale If-Match is 412, decided where the header is read), every other rejection 422 with all its problems, an uncertain outcome 503.
    init(_ error: CommandError) {
        switch error {
        case .rejected(let rejection):
            let missing = ["flujo-inexistente", "acuerdo-inexistente"]
            if rejection.codes.allSatisfy(missing.contains) {
                self = APIProblem(.notFound, title: "No encontrado", detail: rejection.problems.map(\.message).joined(separator: "; "), problems: rejection.problems)
            } else {
                self = .invalid(rejection.problems)
            }
        case .conflict(let stream, _, let current):
            self = APIProblem(.conflict, title: "Conflicto de versión",
                              detail: "El flujo «\(stream)» va en la versión \(current): vuelva a leerlo y decida de nuevo.")
            self.headers[.eTag] = "\"\(current)\""
            self.extra = [.init(key: "versionActual", value: .number(Double(current)))]
        case .unavailable:
            self = .unavailable("No se pudo confirmar el registro; reintente con la misma Idempotency-Key.")
        case .forbidden(let why):
            self = .denied(why)
        }
    }
}
