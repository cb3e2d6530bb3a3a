import CanonicalJSON
import Definitions
import EventLog
import Foundation
import Streams

/// Which stream a command goes to, and the other streams its data names.
extension CommandHandler {
    /// The stream the event goes to, and its history as it is now. Problems (a stream of the wrong
    /// kind, one that does not exist or already does) are added to `problems`.
    func stream(for command: Command, _ definition: EventDefinition, _ problems: inout [Problem]) async throws -> (String, StreamHistory) {
        if definition.startsStream {
            guard let chosen = command.streamId else {
                return ("\(definition.streamCategory)-\(UUID().uuidString.lowercased())", .empty(""))
            }
            if !chosen.hasPrefix(definition.streamCategory + "-") || chosen.count > 200 || chosen.count <= definition.streamCategory.count + 1 {
                problems.append(Problem(path: "flujo", code: "flujo-de-otro-tipo",
                    message: "«\(chosen.prefix(60))» no sirve para este comando: el identificador debe empezar con «\(definition.streamCategory)-»"))
                return (chosen, .empty(chosen))
            }
            let history = try await histories.current(chosen)
            if history.exists { problems.append(Problem(path: "flujo", code: "flujo-ya-existe", message: "ya existe «\(chosen)»")) }
            return (chosen, history)
        }
        guard let streamId = command.streamId else {
            problems.append(Problem(path: "flujo", code: "requerido",
                message: "indique el \(definition.streamCategory.replacingOccurrences(of: "_", with: " ")) al que se agrega (flujo «\(definition.streamCategory)-…»)"))
            return ("", .empty(""))
        }
        let history = try await histories.current(streamId)
        if !history.exists {
            problems.append(Problem(path: "flujo", code: AnyDecider.forStream(definition.streamType).missingStreamCode,
                                    message: "no existe «\(streamId.prefix(80))»"))
        } else if definition.appliesToAnyModuleRecord, !isKind(history, of: definition) {
            problems.append(Problem(path: "flujo", code: "no-es-registro-de-modulo",
                message: "«\(streamId.prefix(80))» es un \(history.streamType ?? "?"): este comando corrige o anula registros de los módulos (operativos, capacitaciones, difusión…); los expedientes, acuerdos CIES y cuentas tienen sus propios comandos"))
        } else if history.streamType != definition.streamType, !definition.appliesToAnyModuleRecord {
            problems.append(Problem(path: "flujo", code: "flujo-de-otro-tipo",
                                    message: "«\(streamId.prefix(80))» es un \(history.streamType ?? "?"), no un \(definition.streamType)"))
        }
        return (streamId, history)
    }

    /// Whether `history` is a stream the command's definition may be recorded in: its own stream
    /// type, or — for a correction or annulment of any module's record — any stream that
    /// `ModuleRecordDecider` rules and a module's definition (not a system one) opens.
    func isKind(_ history: StreamHistory, of definition: EventDefinition) -> Bool {
        guard definition.appliesToAnyModuleRecord else { return history.streamType == definition.streamType }
        guard let opening = history.entries.first?.eventType else { return false }
        return ModuleRecordDecider.openingTypes(definitions).contains(opening)
    }

    /// Fields that name another stream must name one that exists, of the right kind.
    func referenceProblems(_ definition: EventDefinition, _ data: JSONValue, streamId: String) async throws -> [Problem] {
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
            let readsPersonalData = EventType(rawValue: definition.eventType) == .datosPersonalesConsultados
            let accepted = readsPersonalData && reference.field == "expediente" ? [reference.type, "Usuario"] : [reference.type]
            if !accepted.contains(rows.first?.streamType ?? "") {
                problems.append(Problem(path: "datos.\(reference.field)", code: reference.code, message: "no existe «\(target.prefix(80))»"))
            }
        }
        return problems
    }
}
