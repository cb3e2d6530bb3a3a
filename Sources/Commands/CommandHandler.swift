import CanonicalJSON
import Catalog
import Cryptography
import Definitions
import EventLog
import Foundation
import Postgres
import Privacy
import Streams
import Tracing

/// The one path every write takes (CLI, bulk submission, demo, API, accounts, web): load the
/// stream, validate the command against its definition and the catalogues, let the stream's
/// decider fold the history and decide, encrypt the personal fields, append with the expected
/// version, and decide again on a concurrent write.
///
/// The handler knows no event type: what a command may do is its decider's (`Deciders/`), what it
/// may contain is its definition's. Nothing is written when any problem exists. A retry with the
/// same idempotency key returns the first result, even if the stream has moved on since.
public final class CommandHandler: Sendable {
    public let definitions: DefinitionSet
    public let store: EventStore
    public let vault: DataKeyVault
    /// The streams commands decide on, kept current between commands (shared with whoever checks
    /// access to the same streams, so both read them once).
    public let histories: StreamHistories

    public init(definitions: DefinitionSet, store: EventStore, vault: DataKeyVault) {
        self.definitions = definitions
        self.store = store
        self.vault = vault
        self.histories = StreamHistories(store: store, definitions: definitions)
    }

    public func handle(_ command: Command, context: CommandContext) async throws(CommandError) -> CommandResult {
        // One tracing span per command (docs/observability.md), a child of the request's when there
        // is one: the command's name, its outcome and where it landed — never its data.
        let span = startSpan("comando \(command.name)", ofKind: .internal)
        defer { span.end() }
        span.attributes["sintra.comando"] = command.name
        switch await Self.outcome({ () async throws(CommandError) in try await decideAndAppend(command, context: context) }) {
        case .success(let result):
            span.attributes["sintra.resultado"] = result.replayed ? "repetido" : "anexado"
            span.attributes["sintra.flujo"] = result.streamId
            span.attributes["sintra.posicion"] = Int(result.position)
            return result
        case .failure(let error):
            span.attributes["sintra.resultado"] = switch error {
            case .rejected: "rechazado"
            case .conflict: "conflicto"
            case .unavailable: "no-disponible"
            case .forbidden: "prohibido"
            }
            if case .unavailable = error { span.setStatus(SpanStatus(code: .error)) }
            throw error
        }
    }

    private func decideAndAppend(_ command: Command, context: CommandContext) async throws(CommandError) -> CommandResult {
        guard let definition = definitions.definition(forCommand: command.name) else {
            throw .rejected(CommandRejection([Problem(path: "comando", code: "comando-desconocido",
                message: "comando «\(command.name)» desconocido; consulte `sintra definitions commands`")]))
        }
        var attempts = 0
        while true {
            attempts += 1
            switch await Self.outcome({ () async throws(CommandError) in try await attempt(command, definition, context) }) {
            case .success(let result) where result.replayed:
                // The log already held this key for this stream: answer as a retry, which also
                // checks that it is the same command.
                return try await replay(command, definition, context) ?? result
            case .success(let result):
                return result
            case .failure(.conflict) where command.expectedVersion == nil && attempts < 5:
                // Without an explicit version, a conflict means someone wrote between our read and
                // our append: decide again on the new state (the rules may now say no).
                continue
            case .failure(let error):
                // A retry of a command that took effect may now break the rules (the case it closed
                // is closed) or name a version that has passed: its first result answers it.
                // (Asked only after a refusal: on the usual path the append itself detects a retry.)
                switch error {
                case .rejected, .conflict: if let replayed = try await replay(command, definition, context) { return replayed }
                case .unavailable, .forbidden: break
                }
                throw error
            }
        }
    }

