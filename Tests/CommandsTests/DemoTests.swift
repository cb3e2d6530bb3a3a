import CanonicalJSON
import Commands
import Definitions
import Demo
import EventLog
import Privacy
import Testing

@Suite(.needsDatabase) struct DemoTests {
    /// The non-personal content of the log, in a stable order (ciphertexts differ: fresh keys and nonces).
    func content(_ system: System) async throws -> [String] {
        var lines: [String] = []
        try await system.store.readAll { batch in
            for event in batch {
                var payload = try CanonicalJSON.parse(event.payload)
                for path in PersonalDataCipher.encryptedPaths(in: payload) { payload = FieldPath.replacing(path, in: payload, with: "🔒") }
                lines.append("\(event.streamId) v\(event.version) \(event.eventType) \(payload)")
            }
        }
        return lines.sorted()
    }

    @Test func theDemoGoesThroughTheCommandPathIsDeterministicAndRerunsWriteNothing() async throws {
        let first = try await System.make()
        let summary = try await DemoRunner(handler: first.handler, seed: 7, people: 15, today: today, workers: 4).run()
        #expect(summary.rejected.isEmpty, "\(summary.rejected.prefix(5))")
        #expect(summary.accepted > 300)
        let again = try await DemoRunner(handler: first.handler, seed: 7, people: 15, today: today, workers: 4).run()
        #expect(again.accepted == 0 && again.replayed == summary.accepted)

        let second = try await System.make()
        _ = try await DemoRunner(handler: second.handler, seed: 7, people: 15, today: today, workers: 2).run()
        #expect(try await content(first) == content(second), "la misma semilla debe dar los mismos datos")
        let other = try await System.make()
        _ = try await DemoRunner(handler: other.handler, seed: 8, people: 15, today: today, workers: 4).run()
        #expect(try await content(first) != content(other))

        // Personal data went through encryption like any caseworker's.
        let registrations = try await first.store.pool.query("""
            SELECT count(*) FROM events WHERE event_type = 'VictimaRegistrada' AND payload->>'nombre' NOT LIKE 'cifrado:v%'
            """)
        #expect(try registrations[0].decode(Int64.self, 0) == 0)
    }

    @Test func theDefaultDemoHasAtLeastFiveThousandEvents() async throws {
        let system = try await System.make()
        let summary = try await DemoRunner(handler: system.handler, seed: 1, today: today).run()
        #expect(summary.rejected.isEmpty, "\(summary.rejected.prefix(3))")
        #expect(summary.accepted >= 5_000, "\(summary.accepted)")
    }
}
