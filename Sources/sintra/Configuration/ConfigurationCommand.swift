import ArgumentParser
import CanonicalJSON

/// `sintra configuracion`: every setting, where its value comes from now, and what it is for. With
/// `--format md` it prints the README's table (a test keeps them equal).
struct ConfigurationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "configuracion",
        abstract: "Cada ajuste de SINTRA (variable, opción, valor por omisión) y de dónde toma su valor ahora; los secretos no se muestran.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case texto, json, md }
    @Option(help: "texto, json o md (la tabla del README).") var format: Format = .texto

    func run() throws {
        let config = try ConfigReader.load()
        switch format {
        case .md:
            print(Self.markdownTable)
        case .json:
            printJSON(.array(Settings.all.map { setting in
                let current = config.lookup(setting)
                let shown: JSONValue = current.map { setting.secret && $0.source != .defaultValue ? .string("(secreto)") : .string($0.value) } ?? .null
                return .object([
                    .init(key: "variable", value: .string(setting.variable)),
                    .init(key: "opcion", value: setting.flag.map(JSONValue.string) ?? .null),
                    .init(key: "porOmision", value: setting.defaultValue.map(JSONValue.string) ?? .null),
                    .init(key: "secreto", value: .bool(setting.secret)),
                    .init(key: "valor", value: shown),
                    .init(key: "origen", value: current.map { .string($0.source.rawValue) } ?? .null),
                    .init(key: "descripcion", value: .string(setting.help)),
                ])
            }))
        case .texto:
            if let file = config.filePath { print("Archivo de configuración: \(file)\n") }
            var table = TextTable("Variable", "Opción", "Valor", "Origen")
            for setting in Settings.all {
                let current = config.lookup(setting)
                let value = current.map { setting.secret && $0.source != .defaultValue ? "(secreto)" : $0.value } ?? "—"
                table.add(setting.variable, setting.flag ?? "", value, current?.source.rawValue ?? "sin valor")
            }
            table.print()
        }
    }

    /// The README's "Configuration" table.
    static var markdownTable: String {
        var lines = ["| variable | flag | default | secret | what it is (as `sintra configuracion` says it) |", "| --- | --- | --- | --- | --- |"]
        for setting in Settings.all {
            lines.append("| `\(setting.variable)` | \(setting.flag.map { "`\($0)`" } ?? "") | \(setting.defaultValue.map { "`\($0)`" } ?? "") | \(setting.secret ? "yes" : "") | \(setting.help) |")
        }
        return lines.joined(separator: "\n")
    }
}
