import Postgres

extension Projector {
    /// One pass over the log that stops at each of `stops` (ascending positions): the projections named
    /// in `only` are built in scratch schemas `replay_<label>_<name>` up to the stop, side by side, and
    /// `atStop` reads them there (schemas by projection name) before the pass goes on. The schemas are
    /// dropped at the end, whatever happened.
    ///
    /// Why: answering "as of the end of every past day" with one replay per day reads the log once per
    /// day; this reads it once. At the first stop the copies get their after-load indexes, and at each
    /// stop fresh planner statistics, so what `atStop` runs is planned on the tables as they are.
    public func replay(stoppingAt stops: [Int64], label: String, only names: Set<String>,
                       atStop: @Sendable ([String: String], Int64) async throws -> Void) async throws {
        let chosen = projections.filter { names.contains($0.name) }
        let schemas = Dictionary(uniqueKeysWithValues: chosen.map { ($0.name, "replay_\(label)_\($0.name)") })
        do {
            for projection in chosen { try await createSchema(schemas[projection.name]!, for: projection) }
            var done: Int64 = 0
            var indexed = false
            for stop in stops.sorted() where stop > done {
                let start = done
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for projection in chosen {
                        group.addTask {
                            var position = start
                            while position < stop {
                                let next = min(position + self.rebuildBatchSize, stop)
                                try await self.applyShadow(projection, schema: schemas[projection.name]!, from: position, to: next)
                                position = next
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                done = stop
                for projection in chosen {
                    if indexed { try await analyze(schemas[projection.name]!) } else { try await finishBulkLoad(schemas[projection.name]!, for: projection) }
                }
                indexed = true
                try await atStop(schemas, stop)
            }
            try await dropReplay(label: label)
        } catch {
            try? await dropReplay(label: label)
            throw error
        }
    }

    private func analyze(_ schema: String) async throws {
        try await pool.withConnection { connection in
            try await connection.withTransaction { connection in
                _ = try await connection.query("SELECT set_config('search_path', $1, true)", [.text("\(SQLIdentifier.quote(schema)), public")])
                try await Self.analyzeCurrentSchema(connection)
            }
        }
    }
}
