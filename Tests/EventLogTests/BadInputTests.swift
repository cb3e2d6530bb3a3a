import EventLog
import Postgres
import Testing
import TestDatabase

@Suite(.needsDatabase) struct BadInputTests {
    func problems(_ store: EventStore, _ request: AppendRequest) async -> [InputProblem] {
        do {
            _ = try await store.append(request)
            return []
        } catch {
            if case .invalidInput(let problems) = error { return problems }
            return [InputProblem(path: "?", message: "\(error)")]
        }
    }

    @Test func everyBadInputIsRejectedWithItsPathAndNothingIsWritten() async throws {
        let store = try await TestDatabase.migrated().store()
        let cases: [(AppendRequest, [String])] = [
            (request("victima-1", events: []), ["events"]),
            (request("victima-1", events: [event("VictimaRegistrada", "[1,2]")]), ["events[0].payload"]),
            (request("victima-1", events: [event("VictimaRegistrada", #""texto""#)]), ["events[0].payload"]),
            (request("victima-1", events: [event("VictimaRegistrada", #"{"a":1,"a":2}"#)]), ["events[0].payload/a"]),
            (request("victima-1", events: [event("VictimaRegistrada", #"{"a":"#)]), ["events[0].payload/a"]),
            (request("victima-1", events: [event("VictimaRegistrada", #"{"a":""# + String(repeating: "x", count: 1 << 20) + #""}"#)]), ["events[0].payload"]),
            (request("Victima 1", events: [event()]), ["streamId"]),
            (request("victima-", events: [event()]), ["streamId"]),
            (request("victima-1", events: [event("victima registrada")]), ["events[0].eventType"]),
            (request("victima-1", events: [event()], key: "con espacio"), ["idempotencyKey"]),
            (request("victima-1", events: [NewEvent(eventType: "VictimaRegistrada", payload: "{}",
                                                    occurredAt: Timestamp(microsecondsSinceUnixEpoch: .min))]), ["events[0].occurredAt"]),
            // Several problems at once are all reported.
            (request("MAL", events: [event("x"), event("VictimaRegistrada", "[]")]), ["streamId", "events[0].eventType", "events[1].payload"]),
        ]
        for (request, paths) in cases {
            let found = await problems(store, request)
            #expect(found.map(\.path) == paths, "\(request.streamId) \(request.events.map(\.eventType))")
            #expect(found.allSatisfy { !$0.message.isEmpty })
        }
        var anonymous = request("victima-1")
        anonymous.metadata = EventMetadata(userId: "", institutionId: " ")
        #expect(await problems(store, anonymous).map(\.path) == ["metadata.userId", "metadata.institutionId"])
        #expect(throws: EventLogError.self) { try ExpectedVersion(parsing: "latest") }
        #expect(throws: EventLogError.self) { try ExpectedVersion(parsing: "-1") }
        #expect(try ExpectedVersion(parsing: "no-stream") == .noStream)
        #expect(try ExpectedVersion(parsing: "7") == .exactly(7))
        #expect(try await store.head().count == 0)
    }

    @Test func aPayloadOfExactlyOneMebibyteIsAccepted() async throws {
        let store = try await TestDatabase.migrated().store()
        let filler = String(repeating: "x", count: (1 << 20) - #"{"a":""}"#.utf8.count)
        _ = try await store.append(request("victima-1", events: [event("VictimaRegistrada", #"{"a":""# + filler + #""}"#)]))
        #expect(try await store.verifyChain().count == 1)
    }
}
