import EventLog
import Foundation
import Postgres

/// Grows a log written by `sintra demo` to a target size for the projections benchmark.
///
/// The demo writes through the full command path at about 1,600 commands/s, so a million events
/// straight from it would take ten minutes. Instead, every stream the demo wrote is appended
/// again, whole and in order, under a fresh id (`<id>-c<k>` for copy k), through the ordinary
/// `EventStore.append` path: positions stay gapless and the hash chain stays valid. Every string
/// in a payload that names a stream of the demo is pointed at that stream's copy, so links
/// between streams stay consistent inside each copy. Each run of consecutive events with the
/// same recording user and institution becomes one append (metadata belongs to an append), so
/// every event keeps its own institution; idempotency keys are dropped (they are per command).
/// Encrypted personal fields are copied as they are: nothing in the benchmark decrypts them.
struct Replicator {
    let store: EventStore
    let writers: Int

    struct Stream {
        let id: String
        let type: String
        /// Consecutive events with the same metadata, each run one append.
        let runs: [(metadata: EventMetadata, events: [NewEvent])]
        let count: Int
    }

    /// Reads the whole log (the demo) and groups it by stream, in order of each stream's first event.
    func readStreams() async throws -> [Stream] {
        var order: [String] = []
        var byStream: [String: (type: String, events: [RecordedEvent])] = [:]
        try await store.readAll(batchSize: 5_000) { batch in
            for event in batch {
                if byStream[event.streamId] == nil { order.append(event.streamId); byStream[event.streamId] = (event.streamType, []) }
                byStream[event.streamId]!.events.append(event)
            }
        }
        return try order.map { id in
            let (type, events) = byStream[id]!
            var runs: [(metadata: EventMetadata, events: [NewEvent])] = []
            var lastMetadata: String?
            for event in events {
                let new = NewEvent(eventType: event.eventType, schemaVersion: event.schemaVersion, payload: event.payload, occurredAt: event.occurredAt)
                // Split before the append limit too (a stream longer than it is several appends anyway).
                if event.metadata == lastMetadata, let last = runs.last, last.events.count < AppendLimits.maxEventsPerAppend {
                    runs[runs.count - 1].events.append(new)
                } else {
                    runs.append((try Self.metadata(event.metadata), [new]))
                    lastMetadata = event.metadata
                }
            }
            return Stream(id: id, type: type, runs: runs, count: events.count)
        }
    }

    static func metadata(_ json: String) throws -> EventMetadata {
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let user = object["userId"] as? String, let institution = object["institutionId"] as? String else {
            throw BenchError(message: "metadatos sin userId o institutionId: \(json.prefix(120))")
        }
        return EventMetadata(userId: user, institutionId: institution, correlationId: object["correlationId"] as? String,
                             causationId: object["causationId"] as? String, client: "sintra-bench/copia")
    }

    /// Appends copies 1, 2, … of `streams` until the log holds at least `target` events (whole
    /// streams: it may pass the target by part of one stream). Returns the events appended.
    func replicate(_ streams: [Stream], existing: Int, target: Int) async throws -> Int {
        let ids = Set(streams.map(\.id))
        var work: [(copy: Int, stream: Int)] = []
        var total = existing
        var copy = 1
        while total < target {
            for index in streams.indices where total < target {
                work.append((copy, index))
                total += streams[index].count
            }
            copy += 1
        }
        let plan = work
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var appended = 0
                    for item in stride(from: writer, to: plan.count, by: writers).map({ plan[$0] }) {
                        let stream = streams[item.stream]
                        let suffix = "-c\(item.copy)"
                        for (index, run) in stream.runs.enumerated() {
                            let events = run.events.map { event in
                                var copied = event
                                copied.payload = Self.pointReferences(event.payload, at: ids, suffix: suffix)
                                return copied
                            }
                            _ = try await store.append(AppendRequest(streamId: stream.id + suffix, streamType: stream.type,
                                                                     expectedVersion: index == 0 ? .noStream : .any,
                                                                     events: events, metadata: run.metadata))
                            appended += events.count
                        }
                    }
                    return appended
                }
            }
            return try await group.reduce(0, +)
        }
    }

    /// `json` with every string literal that is exactly one of `ids` followed by `suffix`.
    /// Stream ids contain no characters JSON escapes, so comparing the raw literal is exact.
    static func pointReferences(_ json: String, at ids: Set<String>, suffix: String) -> String {
        let bytes = Array(json.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 32)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            output.append(byte)
            index += 1
            guard byte == UInt8(ascii: "\"") else { continue }
            let start = index
            var escaped = false
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") || escaped {
                escaped = !escaped && bytes[index] == UInt8(ascii: "\\")
                index += 1
            }
            let literal = bytes[start..<index]
            output.append(contentsOf: literal)
            if !literal.contains(UInt8(ascii: "\\")), ids.contains(String(decoding: literal, as: UTF8.self)) {
                output.append(contentsOf: suffix.utf8)
            }
            if index < bytes.count { output.append(bytes[index]); index += 1 }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
