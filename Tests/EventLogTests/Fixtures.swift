import EventLog
import Postgres
import TestDatabase

let caseworker = EventMetadata(userId: "usuario-1", institutionId: "FGR", client: "pruebas")

func event(_ type: String = "VictimaRegistrada", _ payload: String = #"{"sexo":"M","edad":31}"#) -> NewEvent {
    NewEvent(eventType: type, schemaVersion: 1, payload: payload, occurredAt: Timestamp(iso8601: "2024-03-01T10:00:00Z")!)
}

func request(_ stream: String, expected: ExpectedVersion = .any, events: [NewEvent] = [event()], key: String? = nil) -> AppendRequest {
    AppendRequest(streamId: stream, streamType: "Victima", expectedVersion: expected, events: events, metadata: caseworker, idempotencyKey: key)
}

/// Appends `count` single-event appends to `stream-i` streams, for tamper tests.
func seed(_ store: EventStore, count: Int) async throws {
    for index in 1...count {
        _ = try await store.append(request("victima-\(index % 3)", events: [event("AtencionOtorgada", #"{"n":\#(index),"tipo":"médica"}"#)]))
    }
}

func expectFailure(_ store: EventStore, at position: Int64, checkpoints: [Checkpoint] = []) async throws -> VerificationFailure? {
    do {
        _ = try await store.verifyChain(checkpoints: checkpoints)
        return nil
    } catch let failure as VerificationFailure {
        return failure
    }
}
