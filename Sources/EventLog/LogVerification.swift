import Postgres

extension EventStore {
    /// Streams the whole log through a `ChainVerifier` and checks `log_head` agrees with the last event.
    /// `onProgress(verified, total)` is called after each batch.
    public func verifyChain(checkpoints: [Checkpoint] = [], batchSize: Int = 1_000,
                            onProgress: @Sendable (Int64, Int64) -> Void = { _, _ in }) async throws -> Int64 {
        let head = try await self.head()
        var verifier = ChainVerifier(checkpoints: checkpoints)
        try await readAll(through: head.position, batchSize: batchSize) { events in
            for event in events { try verifier.check(event) }
            onProgress(verifier.verified, head.count)
        }
        if verifier.nextPosition - 1 < head.position {
            throw VerificationFailure(position: verifier.nextPosition,
                problem: "la cabeza del registro dice \(head.position) pero el último evento es el \(verifier.nextPosition - 1): faltan eventos al final")
        }
        if head.position > 0 && verifier.previousHash != head.hash {
            throw VerificationFailure(position: head.position, problem: "el hash de la cabeza del registro no es el del último evento")
        }
        try verifier.finish()
        return verifier.verified
    }
}
