import ArgumentParser
import EventLog
import Foundation

/// The one way `sintra` reads a setting (`Settings`): the flag when given, else the environment,
/// else the optional configuration file (`SINTRA_CONFIG_FILE`), else the default. A value that does
/// not parse is an error that names the variable, never a silent default: `SINTRA_UMBRAL=abc` used
/// to become 10.
struct ConfigReader: Sendable {
    /// Where a value came from, for `sintra configuracion`.
    enum Source: String, Sendable { case flag = "opción", environment = "entorno", file = "archivo", defaultValue = "por omisión" }

    private let environment: [String: String]
    private let file: [String: String]
    let filePath: String?

    /// The process's reader: its environment and the file it names (read once; a broken file is an
    /// error on first use, reported by `load()`).
    static let shared: Result<ConfigReader, ValidationError> = {
        do { return .success(try ConfigReader(environment: ProcessInfo.processInfo.environment)) } catch let error as ValidationError {
            return .failure(error)
        } catch {
            return .failure(ValidationError("\(error)"))
        }
    }()

    /// The process's reader, or the configuration file's problem as a usage error.
    static func load() throws -> ConfigReader { try shared.get() }

    init(environment: [String: String]) throws {
        self.environment = environment.filter { !$0.value.isEmpty }
        let path = self.environment[Settings.configFile.variable]
        self.filePath = path
        self.file = try path.map(Self.parseFile) ?? [:]
    }

    /// `VARIABLE=valor` lines; blank lines and `#` comments are skipped, quotes around a value are
    /// removed. An unknown variable or a line without `=` is an error naming its line.
    static func parseFile(_ path: String) throws -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("SINTRA_CONFIG_FILE: no se puede leer «\(path)»")
        }
        let known = Set(Settings.all.map(\.variable)).subtracting([Settings.configFile.variable])
        var values: [String: String] = [:]
        var problems: [String] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                problems.append("línea \(number + 1): se esperaba VARIABLE=valor"); continue
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first { value = String(value.dropFirst().dropLast()) }
            guard known.contains(key) else {
                problems.append("línea \(number + 1): «\(key.prefix(40))» no es una variable de SINTRA (vea `sintra configuracion`)"); continue
            }
            values[key] = value
        }
        guard problems.isEmpty else { throw ValidationError("\(path):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")) }
        return values
    }

    /// The value and where it came from; nil when unset and without a default.
    func lookup(_ setting: Setting, flag: String? = nil) -> (value: String, source: Source)? {
        if let flag { return (flag, .flag) }
        if let value = environment[setting.variable] { return (value, .environment) }
        if let value = file[setting.variable], !value.isEmpty { return (value, .file) }
        return setting.defaultValue.map { ($0, .defaultValue) }
    }

    func text(_ setting: Setting, flag: String? = nil) -> String? { lookup(setting, flag: flag)?.value }

    /// A folder of the repository (`events`, `projections`): as the flag, the environment or the file name
    /// it; else its default (`./events`) when it is here, else wherever `RepositoryFolder` finds it
    /// holding `marker`, so the program works from any directory. Falls back to the default, whose
    /// absence the caller reports.
    func folder(_ setting: Setting, flag: String? = nil, holding marker: String) -> String {
        guard let (value, source) = lookup(setting, flag: flag) else { return setting.defaultValue ?? "." }
        guard source == .defaultValue, !FileManager.default.fileExists(atPath: value + "/" + marker) else { return value }
        return RepositoryFolder.locate(value, holding: marker)?.path ?? value
    }

    /// A text setting that must be there; the error says every way to give it.
    func required(_ setting: Setting, flag: String? = nil, fallback: Setting? = nil, why: String) throws -> String {
        if let value = text(setting, flag: flag) ?? fallback.flatMap({ text($0) }) { return value }
        let ways = [setting.flag, setting.variable, fallback?.variable].compactMap { $0 }.joined(separator: ", ")
        throw ValidationError("\(why): indique \(ways)")
    }

    /// An integer setting, checked against its range.
    func integer(_ setting: Setting, flag: Int? = nil) throws -> Int? {
        guard case .integer(let range) = setting.kind else { preconditionFailure("\(setting.variable) is not an integer setting") }
        guard let (text, source) = lookup(setting, flag: flag.map(String.init)) else { return nil }
        let name = source == .flag ? (setting.flag ?? setting.variable) : setting.variable
        guard let value = Int(text) else {
            throw ValidationError("\(name): «\(text.prefix(20))» no es un número entero (\(range.lowerBound) a \(range.upperBound))")
        }
        if value < range.lowerBound { throw ValidationError("\(name): al menos \(range.lowerBound) (se indicó \(value))") }
        if value > range.upperBound { throw ValidationError("\(name): como mucho \(range.upperBound) (se indicó \(value))") }
        return value
    }

    /// A setting that takes one of a few words.
    func choice(_ setting: Setting, flag: String? = nil) throws -> String? {
        guard case .choice(let words) = setting.kind else { preconditionFailure("\(setting.variable) is not a choice setting") }
        guard let (text, source) = lookup(setting, flag: flag) else { return nil }
        guard words.contains(text) else {
            throw ValidationError("\(source == .flag ? (setting.flag ?? setting.variable) : setting.variable): «\(text.prefix(20))» no es válido; use \(words.joined(separator: ", "))")
        }
        return text
    }
}
