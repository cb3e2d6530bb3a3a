import Definitions
import EventLog
import Postgres
import Privacy
import Streams

/// Rewrites the name-token digests of every case from its general data as it stands now
/// (registration plus corrections), opened with the case's data key. For cases registered before
/// the name-token index existed, and after anything that might have left it behind (a restore).
///
/// Idempotent: each case's set is replaced whole (`DataKeyVault.setNameTokens`), so running it
/// twice leaves the same rows. Erased cases are skipped: their key is gone, and with it every
/// digest; nothing is ever written for them again.
public struct NameIndexRebuild: Sendable {
    let store: EventStore
    let vault: DataKeyVault

    /// `store` connects as the application role (it reads the log and calls `replace_name_tokens`).
    public init(store: EventStore, vault: DataKeyVault) {
        self.store = store
        self.vault = vault
    }

    public struct Outcome: Sendable, Equatable {
        /// Cases whose tokens were rewritten.
        public var indexed = 0
        /// Cases whose personal data was erased (or whose key is missing): nothing to index.
        public var withoutKey = 0

        public init(indexed: Int = 0, withoutKey: Int = 0) {
            self.indexed = indexed
            self.withoutKey = withoutKey
        }
    }

    /// Every case file registered so far, oldest first; `progress` is told after each one.
    public func run(progress: @Sendable (Outcome) -> Void = { _ in }) async throws -> Outcome {
        let subjects = try await store.pool.query("""
            SELECT stream_id FROM events WHERE event_type = $1 GROUP BY stream_id ORDER BY min(position)
            """, [.text(EventType.victimaRegistrada.rawValue)]).map { try $0.decode(String.self, 0) }
        var outcome = Outcome()
        for subject in subjects {
            guard let key = try await vault.key(subject: subject) else {
                outcome.withoutKey += 1
                continue
            }
            let history = try await StreamHistory.load(subject, from: store)
            let data = GeneralData.current(history, subject: subject, key: key)
            try await vault.setNameTokens(subject: subject, BlindIndex.nameTokenDigests(GeneralData.nameParts(data), keyring: vault.keyring))
            outcome.indexed += 1
            progress(outcome)
        }
        return outcome
    }
}
