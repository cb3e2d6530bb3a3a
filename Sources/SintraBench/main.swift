// The event log's side of ops/bench. Each mode prints one line "RESULT <name> <value>"
// that ops/bench reads and sets beside the raw PostgreSQL figure measured in the same run.
//
//   sintra-bench append --writers N --seconds S   single-event appends, N concurrent writers
//   sintra-bench batch  --size B --writers N --seconds S   B-event appends, N concurrent writers
//   sintra-bench load   --events N [--ronda R]    fills the log (4 writers × 1,000-event appends)
//   sintra-bench read                             streams the whole log; events/s and peak memory
//   sintra-bench replicate --events N             grows a demo log to N events with copies of its streams (Replicate.swift)
//   sintra-bench indicators --root DIR [--rondas R]   the 15 fichas × 2019–2024 in process: computed, and looked up once kept
//                                                 (DATABASE_URL as the projector's role; IndicatorsBench.swift)
import Definitions
import EventLog
import Foundation
import Postgres

let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: Int) -> Int {
    guard let index = arguments.firstIndex(of: "--" + name), index + 1 < arguments.count, let value = Int(arguments[index + 1]) else {
        return fallback
    }
    return value
}
guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], arguments.count > 1 else {
    FileHandle.standardError.write(Data("uso: DATABASE_URL=… sintra-bench append|batch|load|read|replicate|indicators [opciones]\n".utf8))
    exit(2)
}

let metadata = EventMetadata(userId: "bench", institutionId: "BENCH", client: "sintra-bench")
let payload = #"{"tipo":"AtencionMedica","clasificacion":"asistencia","institucion":"FGR","duracionMinutos":45,"descripcion":"Atención médica de seguimiento"}"#
let occurred = Timestamp.now()

func events(_ count: Int) -> [NewEvent] {
    Array(repeating: NewEvent(eventType: EventType.atencionOtorgada.rawValue, payload: payload, occurredAt: occurred), count: count)
}

/// Runs `writers` loops for `seconds`, each appending `size`-event requests to its own stream.
func appendLoop(writers: Int, size: Int, seconds: Int, streamPrefix: String) async throws -> Double {
    let store = EventStore(pool: ConnectionPool(connectionString: url, maxConnections: 4))
    let deadline = ContinuousClock.now + .seconds(seconds)
    let started = ContinuousClock.now
    let total = try await withThrowingTaskGroup(of: Int.self) { group in
        for writer in 0..<writers {
            group.addTask {
                var written = 0
                let stream = "\(streamPrefix)-\(writer)-\(UUID().uuidString.prefix(8))"
                while ContinuousClock.now < deadline {
                    _ = try await store.append(AppendRequest(streamId: stream, streamType: "Bench", expectedVersion: .any,
                                                             events: events(size), metadata: metadata))
                    written += size
                }
                return written
            }
        }
        return try await group.reduce(0, +)
    }
    let elapsed = ContinuousClock.now - started
    await store.close()
    return Double(total) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

switch arguments[1] {
case "append":
    let writers = option("writers", 1)
    let rate = try await appendLoop(writers: writers, size: 1, seconds: option("seconds", 10), streamPrefix: "bench")
    print("RESULT append_\(writers) \(Int(rate))")
case "batch":
    let size = option("size", 100)
    let writers = option("writers", 1)
    let rate = try await appendLoop(writers: writers, size: size, seconds: option("seconds", 10), streamPrefix: "lote")
    print("RESULT batch_\(size)_\(writers) \(Int(rate))")
case "load":
    // Exactly `--events` events in appends of up to 1,000, four writers; `--ronda R` names the streams of
    // a second load into the same log (ops/drill-backup writes twice).
    let target = option("events", 1_000_000), batchRound = option("ronda", 0)
    let store = EventStore(pool: ConnectionPool(connectionString: url, maxConnections: 4))
    let appends = (target + 999) / 1_000
    try await withThrowingTaskGroup(of: Void.self) { group in
        for writer in 0..<4 {
            group.addTask {
                for index in stride(from: writer, to: appends, by: 4) {
                    let stream = batchRound == 0 ? "carga-\(writer)-\(index / 4)" : "carga-r\(batchRound)-\(index)"
                    _ = try await store.append(AppendRequest(streamId: stream, streamType: "Bench", expectedVersion: .noStream,
                                                             events: events(min(1_000, target - index * 1_000)), metadata: metadata))
                }
            }
        }
        try await group.waitForAll()
    }
    print("RESULT loaded \(target)")
case "read":
    let store = EventStore(pool: ConnectionPool(connectionString: url, maxConnections: 1))
    let started = ContinuousClock.now
    var count = 0
    var checksum: Int64 = 0
    try await store.readAll(batchSize: option("batch", 1_000)) { batch in
        count += batch.count
        for event in batch { checksum &+= event.position &+ Int64(event.payload.utf8.count) }
    }
    let elapsed = ContinuousClock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    print("RESULT read_events \(count)")
    print("RESULT read_rate \(Int(Double(count) / seconds))")
    print("RESULT read_peak_mb \(usage.ru_maxrss / 1024)")
    print("RESULT read_checksum \(checksum)")
case "replicate":
    let store = EventStore(pool: ConnectionPool(connectionString: url, maxConnections: 2))
    let replicator = Replicator(store: store, writers: option("writers", 32))
    let started = ContinuousClock.now
    let streams = try await replicator.readStreams()
    let existing = streams.reduce(0) { $0 + $1.count }
    guard existing > 0 else { throw BenchError(message: "el registro está vacío: ejecute antes `sintra demo`") }
    let appended = try await replicator.replicate(streams, existing: existing, target: option("events", 1_000_000))
    let elapsed = ContinuousClock.now - started
    await store.close()
    print("RESULT demo_events \(existing)")
    print("RESULT demo_streams \(streams.count)")
    print("RESULT replicated_events \(appended)")
    print("RESULT replicate_seconds \(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)")
case "indicators":
    guard let index = arguments.firstIndex(of: "--root"), index + 1 < arguments.count else { throw BenchError(message: "falta --root") }
    try await IndicatorsBench(url: url, root: URL(fileURLWithPath: arguments[index + 1]), rounds: option("rondas", 5)).run()
default:
    FileHandle.standardError.write(Data("modo desconocido: \(arguments[1])\n".utf8))
    exit(2)
}
