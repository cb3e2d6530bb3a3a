import CanonicalJSON
import Postgres

/// The only writer of the log in this process.
///
/// Appends are serialised by the database lock on `log_head`, which is held until commit,
/// so one append per commit would cap throughput at one fsync per event whatever the number
/// of callers. Instead, requests that arrive while a commit is in flight wait here and go
/// to the database together, as one call of `append_events` — one transaction, one fsync —
/// while each caller still receives its own result or conflict (group commit).
actor GroupCommitWriter {
    private typealias Entry = (PreparedAppend, CheckedContinuation<AppendResult, any Error>)
    private let pool: ConnectionPool
    private var pending: [Entry] = []
    private var inFlight = 0
    /// Two calls in flight: while one holds the log's lock (inserting, then waiting for its
    /// commit to reach disk), the next is already sent and the server parses its payloads on
    /// the other core; it takes the lock as soon as the first commits.
    private let maxInFlight: Int
    /// Upper bounds per transaction, to keep each commit's size reasonable (and every array
    /// parameter far below PostgreSQL's 1 GB limit on one value).
    private let maxEventsPerCommit = 5_000
    private let maxBytesPerCommit = AppendLimits.maxBytesPerAppend

    init(pool: ConnectionPool, maxInFlight: Int = 2) {
        self.pool = pool
        self.maxInFlight = max(1, maxInFlight)
    }

    func close() async { await pool.close() }

    func submit(_ append: PreparedAppend) async throws -> AppendResult {
        // Nothing waiting and a call free: the caller sends its own request from its own task. A
        // lone writer then crosses no task of ours on its way to the database and back (profiled
        // with `perf`: each hand-over between threads costs about as much as the insert itself).
        if pending.isEmpty && inFlight < maxInFlight {
            inFlight += 1
            let outcome = await outcomes([append])[0]
            inFlight -= 1
            startCommits()
            return try outcome.get()
        }
        return try await withCheckedThrowingContinuation { continuation in
            pending.append((append, continuation))
            startCommits()
        }
    }

    /// Sends what waits, in groups, while fewer than `maxInFlight` calls are out; the callers of a
    /// group are resumed with their own outcomes.
    private func startCommits() {
        while inFlight < maxInFlight && !pending.isEmpty {
            var batch: [Entry] = []
            var events = 0
            var bytes = 0
            while let next = pending.first, batch.isEmpty
                    || (events + next.0.events.count <= maxEventsPerCommit && bytes + next.0.payloadBytes <= maxBytesPerCommit) {
                batch.append(pending.removeFirst())
                events += next.0.events.count
                bytes += next.0.payloadBytes
            }
            inFlight += 1
            let taken = batch
            Task {
                let results = await outcomes(taken.map(\.0))
                for (entry, result) in zip(taken, results) { entry.1.resume(with: result) }
                inFlight -= 1
                startCommits()
            }
        }
    }

    /// Each request's outcome, from one call of `append_events` for the whole group.
    private func outcomes(_ batch: [PreparedAppend]) async -> [Result<AppendResult, any Error>] {
        do {
            return try await Self.call(pool, batch)
        } catch let error as PostgresError where batch.count > 1 && error.kind == .server {
            // The server rejected the group, so nothing of it was written; one request may be
            // the cause: retry each alone so only it fails. (Any other failure — a lost
            // connection, an unreadable answer after commit — leaves the outcome unknown, and
            // repeating it could write twice.)
            var results: [Result<AppendResult, any Error>] = []
            for append in batch { results.append(await outcomes([append])[0]) }
            return results
        } catch {
            return Array(repeating: .failure(EventLogError.database(.init(error))), count: batch.count)
        }
    }

    private static func call(_ pool: ConnectionPool, _ appends: [PreparedAppend]) async throws -> [Result<AppendResult, any Error>] {
        let headers = String(decoding: CanonicalJSON.serialize(.array(appends.map(\.header))), as: UTF8.self)
        let events = appends.flatMap(\.events)
        let rows = try await pool.query("""
            SELECT request, outcome, current_version, first_position, last_position
              FROM append_events($1::jsonb, $2, $3, $4, $5, $6, $7)
            """, [.text(headers),
                  .array(.text(events.map(\.eventType))), .array(.int32(events.map(\.schemaVersion))),
                  .array(.jsonb(events.map(\.payload))), .array(.jsonb(events.map(\.metadata))),
                  .array(.timestamp(events.map(\.occurredAt))), .array(.bytea(events.map(\.digest)))],
            // Sent from the caller's own task when it is alone (`submit`): its going away must not
            // cancel an append half-way.
            cancelledWithTask: false)
        var outcomes = [Result<AppendResult, any Error>](repeating: .failure(EventLogError.database(.init("sin resultado", outcomeUnknown: true))), count: appends.count)
        for row in rows {
            let index = try row.decode(Int.self, 0)
            let request = appends[index].request
            let current = try row.decode(Int64.self, 2)
            switch try row.decode(String.self, 1) {
            case "appended", "replayed":
                outcomes[index] = .success(AppendResult(
                    streamId: request.streamId,
                    firstPosition: try row.decode(Int64.self, 3), lastPosition: try row.decode(Int64.self, 4),
                    streamVersion: current, replayed: try row.decode(String.self, 1) == "replayed"))
            case "conflict":
                outcomes[index] = .failure(EventLogError.conflict(streamId: request.streamId, expected: request.expectedVersion, current: current))
            case "stream_type_mismatch":
                outcomes[index] = .failure(EventLogError.streamTypeMismatch(streamId: request.streamId, requested: request.streamType))
            default:
                outcomes[index] = .failure(EventLogError.idempotencyKeyReused(key: request.idempotencyKey ?? ""))
            }
        }
        return outcomes
    }
}
