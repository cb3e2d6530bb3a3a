import EventLog
import Postgres
import Testing
import TestDatabase

@Suite(.needsDatabase) struct ConcurrencyTests {
    /// 8 writers × 1,000 appends to their own streams while a subscriber follows live and a
    /// whole-log reader streams repeatedly: positions gapless, each event seen once, in order.
    @Test func concurrentWritersWithLiveSubscriberAndReader() async throws {
        let database = try await TestDatabase.migrated()
        let store = database.store(maxConnections: 12)
        let writers = 8
        let perWriter = 1_000
        let total = Int64(writers * perWriter)

        let subscriber = Task { () -> [Int64] in
            var seen: [Int64] = []
            for try await event in store.subscribe(after: 0, pollInterval: .milliseconds(200)) {
                seen.append(event.position)
                if event.position == total { break }
            }
            return seen
        }
        let reader = Task { () -> Int in
            // Whole-log reads while writes are going on: each must be a gapless prefix.
            var passes = 0
            var lastSize = 0
            while lastSize < total {
                var expected: Int64 = 1
                try await store.readAll { events in
                    for event in events {
                        guard event.position == expected else { throw EventLogError.database(.init("hueco en \(expected)")) }
                        expected += 1
                    }
                }
                lastSize = Int(expected - 1)
                passes += 1
            }
            return passes
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for index in 0..<perWriter {
                        _ = try await store.append(request("victima-w\(writer)", expected: .exactly(Int64(index)),
                                                           events: [event("AtencionOtorgada", #"{"i":\#(index)}"#)]))
                    }
                }
            }
            try await group.waitForAll()
        }
        let seen = try await subscriber.value
        #expect(seen == Array(1...total))
        #expect(try await reader.value >= 1)
        let head = try await store.head()
        #expect(head.count == total && head.position == total)
        #expect(try await store.verifyChain().count == total)
        for writer in 0..<writers {
            let versions = try await store.readStream("victima-w\(writer)", limit: 2_000).map(\.version)
            #expect(versions == Array(1...Int64(perWriter)))
        }
    }

    @Test func subscriptionResumesAfterAPosition() async throws {
        let store = try await TestDatabase.migrated().store()
        try await seed(store, count: 5)
        var seen: [Int64] = []
        for try await event in store.subscribe(after: 3, pollInterval: .milliseconds(100)) {
            seen.append(event.position)
            if event.position == 5 { break }
        }
        #expect(seen == [4, 5])
    }
}

@Suite(.needsDatabase) struct ReconnectTests {
    /// The subscriber's connections are killed mid-stream: it reconnects and goes on from the
    /// last delivered position, so every event still arrives exactly once, in order.
    @Test func subscriptionSurvivesLostConnections() async throws {
        let database = try await TestDatabase.migrated()
        let writer = database.store()
        let reader = database.store()
        try await seed(writer, count: 5)
        let subscriber = Task { () -> [Int64] in
            var seen: [Int64] = []
            for try await event in reader.subscribe(after: 0, pollInterval: .milliseconds(100)) {
                seen.append(event.position)
                if event.position == 10 { break }
            }
            return seen
        }
        try await Task.sleep(for: .milliseconds(500))
        let admin = try await database.admin()
        let killed = try await admin.query("""
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE datname = current_database() AND usename = 'sintra_app' AND pid <> pg_backend_pid()
            """)[0].decode(Int.self, 0)
        #expect(killed >= 1)
        let fresh = database.store()
        try await seed(fresh, count: 5)
        #expect(try await subscriber.value == Array(1...10))
    }
}
