import EventLog
import Foundation
import Postgres

enum Environment {
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}

/// Prints to standard error (progress, diagnostics) so standard output stays parseable.
func printError(_ text: String, terminator: String = "\n") {
    FileHandle.standardError.write(Data((text + terminator).utf8))
}

/// A one-line progress bar on a terminal: count, percentage, events per second.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let started = Date()
    private var lastDraw = Date.distantPast
    private let enabled = isatty(2) == 1
    private let lock = NSLock()

    init(label: String) { self.label = label }

    func update(_ done: Int64, of total: Int64) {
        lock.lock()
        defer { lock.unlock() }
        guard enabled, Date().timeIntervalSince(lastDraw) >= 0.1 || done == total else { return }
        lastDraw = Date()
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let perSecond = rate(done)
        let remaining = perSecond > 0 && total > done ? " · faltan \(Int((Double(total - done) / perSecond).rounded(.up))) s" : ""
        printError("\r\(label) \(bar) \(formatCount(done))/\(formatCount(total)) (\(Int(fraction * 100)) %) · \(formatCount(Int64(perSecond))) eventos/s\(remaining)   ", terminator: "")
    }

    func finish() { if enabled { printError("") } }

    func rate(_ done: Int64) -> Double {
        let elapsed = Date().timeIntervalSince(started)
        return elapsed > 0 ? Double(done) / elapsed : 0
    }
}

/// 1234567 → "1 234 567" (thin grouping that reads the same in Spanish and English).
func formatCount(_ value: Int64) -> String {
    let digits = String(value.magnitude)
    var grouped = ""
    for (index, character) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(" ") }
        grouped.append(character)
    }
    return value < 0 ? "-" + grouped : grouped
}

func openStore(_ url: String) -> EventStore {
    EventStore(pool: ConnectionPool(connectionString: url, maxConnections: 4))
}
