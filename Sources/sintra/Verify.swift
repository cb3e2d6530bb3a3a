import ArgumentParser
import CanonicalJSON
import Cryptography
import EventLog
import Foundation
import Projections

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recalcula la cadena de hashes del registro completo (o de un archivo exportado) y comprueba los puntos de control firmados.",
        discussion: """
            Con --include-projections, además reconstruye cada proyección desde la posición 0 en un esquema de trabajo \
            y la compara, tabla por tabla, con la copia vigente. Termina con código 1 y nombra la primera posición \
            incorrecta, o la tabla que difiere, si algo no cuadra.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("checkpoint"), help: "Archivo de punto de control firmado (se puede repetir).")
    var checkpointFiles: [String] = []

    @Option(name: .customLong("public-key"), help: "Llave pública del auditor: los puntos de control deben estar firmados con ella.")
    var publicKeyFile: String?

    @Option(help: "Verifica un archivo de `sintra export` sin base de datos.")
    var file: String?

    @Flag(help: "Reconstruye también cada proyección en un esquema de trabajo y la compara con la vigente (requiere la conexión del dueño).")
    var includeProjections = false

    @OptionGroup var projector: ProjectorOptions

    @Option(help: "texto o json (un documento con el resultado; también cuando algo no cuadra, con código 1).")
    var format: DataFormat = .texto

    /// What the JSON document says, filled as the checks go.
    private final class Outcome: @unchecked Sendable {
        var members: [JSONMember] = []
        func set(_ key: String, _ value: JSONValue) { members.append(JSONMember(key: key, value: value)) }
    }

    func validate() throws {
        if includeProjections && file != nil {
            throw ValidationError("--include-projections compara las proyecciones de una base de datos; no se combina con --file")
        }
        if !checkpointFiles.isEmpty && publicKeyFile == nil {
            throw ValidationError("con --checkpoint indique también --public-key: sin la llave del auditor, cualquiera podría firmar un punto de control")
        }
    }

    func run() async throws {
        let trusted = try publicKeyFile.map { try KeyFile.decodePublicKey(try String(contentsOfFile: $0, encoding: .utf8)) }
        let checkpoints = try checkpointFiles.map { path in
            try EventLog.Checkpoint(fileContents: try String(contentsOfFile: path, encoding: .utf8), trustedKey: trusted)
        }
        let progress = ProgressBar(label: "Verificando")
        let started = Date()
        let verified: Int64
        let outcome = Outcome()
        let text = format == .texto
        do {
            if let file {
                let result = try LogExport.verify(fileAt: URL(fileURLWithPath: file), checkpoints: checkpoints) { progress.update($0, of: $0) }
                verified = result.verified
                progress.finish()
                if text { print("Archivo íntegro: posiciones \(result.after + 1)–\(result.through).") }
                outcome.set("desde", .number(Double(result.after + 1)))
                outcome.set("hasta", .number(Double(result.through)))
            } else {
                let store = openStore(try database.resolved())
                verified = try await store.verifyChain(checkpoints: checkpoints) { progress.update($0, of: $1) }.count
                progress.finish()
                await store.close()
                if text { print("Registro íntegro: posiciones sin huecos, cadena de hashes correcta, versiones de flujo contiguas.") }
            }
        } catch let failure as VerificationFailure {
            progress.finish()
            if !text { printJSON(["integro": false, "posicion": .number(Double(failure.position)), "error": .string("\(failure)")]) }
            printError("ERROR de integridad en la \(failure)")
            throw ExitCode(1)
        }
        let seconds = Date().timeIntervalSince(started)
        if text {
            print("\(formatCount(verified)) eventos verificados en \(String(format: "%.2f", seconds)) s (\(formatCount(Int64(Double(verified) / max(seconds, 0.001)))) eventos/s).")
            if !checkpoints.isEmpty { print("\(checkpoints.count) punto(s) de control firmado(s) verificados: el registro los extiende.") }
        }
        outcome.set("eventos", .number(Double(verified)))
        outcome.set("puntosDeControl", .number(Double(checkpoints.count)))
        var projectionsMatch = true
        if includeProjections { projectionsMatch = try await verifyProjections(outcome) }
        if !text { printJSON(.object([JSONMember(key: "integro", value: .bool(projectionsMatch))] + outcome.members)) }
        if !projectionsMatch { throw ExitCode(1) }
    }

    /// Each projection against a copy rebuilt from the log up to its own checkpoint; false when one differs.
    private func verifyProjections(_ outcome: Outcome) async throws -> Bool {
        let projector = try projector.makeProjector()
        var mismatched = false
        var results: [JSONValue] = []
        for projection in projector.projections {
            let progress = ProgressBar(label: "Reconstruyendo \(projection.name) para comparar")
            let comparison = try await projector.verify(projection) { progress.update($0, of: $1) }
            progress.finish()
            results.append(["proyeccion": .string(projection.name), "identica": .bool(comparison.matches), "posicion": .number(Double(comparison.position)),
                            "tablasQueDifieren": .array(comparison.tables.filter { $0.onlyLive > 0 || $0.onlyRebuilt > 0 }.map { .string($0.table) })])
            if !comparison.matches { mismatched = true }
            if format == .json { continue }
            if comparison.matches {
                print("Proyección \(projection.name): idéntica a su reconstrucción desde el registro "
                      + "(\(comparison.tables.count) tablas, posición \(formatCount(comparison.position))).")
            } else {
                printError("ERROR: la proyección \(projection.name) difiere de su reconstrucción en la posición \(formatCount(comparison.position)):")
                for table in comparison.tables where table.onlyLive > 0 || table.onlyRebuilt > 0 {
                    printError("  \(table.table): \(formatCount(table.onlyLive)) fila(s) solo en la copia vigente, "
                               + "\(formatCount(table.onlyRebuilt)) solo en la reconstruida")
                }
            }
        }
        outcome.set("proyecciones", .array(results))
        if mismatched {
            printError("Reconstruya la proyección con `sintra projections rebuild NOMBRE` tras investigar la causa.")
        }
        return !mismatched
    }
}