    /// A step as a `Result`: a typed-throws `catch` with patterns crashes this compiler (6.3.1).
    private static func outcome<T>(_ body: () async throws(CommandError) -> T) async -> Result<T, CommandError> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    /// One command, decided on the stream as it is now.
    private func attempt(_ command: Command, _ definition: EventDefinition, _ context: CommandContext) async throws(CommandError) -> CommandResult {
        let decider = AnyDecider.forStream(definition.streamType)
        let type = EventType(rawValue: definition.eventType)
        var problems = Rules.identifierProblems(command.idempotencyKey, path: "claveDeIdempotencia")
            + Rules.identifierProblems(command.streamId ?? "", path: "flujo")
        let date = definitions.eventDate(of: command.data, definition: definition)
        let (streamId, history, decision, validation) = try await guarded(command) { () async throws -> (String, StreamHistory, Decision, ValidationResult) in
            let (streamId, stored) = try await stream(for: command, definition, &problems)
            if !definition.startsStream, stored.exists, let authorize = context.authorize, let reason = try await authorize(stored) {
                throw CommandError.forbidden(reason)
            }
            // The decider sees the stream only when it is the kind the command is for (otherwise
            // `stream(for:)` has already refused it).
            let history = isKind(stored, of: definition) ? stored : StreamHistory.empty(streamId)
            if history.exists, let expected = command.expectedVersion, expected != history.version {
                throw CommandError.conflict(streamId: streamId, expected: expected, current: history.version)
            }
            let key = decider.needsPersonalData(type) && history.exists ? try await vault.key(subject: streamId) : nil
            let input = DecisionInput(type: type, data: command.data, context: context, date: date, dateField: definition.dateField,
                                      catalogs: definitions.catalogs, history: history, personalKey: key, definitions: definitions)
            // Before the Ley General only declared historical loads are accepted at all (Rules.eventDate);
            // their codes are checked as they stood when SINTRA's catalogues begin.
            let validation = definitions.validate(command.data, definition: definition, earliestCatalogueDate: Rules.lawDate,
                                                  catalogueDate: decider.catalogueDate(input))
            problems += validation.problems.map { $0.prefixed("datos") }
            problems += Rules.eventDate(date, field: definition.dateField, command: command, today: context.today)
            // The rules read the payload defensively, so they run even when the schema found problems:
            // the caller learns everything to fix in one answer.
            problems += decider.check(input) + Rules.periods(command.data)
            let decision = decider.decide(input)
            problems += decision.problems
            if validation.isValid { problems += try await referenceProblems(definition, command.data, streamId: streamId) }
            return (streamId, history, decision, validation)
        }
        guard problems.isEmpty else { throw .rejected(CommandRejection(problems)) }

        return try await guarded(command) {
            var payload = decision.payload
            let personalPaths = validation.annotations.personalPaths + decision.personalPaths
            if !personalPaths.isEmpty {
                let erased = history.entries.contains { decider.erasesPersonalData($0.type) }
                guard let key = try await vault.keyForWriting(subject: streamId, logShowsErasure: erased) else {
                    throw CommandError.rejected(CommandRejection([Problem(path: "datos", code: "datos-personales-borrados",
                        message: "los datos personales de este caso fueron borrados; no se admiten nuevos datos personales")]))
                }
                payload = try PersonalDataCipher.encrypt(payload, paths: personalPaths, subject: streamId, key: key)
            }
            let expected: ExpectedVersion = definition.startsStream ? .noStream : .exactly(command.expectedVersion ?? history.version)
            let occurredAt = date.flatMap { Timestamp(iso8601: "\($0)T00:00:00Z") } ?? Timestamp.now()
            let request = AppendRequest(
                streamId: streamId, streamType: history.streamType ?? definition.streamType, expectedVersion: expected,
                events: [NewEvent(eventType: definition.eventType, schemaVersion: definition.version,
                                  payload: String(decoding: CanonicalJSON.serialize(payload), as: UTF8.self), occurredAt: occurredAt)],
                metadata: EventMetadata(userId: context.userId, institutionId: context.institutionId,
                                        correlationId: context.correlationId, client: context.client),
                idempotencyKey: command.idempotencyKey)
            let result = try await store.append(request)
            try await afterAppend(decider, type, subject: streamId, indexedData: decision.indexedData, definition, command, context)
            return CommandResult(command: command.name, eventType: definition.eventType, streamId: result.streamId,
                                 streamVersion: result.streamVersion, position: result.lastPosition, replayed: result.replayed,
                                 possibleDuplicates: try await duplicates(of: streamId, decider, type))
        }
    }

