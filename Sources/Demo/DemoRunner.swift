import CanonicalJSON
import Catalog
import Commands
import Definitions
import Foundation

/// `sintra demo`: realistic synthetic activity written through the real command path (validation,
/// rules, encryption, append), never by inserting rows. Deterministic for a seed: the same seed
/// gives the same people, dates and codes, and, because stream ids and idempotency keys derive from
/// it, running it twice writes nothing the second time.
public struct DemoRunner: Sendable {
    public struct Summary: Sendable {
        public var accepted = 0
        public var replayed = 0
        public var rejected: [String] = []
        public var events: Int { accepted + replayed }
    }

    let handler: CommandHandler
    let seed: UInt64
    let people: Int
    let today: CalendarDate
    let workers: Int

    public init(handler: CommandHandler, seed: UInt64, people: Int = 200, today: CalendarDate, workers: Int = 8) {
        self.handler = handler
        self.seed = seed
        self.people = people
        self.today = today
        self.workers = max(1, workers)
    }

    /// The last day the demo dates anything: the end of 2024 (the programme's last year) or today.
    var lastDay: CalendarDate { min(today, CalendarDate("2024-12-31")!) }

    /// `modules: false` writes only the people's histories (ops/bench times the command path on them).
    public func run(modules withModules: Bool = true,
                    progress: @escaping @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in }) async throws -> Summary {
        var summary = Summary()
        if withModules { try await modules(&summary) }
        let counter = ProgressCounter()
        let total = people
        try await withThrowingTaskGroup(of: Summary.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var partial = Summary()
                    for index in stride(from: worker, to: total, by: workers) {
                        let history = PersonHistory(seed: seed, index: index, lastDay: lastDay, catalogs: handler.definitions.catalogs)
                        for (step, action) in history.steps.enumerated() {
                            try await execute(action.command, action.data, stream: history.stream,
                                              key: "demo-\(seed)-\(index)-\(step)", institution: action.institution, into: &partial)
                        }
                        // A few people are registered again by another institution: possible duplicates to review.
                        if index % 33 == 5, let registration = history.steps.first {
                            try await execute("registrar-persona", registration.data, stream: history.stream + "-b", key: "demo-\(seed)-\(index)-dup",
                                              institution: "CEAV", into: &partial)
                        }
                        progress(counter.increment(), total)
                    }
                    return partial
                }
            }
            for try await partial in group {
                summary.accepted += partial.accepted
                summary.replayed += partial.replayed
                summary.rejected += partial.rejected
            }
        }
        return summary
    }

    /// The other modules: each starting event's examples re-dated into every year 2019–2024 (the
    /// programme's facts once, as written), then one to three follow-ups per stream, in date order,
    /// a final status (an agreement «cumplido») only last.
    private func modules(_ summary: inout Summary) async throws {
        var random = SeededRandom(seed: seed, stream: 0)
        var created: [String: [String]] = [:]
        var startedOn: [String: CalendarDate] = [:]
        let definitions = ModuleActivity.ordered(handler.definitions)
        for definition in definitions where definition.startsStream {
            let years = definition.module == "programa" ? [nil] : (2019...2024).map { Optional($0) }
            for year in years {
                for (exampleIndex, example) in definition.examples.enumerated() {
                    for copy in 0..<(definition.module == "programa" ? 1 : random.int(1...3)) {
                        var data = example
                        if let year {
                            guard let moved = ModuleActivity.redate(example, definition, year: year, lastDay: lastDay, random: &random) else { continue }
                            data = moved
                        }
                        let check = handler.definitions.validate(data, definition: definition)
                        // An example written with codes of 2023 may name codes not yet in force in 2019: that year has none of it.
                        guard check.isValid else { continue }
                        data = ModuleActivity.retarget(data, catalogPaths: Set(check.annotations.catalogUses.map(\.path)), created: created, random: &random)
                        let stream = "\(definition.streamCategory)-demo-\(seed)-\(year ?? 0)-\(exampleIndex)-\(copy)"
                        let institution = example["institucion"]?.stringValue ?? random.pick(ModuleActivity.members)
                        let key = "demo-\(seed)-\(definition.command)-\(year ?? 0)-\(exampleIndex)-\(copy)"
                        if try await execute(definition.command, data, stream: stream, key: key, institution: institution, into: &summary) {
                            created[definition.streamCategory, default: []].append(stream)
                            startedOn[stream] = handler.definitions.eventDate(of: data, definition: definition)
                        }
                    }
                }
            }
        }
        for definition in definitions where !definition.startsStream {
            let finalStatuses: Set<String> = ["cumplido", "cancelado", "no-cumplido"]
            let examples = definition.examples.sorted { (finalStatuses.contains($0["estatus"]?.stringValue ?? "") ? 1 : 0) < (finalStatuses.contains($1["estatus"]?.stringValue ?? "") ? 1 : 0) }
            for stream in created[definition.streamCategory] ?? [] {
                guard var day = startedOn[stream] else { continue }
                for step in 0..<random.int(1...3) {
                    day = day.adding(days: random.int(20...200))
                    guard day <= lastDay else { break }
                    let example = examples[min(step, examples.count - 1)]
                    guard var data = ModuleActivity.redate(example, definition, to: day) else { continue }
                    let check = handler.definitions.validate(data, definition: definition)
                    guard check.isValid else { continue }
                    data = ModuleActivity.retarget(data, catalogPaths: Set(check.annotations.catalogUses.map(\.path)), created: created, random: &random)
                    let institution = example["institucion"]?.stringValue ?? random.pick(ModuleActivity.members)
                    try await execute(definition.command, data, stream: stream, key: "demo-\(seed)-\(definition.command)-\(stream)-\(step)",
                                      institution: institution, into: &summary)
                    if finalStatuses.contains(example["estatus"]?.stringValue ?? "") { break }
                }
            }
        }
    }

    @discardableResult
    private func execute(_ command: String, _ data: JSONValue, stream: String, key: String, institution: String,
                         into summary: inout Summary) async throws -> Bool {
        let context = CommandContext(userId: "demo-\(institution.lowercased())", institutionId: institution, client: "sintra-demo/1", today: today)
        do {
            let result = try await handler.handle(Command(name: command, data: data, streamId: stream, idempotencyKey: key), context: context)
            if result.replayed { summary.replayed += 1 } else { summary.accepted += 1 }
            return true
        } catch {
            switch error {
            case .rejected(let rejection):
                summary.rejected.append("\(command) (\(key)): \(rejection.problems.map(\.description).joined(separator: "; "))")
                return false
            case .conflict(let stream, _, _):
                summary.rejected.append("\(command) (\(key)): conflicto en \(stream)")
                return false
            case .unavailable(let message), .forbidden(let message):
                throw DemoError(message: message)
            }
        }
    }
}

public struct DemoError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

final class ProgressCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}
