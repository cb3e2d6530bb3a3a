import CanonicalJSON
import Catalog
import Cryptography
import Definitions
import EventLog
import Foundation
import Postgres
import Privacy

/// The one path every write takes (CLI, bulk submission, demo, API): validate the command against
/// its definition, the catalogues and the business rules; decide its event from the stream's
/// current state; encrypt the personal fields; append with the expected version.
///
/// Nothing is written when any problem exists. A retry with the same idempotency key returns the
/// first result, even if the stream has moved on since.
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
        guard let definition = definitions.definition(forCommand: command.name) else {
            throw .rejected(CommandRejection([Problem(path: "comando", code: "comando-desconocido",
                message: "comando «\(command.name)» desconocido; consulte `sintra definitions commands`")]))
        }
        var attempts = 0
        while true {
            attempts += 1
            switch await outcome(command, definition, context) {
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

    /// `attempt` as a `Result`: a typed-throws `catch` with patterns crashes this compiler (6.3.1).
    private func outcome(_ command: Command, _ definition: EventDefinition, _ context: CommandContext) async -> Result<CommandResult, CommandError> {
        do { return .success(try await attempt(command, definition, context)) } catch { return .failure(error) }
    }

    /// The first result of a command whose idempotency key was already used, after checking that it
    /// is the same command: same event, same institution, same stream if named, same data. A key
    /// reused for something else is refused (it would otherwise silently swallow the new command).
    private func replay(_ command: Command, _ definition: EventDefinition, _ context: CommandContext) async throws(CommandError) -> CommandResult? {
        do {
            guard let prior = try await store.priorResult(idempotencyKey: command.idempotencyKey) else { return nil }
            guard let recorded = try await store.readStream(prior.streamId, from: prior.streamVersion, limit: 1).first else { return nil }
            let institution = (try? CanonicalJSON.parse(recorded.metadata))?["institutionId"]?.stringValue
            var stored = try CanonicalJSON.parse(recorded.payload)
            var sent = Rules.withDerivedFields(definition.eventType, command.data)
            if let key = try await vault.key(subject: prior.streamId) {
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
                  stored == Rules.asRecorded(definition.eventType, sent: sent, stored: stored) else {
                throw CommandError.rejected(CommandRejection([Problem(path: "claveDeIdempotencia", code: "clave-de-idempotencia-reutilizada",
                    message: "esta clave de idempotencia ya se usó para otro comando; use una clave nueva para cada registro distinto")]))
            }
            var generalData: JSONValue?
            if Self.changesGeneralData(definition), let key = try await vault.key(subject: prior.streamId) {
                let history = try await StreamHistory.load(prior.streamId, from: store, definitions: definitions)
                generalData = Self.currentGeneralData(history, subject: prior.streamId, key: key)
            }
            try await afterAppend(definition, subject: prior.streamId, generalData: generalData, command: command, context: context)
            return CommandResult(command: command.name, eventType: definition.eventType, streamId: prior.streamId,
                                 streamVersion: prior.streamVersion, position: prior.lastPosition, replayed: true,
                                 possibleDuplicates: try await duplicates(of: prior.streamId, definition))
        } catch let error as CommandError {
            throw error
        } catch {
            throw .unavailable(describe(error))
        }
    }

    private func attempt(_ command: Command, _ definition: EventDefinition, _ context: CommandContext) async throws(CommandError) -> CommandResult {
        var problems = Rules.identifierProblems(command.idempotencyKey, path: "claveDeIdempotencia")
            + Rules.identifierProblems(command.streamId ?? "", path: "flujo")
        let history: StreamHistory
        let streamId: String
        let validation: ValidationResult
        // The case's general data in plaintext once this event is in (registrations and corrections):
        // corrections are checked on it, and blind indexes are computed from it.
        var generalData: JSONValue?
        // What the event will record: the command and the fields derived from it (DerivedFields.swift).
        var recorded = command.data
        let date = definitions.eventDate(of: command.data, definition: definition)
        do {
            (streamId, history) = try await stream(for: command, definition, &problems)
            if !definition.startsStream, history.exists, let authorize = context.authorize, let reason = try await authorize(history) {
                throw CommandError.forbidden(reason)
            }
            // Before the Ley General only declared historical loads are accepted at all (Rules.eventDate);
            // their codes are checked as they stood when SINTRA's catalogues begin. A correction names
            // codes as they stood when the corrected facts were recorded.
            let isCorrection = ["DatosGeneralesCorregidos", "VictimizacionCorregida"].contains(definition.eventType)
            validation = definitions.validate(command.data, definition: definition, earliestCatalogueDate: Rules.lawDate,
                                              catalogueDate: isCorrection ? CaseState(history).registeredOn : nil)
            problems += validation.problems.map { $0.prefixed("datos") }
            problems += Rules.eventDate(date, field: definition.dateField, command: command, today: context.today)
            // The rules read the payload defensively, so they run even when the schema found problems:
            // the caller learns everything to fix in one answer.
            problems += Rules.payload(definition.eventType, command.data)
            if definition.eventType == "AtencionOtorgada" { problems += Rules.attentionClassification(command.data, catalogs: definitions.catalogs) }
            if history.exists || !definition.startsStream {
                problems += try await streamRules(definition, command, history, context, date: date)
            }
            if definition.eventType == "DatosGeneralesCorregidos" && history.exists {
                recorded = Rules.withDerivedCorrection(command.data, corrected: try await correctedGeneralData(command.data, history))
                generalData = try await correctedGeneralData(recorded, history)
                problems += Rules.correction(recorded, generalData ?? .object([]))
            } else if definition.eventType == "VictimaRegistrada" {
                recorded = Rules.withDerivedFields(definition.eventType, command.data)
                generalData = recorded
            }
            if validation.isValid { problems += try await referenceRules(definition, command.data, streamId: streamId) }
        } catch let error as CommandError {
            throw error
        } catch {
            throw .unavailable(describe(error))
        }
        guard problems.isEmpty else { throw .rejected(CommandRejection(problems)) }

        do {
            var payload = recorded
            if !validation.annotations.personalPaths.isEmpty {
                guard let key = try await vault.keyForWriting(subject: streamId, logShowsErasure: CaseState(history).isErased) else {
                    throw CommandError.rejected(CommandRejection([Problem(path: "datos", code: "datos-personales-borrados",
                        message: "los datos personales de este caso fueron borrados; no se admiten nuevos datos personales")]))
                }
                payload = try PersonalDataCipher.encrypt(payload, paths: validation.annotations.personalPaths, subject: streamId, key: key)
            }
            let expected: ExpectedVersion = definition.startsStream ? .noStream : .exactly(command.expectedVersion ?? history.version)
            let occurredAt = date.flatMap { Timestamp(iso8601: "\($0)T00:00:00Z") } ?? Timestamp.now()
            let request = AppendRequest(
                streamId: streamId, streamType: definition.streamType, expectedVersion: expected,
                events: [NewEvent(eventType: definition.eventType, schemaVersion: definition.version,
                                  payload: String(decoding: CanonicalJSON.serialize(payload), as: UTF8.self), occurredAt: occurredAt)],
                metadata: EventMetadata(userId: context.userId, institutionId: context.institutionId,
                                        correlationId: context.correlationId, client: context.client),
                idempotencyKey: command.idempotencyKey)
            let result = try await store.append(request)
            try await afterAppend(definition, subject: streamId, generalData: generalData, command: command, context: context)
            return CommandResult(command: command.name, eventType: definition.eventType, streamId: result.streamId,
                                 streamVersion: result.streamVersion, position: result.lastPosition, replayed: result.replayed,
                                 possibleDuplicates: try await duplicates(of: streamId, definition))
        } catch let error as CommandError {
            throw error
        } catch let error as EventLogError {
            throw translate(error, command: command)
        } catch {
            throw .unavailable(describe(error))
        }
    }

    /// The stream the event goes to, and its history.
    private func stream(for command: Command, _ definition: EventDefinition, _ problems: inout [Problem]) async throws -> (String, StreamHistory) {
        let empty = { (id: String) in StreamHistory(streamId: id, streamType: nil, version: 0, entries: []) }
        if definition.startsStream {
            guard let chosen = command.streamId else {
                return ("\(definition.streamCategory)-\(UUID().uuidString.lowercased())", empty(""))
            }
            if !chosen.hasPrefix(definition.streamCategory + "-") || chosen.count > 200 || chosen.count <= definition.streamCategory.count + 1 {
                problems.append(Problem(path: "flujo", code: "flujo-de-otro-tipo",
                    message: "«\(chosen.prefix(60))» no sirve para este comando: el identificador debe empezar con «\(definition.streamCategory)-»"))
                return (chosen, empty(chosen))
            }
            let history = try await histories.current(chosen)
            if history.exists { problems.append(Problem(path: "flujo", code: "flujo-ya-existe", message: "ya existe «\(chosen)»")) }
            return (chosen, history)
        }
        guard let streamId = command.streamId else {
            problems.append(Problem(path: "flujo", code: "requerido",
                message: "indique el \(definition.streamCategory.replacingOccurrences(of: "_", with: " ")) al que se agrega (flujo «\(definition.streamCategory)-…»)"))
            return ("", empty(""))
        }
        let history = try await histories.current(streamId)
        if !history.exists {
            problems.append(Problem(path: "flujo", code: definition.streamType == "AcuerdoCIES" ? "acuerdo-inexistente" : "flujo-inexistente",
                                    message: "no existe «\(streamId.prefix(80))»"))
        } else if history.streamType != definition.streamType {
            problems.append(Problem(path: "flujo", code: "flujo-de-otro-tipo",
                                    message: "«\(streamId.prefix(80))» es un \(history.streamType ?? "?"), no un \(definition.streamType)"))
        }
        return (streamId, history)
    }

    private func streamRules(_ definition: EventDefinition, _ command: Command, _ history: StreamHistory,
                             _ context: CommandContext, date: CalendarDate?) async throws -> [Problem] {
        guard history.exists, history.streamType == definition.streamType else { return [] }
        var problems: [Problem] = []
        if let expected = command.expectedVersion, expected != history.version {
            throw CommandError.conflict(streamId: history.streamId, expected: expected, current: history.version)
        }
        switch definition.streamType {
        case "Expediente":
            problems += Rules.caseFile(definition.eventType, command.data, CaseState(history), context, date: date, dateField: definition.dateField)
            if definition.eventType == "RegistroValidado", let reviewed = command.data["versionValidada"]?.int64Value, reviewed > history.version {
                problems.append(Problem(path: "datos.versionValidada", code: "version-inexistente",
                                        message: "el caso va en la versión \(history.version); no se puede validar la \(reviewed)"))
            }
        case "AcuerdoCIES":
            let last = history.entries.last { $0.eventType == "AcuerdoCIESSeguido" }?.payload["estatus"]?.stringValue
            if let last, ["cumplido", "cancelado"].contains(last) {
                problems.append(Problem(path: "flujo", code: "acuerdo-concluido", message: "el acuerdo ya está «\(last)»: no admite más seguimiento"))
            }
            let adopted = history.entries.first?.payload["fecha"]?.stringValue.flatMap(CalendarDate.init)
            if let adopted, let date, date < adopted {
                problems.append(Problem(path: "datos.fecha", code: "seguimiento-anterior-al-acuerdo", message: "el seguimiento (\(date)) es anterior al acuerdo (\(adopted))"))
            }
        default: break
        }
        return problems
    }

    /// Fields that name another stream must name one that exists, of the right kind.
    private func referenceRules(_ definition: EventDefinition, _ data: JSONValue, streamId: String) async throws -> [Problem] {
        var problems: [Problem] = []
        let references: [(field: String, type: String, code: String)] = [
            ("sesion", "SesionCIES", "sesion-inexistente"),
            ("expediente", "Expediente", "expediente-inexistente"),
        ]
        for reference in references {
            guard let target = data[reference.field]?.stringValue else { continue }
            if target == streamId {
                problems.append(Problem(path: "datos.\(reference.field)", code: "referencia-a-si-mismo", message: "no puede referirse a sí mismo"))
                continue
            }
            let rows = try await store.readStream(target, limit: 1)
            // A recorded read of personal data names the case, or the account whose name was shown.
            let accepted = definition.eventType == "DatosPersonalesConsultados" && reference.field == "expediente" ? [reference.type, "Usuario"] : [reference.type]
            if !accepted.contains(rows.first?.streamType ?? "") {
                problems.append(Problem(path: "datos.\(reference.field)", code: reference.code, message: "no existe «\(target.prefix(80))»"))
            }
        }
        return problems
    }

    static func changesGeneralData(_ definition: EventDefinition) -> Bool {
        ["VictimaRegistrada", "DatosGeneralesCorregidos"].contains(definition.eventType)
    }

    /// Blind indexes from the case's plaintext general data after a registration or correction; key
    /// destruction after an erasure. Safe to repeat (a replayed command runs it again, finishing what
    /// a crash interrupted).
    private func afterAppend(_ definition: EventDefinition, subject: String, generalData: JSONValue?,
                             command: Command, context: CommandContext) async throws {
        if definition.eventType == "DatosPersonalesBorrados" {
            try await eraseLinkedCases(of: subject, definition, command, context)
            try await vault.erase(subject: subject)
            return
        }
        guard Self.changesGeneralData(definition), let personal = generalData else { return }
        var digests: [BlindIndex.Kind: [UInt8]] = [:]
        if let curp = personal["curp"]?.stringValue {
            digests[.curp] = BlindIndex.digest(.curp, of: BlindIndex.normalizeCURP(curp), keyring: vault.keyring)
        }
        if let name = personal["nombre"]?.stringValue, let surname = personal["primerApellido"]?.stringValue,
           let birth = personal["fechaDeNacimiento"]?.stringValue,
           let normalized = BlindIndex.normalizeName([name, surname, personal["segundoApellido"]?.stringValue ?? ""], birthDate: birth) {
            digests[.nameAndBirthDate] = BlindIndex.digest(.nameAndBirthDate, of: normalized, keyring: vault.keyring)
        }
        try await vault.setBlindIndexes(subject: subject, digests)
    }

    /// An erasure erases the person wherever they are: every case file linked to this one as the
    /// same person (`ExpedientesVinculados`, in either direction, transitively) gets its own
    /// `DatosPersonalesBorrados`, with the same grounds and the same author, and loses its key.
    /// Otherwise the linked copy would still show the name and be found by its CURP. Each linked
    /// append has an idempotency key derived from the command's, so a retry finishes, never repeats.
    private func eraseLinkedCases(of subject: String, _ definition: EventDefinition, _ command: Command, _ context: CommandContext) async throws {
        let linked = try await store.pool.query("""
            WITH RECURSIVE linked(id) AS (
                SELECT $1::text
                UNION
                SELECT CASE WHEN e.stream_id = l.id THEN e.payload->>'expediente' ELSE e.stream_id END
                  FROM linked l JOIN events e
                    ON e.event_type = 'ExpedientesVinculados' AND (e.stream_id = l.id OR e.payload->>'expediente' = l.id)
            )
            SELECT id FROM linked
             WHERE id <> $1
               AND NOT EXISTS (SELECT 1 FROM events d WHERE d.stream_id = linked.id AND d.event_type = $2)
             ORDER BY id
            """, [.text(subject), .text(definition.eventType)]).map { try $0.decode(String.self, 0) }
        for other in linked {
            let request = AppendRequest(
                streamId: other, streamType: definition.streamType, expectedVersion: .any,
                events: [NewEvent(eventType: definition.eventType, schemaVersion: definition.version,
                                  payload: String(decoding: CanonicalJSON.serialize(command.data), as: UTF8.self), occurredAt: Timestamp.now())],
                metadata: EventMetadata(userId: context.userId, institutionId: context.institutionId,
                                        correlationId: context.correlationId ?? command.idempotencyKey, client: context.client),
                idempotencyKey: "borrado-vinculado-" + Hex.encode(SHA256.hash(Array("\(command.idempotencyKey)/\(other)".utf8)).prefix(16)))
            _ = try await store.append(request)
            try await vault.erase(subject: other)
        }
    }

    /// The case's general data now: the registration with every correction applied, personal
    /// fields decrypted when `key` is given (null otherwise).
    public static func currentGeneralData(_ history: StreamHistory, subject: String, key: [UInt8]?) -> JSONValue {
        var current: JSONValue = .object([])
        for entry in history.entries {
            let fields: JSONValue?
            switch entry.eventType {
            case "VictimaRegistrada": fields = entry.payload
            case "DatosGeneralesCorregidos": fields = entry.payload["correcciones"]
            default: fields = nil
            }
            if let fields { current = merging(current, PersonalDataCipher.decrypt(fields, subject: subject, key: key).payload) }
        }
        return current
    }

    /// `base` with each member of `changes` replacing or adding its key.
    static func merging(_ base: JSONValue, _ changes: JSONValue) -> JSONValue {
        var members = base.objectValue ?? []
        for member in changes.objectValue ?? [] {
            if let index = members.firstIndex(where: { $0.key == member.key }) { members[index] = member } else { members.append(member) }
        }
        return .object(members)
    }

    /// The general data as it would stand after a correction (`data` is its payload).
    private func correctedGeneralData(_ data: JSONValue, _ history: StreamHistory) async throws -> JSONValue {
        let key = try await vault.key(subject: history.streamId)
        return Self.merging(Self.currentGeneralData(history, subject: history.streamId, key: key), data["correcciones"] ?? .object([]))
    }

    private func duplicates(of subject: String, _ definition: EventDefinition) async throws -> [String] {
        guard Self.changesGeneralData(definition) else { return [] }
        let rows = try await store.pool.query("""
            SELECT DISTINCT other.subject FROM blind_indexes mine
              JOIN blind_indexes other ON other.kind = mine.kind AND other.digest = mine.digest AND other.subject <> mine.subject
             WHERE mine.subject = $1 ORDER BY 1
            """, [.text(subject)])
        return try rows.map { try $0.decode(String.self, 0) }
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
        case .database(let message):
            return .unavailable(message)
        }
    }

    private func describe(_ error: any Error) -> String {
        if let error = error as? EventLogError { return error.description }
        return "no se pudo completar la operación: \(error)"
    }
}