    /// The first result of a command whose idempotency key was already used, after checking that it
    /// is the same command: same event, same institution, same stream if named, same data. A key
    /// reused for something else is refused (it would otherwise silently swallow the new command).
    private func replay(_ command: Command, _ definition: EventDefinition, _ context: CommandContext) async throws(CommandError) -> CommandResult? {
        let decider = AnyDecider.forStream(definition.streamType)
        let type = EventType(rawValue: definition.eventType)
        return try await guarded(command) { () async throws -> CommandResult? in
            guard let prior = try await store.priorResult(idempotencyKey: command.idempotencyKey) else { return nil }
            guard let recorded = try await store.readStream(prior.streamId, from: prior.streamVersion, limit: 1).first else { return nil }
            let institution = (try? CanonicalJSON.parse(recorded.metadata))?["institutionId"]?.stringValue
            var stored = try CanonicalJSON.parse(recorded.payload)
            // What the command would have recorded, derived fields included (derived from clear fields only).
            var sent = decider.asRecorded(type, command.data, stored)
            let key = try await vault.key(subject: prior.streamId)
            if let key {
                stored = PersonalDataCipher.decrypt(stored, subject: prior.streamId, key: key).payload
            } else {
                // Erased: compare everything but the personal fields, which no longer open.
                for path in PersonalDataCipher.encryptedPaths(in: stored) {
                    stored = FieldPath.replacing(path, in: stored, with: .null)
                    sent = FieldPath.replacing(path, in: sent, with: .null)
                }
            }
            guard recorded.eventType == definition.eventType, institution == context.institutionId,
                  command.streamId == nil || command.streamId == prior.streamId,
                  stored == sent else {
                throw CommandError.rejected(CommandRejection([Problem(path: "claveDeIdempotencia", code: "clave-de-idempotencia-reutilizada",
                    message: "esta clave de idempotencia ya se usó para otro comando; use una clave nueva para cada registro distinto")]))
            }
            // Finish what a crash may have interrupted: the blind indexes, an erasure.
            var indexed: JSONValue?
            if decider.changesIndexedData(type), let key {
                let history = try await StreamHistory.load(prior.streamId, from: store)
                indexed = GeneralData.current(history, subject: prior.streamId, key: key)
            }
            try await afterAppend(decider, type, subject: prior.streamId, indexedData: indexed, definition, command, context)
            return CommandResult(command: command.name, eventType: definition.eventType, streamId: prior.streamId,
                                 streamVersion: prior.streamVersion, position: prior.lastPosition, replayed: true,
                                 possibleDuplicates: try await duplicates(of: prior.streamId, decider, type))
        }
    }

    /// Runs a step of the command path, turning whatever it throws into a `CommandError`: the
    /// command's own errors pass through, the log's are translated, anything else (the database,
    /// the key vault) means the outcome is unknown.
    private func guarded<T>(_ command: Command, _ body: () async throws -> T) async throws(CommandError) -> T {
        do {
            return try await body()
        } catch let error as CommandError {
            throw error
        } catch let error as EventLogError {
            throw translate(error, command: command)
        } catch {
            throw .unavailable("no se pudo completar la operación: \(error)")
        }
    }

    private func translate(_ error: EventLogError, command: Command) -> CommandError {
        switch error {
        case .invalidInput(let problems):
            return .rejected(CommandRejection(problems.map { Problem(path: $0.path, code: "entrada-invalida", message: $0.message) }))
        case .conflict(let stream, _, let current):
            return .conflict(streamId: stream, expected: command.expectedVersion ?? -1, current: current)
        case .streamTypeMismatch(let stream, let requested):
            return .rejected(CommandRejection([Problem(path: "flujo", code: "flujo-de-otro-tipo", message: "«\(stream)» no es un \(requested)")]))
        case .idempotencyKeyReused(let key):
            return .rejected(CommandRejection([Problem(path: "claveDeIdempotencia", code: "clave-de-idempotencia-reutilizada",
                                                       message: "la clave «\(key)» ya se usó para otro flujo")]))
        case .database:
            return .unavailable(error.description)
        }
    }
}
