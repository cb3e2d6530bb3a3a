import Postgres

/// What `verifyChain` proved: the log's size and the hash of its last event.
public struct VerifiedLog: Sendable, Equatable {
    public let count: Int64
    public let position: Int64
    public let hash: [UInt8]
}

extension EventStore {
    /// Streams the whole log through a `ChainVerifier`, in one snapshot with `log_head`, and
    /// checks that the head names the last event: events inserted behind `append_events`'s
    /// back (past the head) and events missing at the end are both reported.
    /// `onProgress(verified, total)` is called after each batch.
    public func verifyChain(checkpoints: [Checkpoint] = [], batchSize: Int = 1_000,
                            onProgress: @Sendable (Int64, Int64) -> Void = { _, _ in }) async throws -> VerifiedLog {
        try await pool.withConnection { connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            guard let head = try await connection.query(LogHead.query).first else {
                throw EventLogError.database(.init("falta la fila log_head: ¿se aplicaron las migraciones?"))
            }
            let total = try head.decode(Int64.self, 0)
            let headPosition = try head.decode(Int64.self, 1)
            let headHash = try head.decode([UInt8].self, 2)
            var verifier = ChainVerifier(checkpoints: checkpoints)
            let events = connection.stream(RecordedEvent.select("ORDER BY position"), batchSize: batchSize)
            for try await rows in events.batches {
                for row in rows { try verifier.check(try RecordedEvent(row: row)) }
                onProgress(verifier.verified, total)
            }
            try await connection.query("COMMIT")
            let last = verifier.nextPosition - 1
            if last > headPosition {
                throw VerificationFailure(position: headPosition + 1,
                    problem: "hay eventos después de la cabeza del registro (\(headPosition)): se escribieron sin pasar por append_events")
            }
            if last < headPosition {
                throw VerificationFailure(position: last + 1,
                    problem: "la cabeza del registro dice \(headPosition) pero el último evento es el \(last): faltan eventos al final")
            }
            if last > 0 && verifier.previousHash != headHash {
                throw VerificationFailure(position: last, problem: "el hash de la cabeza del registro no es el del último evento")
            }
            try verifier.finish()
            return VerifiedLog(count: verifier.verified, position: last, hash: verifier.previousHash)
        }
    }
}
