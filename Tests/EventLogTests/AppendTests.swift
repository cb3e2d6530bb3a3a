import EventLog
import Postgres
import Testing
import TestDatabase

@Suite(.needsDatabase) struct AppendTests {
    @Test func appendsAndReadsAStream() async throws {
        let store = try await TestDatabase.migrated().store()
        let first = try await store.append(request("victima-1", expected: .noStream, events: [event(), event("AtencionOtorgada")]))
        #expect(first == AppendResult(streamId: "victima-1", firstPosition: 1, lastPosition: 2, streamVersion: 2, replayed: false))
        let second = try await store.append(request("victima-1", expected: .exactly(2), events: [event("AtencionOtorgada", #"{"z":1,"a":"é"}"#)]))
        #expect(second.lastPosition == 3 && second.streamVersion == 3)

        let forward = try await store.readStream("victima-1")
        #expect(forward.map(\.version) == [1, 2, 3])
        #expect(forward.map(\.eventType) == ["VictimaRegistrada", "AtencionOtorgada", "AtencionOtorgada"])
        #expect(forward[0].occurredAt == Timestamp(iso8601: "2024-03-01T10:00:00Z"))
        #expect(forward[1].previousHash == forward[0].hash)
        #expect(forward[2].metadata.contains(#""institutionId": "FGR""#))
        let backward = try await store.readStream("victima-1", direction: .backward, limit: 2)
        #expect(backward.map(\.version) == [3, 2])
        let fromTwo = try await store.readStream("victima-1", from: 2, limit: 1)
        #expect(fromTwo.map(\.version) == [2])
        #expect(try await store.verifyChain().count == 3)
    }

    @Test func wrongExpectedVersionIsATypedConflict() async throws {
        let store = try await TestDatabase.migrated().store()
        _ = try await store.append(request("victima-1"))
        await #expect(throws: EventLogError.conflict(streamId: "victima-1", expected: .noStream, current: 1)) {
            try await store.append(request("victima-1", expected: .noStream))
        }
        await #expect(throws: EventLogError.conflict(streamId: "victima-1", expected: .exactly(5), current: 1)) {
            try await store.append(request("victima-1", expected: .exactly(5)))
        }
        #expect(try await store.head().count == 1)
    }

    @Test func sixteenWritersRaceForTheSameVersionAndExactlyOneWins() async throws {
        let store = try await TestDatabase.migrated().store()
        _ = try await store.append(request("victima-carrera"))
        let outcomes = await withTaskGroup(of: Result<AppendResult, EventLogError>.self) { group in
            for index in 0..<16 {
                group.addTask {
                    do {
                        return .success(try await store.append(request("victima-carrera", expected: .exactly(1),
                                                                       events: [event("AtencionOtorgada", #"{"escritor":\#(index)}"#)])))
                    } catch let error as EventLogError { return .failure(error) } catch { return .failure(.database(.init(error))) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let winners = outcomes.filter { if case .success = $0 { true } else { false } }
        #expect(winners.count == 1)
        for outcome in outcomes {
            if case .failure(let error) = outcome {
                #expect(error == .conflict(streamId: "victima-carrera", expected: .exactly(1), current: 2))
            }
        }
        let head = try await store.head()
        #expect(head.count == 2 && head.position == 2)
        #expect(try await store.verifyChain().count == 2)
    }

    @Test func idempotentRetryReturnsTheFirstResultAndWritesNothing() async throws {
        let store = try await TestDatabase.migrated().store()
        let first = try await store.append(request("victima-1", events: [event(), event()], key: "solicitud-42"))
        _ = try await store.append(request("victima-2"))
        let retry = try await store.append(request("victima-1", events: [event(), event()], key: "solicitud-42"))
        #expect(retry.replayed)
        #expect(retry.firstPosition == first.firstPosition && retry.lastPosition == first.lastPosition)
        #expect(retry.streamVersion == first.streamVersion)
        #expect(try await store.head().count == 3)
        // Even with an expected version that no longer holds, the retry answers as the first call did.
        let late = try await store.append(request("victima-1", expected: .noStream, events: [event(), event()], key: "solicitud-42"))
        #expect(late.replayed && late.lastPosition == 2)
        await #expect(throws: EventLogError.idempotencyKeyReused(key: "solicitud-42")) {
            try await store.append(request("victima-9", key: "solicitud-42"))
        }
        #expect(try await store.head().count == 3)
    }

    @Test func concurrentRetriesOfOneKeyWriteOnce() async throws {
        let store = try await TestDatabase.migrated().store()
        let results = try await withThrowingTaskGroup(of: AppendResult.self) { group in
            for _ in 0..<10 { group.addTask { try await store.append(request("victima-1", key: "misma-clave")) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(results.map(\.lastPosition)) == [1])
        #expect(results.filter { !$0.replayed }.count == 1)
        #expect(try await store.head().count == 1)
    }

    @Test func streamTypeMustMatch() async throws {
        let store = try await TestDatabase.migrated().store()
        _ = try await store.append(request("victima-1"))
        var other = request("victima-1")
        other.streamType = "Operativo"
        await #expect(throws: EventLogError.streamTypeMismatch(streamId: "victima-1", requested: "Operativo")) {
            try await store.append(other)
        }
    }
}
