import ArgumentParser
import Catalog
import Commands
import Demo
import Foundation

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Genera actividad sintética realista por la vía real de los comandos (personas, atenciones, operativos, capacitaciones, acuerdos CIES, hechos del programa 2019–2024).",
        discussion: "Determinista para una semilla: volver a ejecutarla no escribe nada nuevo. Los nombres y CURP son ficticios.")
    @OptionGroup var options: CommandOptions
    @Option(help: "Semilla (la misma semilla da los mismos datos).") var seed: UInt64 = 1
    @Option(help: "Número de personas con su historia.") var personas: Int = 200
    @Option(help: "Personas escritas a la vez (cada una con sus comandos en orden).") var trabajadores: Int = 8
    @Flag(help: "Solo las historias de personas, sin los demás módulos (ops/bench mide así la vía de los comandos).")
    var soloPersonas = false

    func validate() throws {
        guard (1...64).contains(trabajadores) else {
            throw ValidationError("--trabajadores debe estar entre 1 y 64 (se dio \(trabajadores)).")
        }
    }

    func run() async throws {
        let handler = try await options.makeHandler()
        let progress = ProgressBar(label: "Personas")
        let started = Date()
        let summary: DemoRunner.Summary
        do {
            summary = try await DemoRunner(handler: handler, seed: seed, people: personas, today: CalendarDate.today(), workers: trabajadores)
                .run(modules: !soloPersonas) { done, total in progress.update(Int64(done), of: Int64(total)) }
            progress.finish()
        } catch {
            progress.finish()
            await handler.store.close()
            printError("ERROR: \(error)")
            throw ExitCode(2)
        }
        await handler.store.close()
        let seconds = Date().timeIntervalSince(started)
        print("Demo (semilla \(seed), \(personas) personas): \(formatCount(Int64(summary.accepted))) eventos nuevos, "
              + "\(formatCount(Int64(summary.replayed))) ya existentes, \(summary.rejected.count) rechazados, en \(String(format: "%.1f", seconds)) s")
        for line in summary.rejected.prefix(20) { print("  rechazado: \(line)") }
        if !summary.rejected.isEmpty { throw ExitCode(1) }
    }

}
