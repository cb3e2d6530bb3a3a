import Postgres

/// What `sintra verify` found for one projection: its live copy against a copy rebuilt from
/// position 0 up to the same checkpoint.
public struct ProjectionComparison: Sendable, Equatable {
    public struct TableDifference: Sendable, Equatable {
        public let table: String
        /// Rows found only in the live copy (applied wrongly or never removed).
        public let onlyLive: Int64
        /// Rows found only in the rebuilt copy (missed by the live copy).
        public let onlyRebuilt: Int64
    }

    public let projection: String
    public let position: Int64
    public let tables: [TableDifference]

    public var matches: Bool { tables.allSatisfy { $0.onlyLive == 0 && $0.onlyRebuilt == 0 } }
}

extension Projector {
    /// Rebuilds `projection` into a scratch schema up to the live checkpoint and compares the two
    /// table by table (SQL function `projection_differences`, migration 0008).
    ///
    /// The comparison runs under the projection's advisory lock, so the live copy cannot move
    /// while it is read; if it moved during the rebuild, the scratch copy first catches up to it
    /// in that same transaction. The live copy is never written. The scratch schema is dropped.
    public func verify(_ projection: ProjectionDefinition,
                       progress: @escaping @Sendable (Int64, Int64) -> Void = { _, _ in }) async throws -> ProjectionComparison {
        guard let start = try await storedState(projection.name)?.position else {
            throw ProjectionFailure(projection: projection.name, position: 0,
                                    message: "no está construida: ejecute `sintra projections rebuild \(projection.name)`")
        }
        let scratch = "verificacion_\(projection.name)"
        try await createSchema(scratch, for: projection)
        do {
            var done: Int64 = 0
            while done < start {
                let next = min(done + batchSize, start)
                try await pool.withConnection { connection in
                    try await connection.withTransaction { try await Self.apply(projection, schema: scratch, from: done, to: next, $0) }
                }
                done = next
                progress(done, start)
            }
            try await finishBulkLoad(scratch, for: projection)
            let comparison = try await pool.withConnection { connection in
                try await connection.withTransaction { connection in
                    try await Self.lock(projection, connection)
                    let rows = try await connection.query("SELECT position FROM projection_state WHERE name = $1", [.text(projection.name)])
                    let live = try rows.first?.decode(Int64.self, 0) ?? done
                    if live > done { try await Self.apply(projection, schema: scratch, from: done, to: live, connection) }
                    let differences = try await connection.query(
                        "SELECT table_name, only_live, only_rebuilt FROM projection_differences($1, $2)",
                        [.text(projection.liveSchema), .text(scratch)])
                    return ProjectionComparison(
                        projection: projection.name, position: live,
                        tables: try differences.map { row in
                            ProjectionComparison.TableDifference(table: try row.decode(String.self, 0), onlyLive: try row.decode(Int64.self, 1),
                                                                 onlyRebuilt: try row.decode(Int64.self, 2))
                        })
                }
            }
            try await dropSchema(scratch)
            return comparison
        } catch {
            try? await dropSchema(scratch)
            throw error
        }
    }

    func dropSchema(_ schema: String) async throws {
        try await pool.withConnection { connection in
            _ = try await connection.query("SELECT drop_projection_schema($1)", [.text(schema)])
        }
    }
}
