import EventLog
import Foundation
import Postgres

/// What `sintra projections status` shows for one projection.
public struct ProjectionStatus: Sendable, Equatable {
    public let name: String
    public let version: Int
    /// The version the definition on disk declares; different from `version` until a rebuild.
    public let definedVersion: Int
    public let position: Int64
    public let lag: Int64
    public let lastError: String?
    public let errorPosition: Int64?
}

/// A projection stopped at an event it could not apply: it names the event and never skips it.
public struct ProjectionFailure: Error, CustomStringConvertible, Sendable {
    public let projection: String
    public let position: Int64
    public let message: String
    public var description: String { "la proyección «\(projection)» se detuvo en la posición \(position): \(message)" }
}

/// Runs projections: catches them up from their checkpoints, rebuilds them in a shadow schema and
/// swaps atomically, and builds them as of a past position for `sintra replay`.
///
/// Connects as `sintra_proyector` (README "Database roles"): it reads the log and writes only read
/// models, in schemas the owner's functions create, rename and drop for it. Every change to a
/// projection's tables happens in one transaction with its checkpoint, under a per-projection
/// advisory lock, so a crash at any instant neither loses nor double-applies an event, and two
/// projectors never race.
public final class Projector: Sendable {
    public let pool: ConnectionPool
    public let projections: [ProjectionDefinition]
    /// Events per transaction while catching up.
    let batchSize: Int64
    /// Events per transaction while filling a fresh copy (rebuild, replay): nobody reads it and its
    /// checkpoint is only written at the swap, so larger batches only save per-batch overhead.
    let rebuildBatchSize: Int64

    public init(pool: ConnectionPool, projections: [ProjectionDefinition], batchSize: Int64 = 50_000, rebuildBatchSize: Int64? = nil) {
        self.pool = pool
        self.projections = projections
        self.batchSize = batchSize
        self.rebuildBatchSize = rebuildBatchSize ?? max(batchSize, 100_000)
    }

    public func projection(_ name: String) -> ProjectionDefinition? { projections.first { $0.name == name } }

    // MARK: - Catching up

    /// Brings every projection to the head: rebuilding first any that is new or whose version changed.
    public func start(progress: @escaping @Sendable (String, Int64, Int64) -> Void = { _, _, _ in }) async throws {
        for projection in projections {
            let state = try await storedState(projection.name)
            let exists = try await schemaExists(projection.liveSchema)
            if state == nil || state?.version != projection.version || !exists {
                try await rebuild(projection) { progress(projection.name, $0, $1) }
            }
            _ = try await catchUp(projection)
        }
    }

    /// Applies everything after the projection's checkpoint, up to `target` (default: the head).
    /// Returns the new checkpoint.
    @discardableResult
    public func catchUp(_ projection: ProjectionDefinition, through target: Int64? = nil) async throws -> Int64 {
        let head = try await headPosition()
        let end = min(target ?? head, head)
        guard var position = try await storedState(projection.name)?.position else {
            throw ProjectionFailure(projection: projection.name, position: 0, message: "no está construida: ejecute `sintra projections rebuild \(projection.name)`")
        }
        while position < end {
            let next = min(position + batchSize, end)
            try await applyLive(projection, from: position, to: next)
            position = next
        }
        return position
    }

    /// Catches every projection up, then again every `pollInterval`: under a heavy write load each
    /// round applies a large batch in one transaction per projection, instead of one per append.
    /// Returns when the task is cancelled.
    public func follow(pollInterval: Duration = .seconds(1)) async throws {
        while !Task.isCancelled {
            for projection in projections { try await catchUp(projection) }
            try? await Task.sleep(for: pollInterval)
        }
    }

    /// Read-your-writes: waits until `projection` has applied `position` (the position an append
    /// returned). A reader that is ahead of `follow` applies what is missing itself rather than wait
    /// for its next round; the projection's lock keeps the two from applying anything twice.
    public func waitUntil(_ projection: String, hasApplied position: Int64, timeout: Duration = .seconds(5)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        let definition = projections.first { $0.name == projection }
        while ContinuousClock.now < deadline {
            if let state = try await storedState(projection), state.position >= position { return true }
            // A projection that cannot apply an event stays behind: the caller answers that it is not ready.
            if let definition { _ = try? await catchUp(definition, through: position) }
            if let state = try await storedState(projection), state.position >= position { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    private func applyLive(_ projection: ProjectionDefinition, from: Int64, to: Int64) async throws {
        do {
            try await pool.withConnection { connection in
                try await connection.withTransaction { connection in
                    try await Self.lock(projection, connection)
                    // Re-read under the lock: another projector may have moved it meanwhile.
                    let rows = try await connection.query("SELECT position FROM projection_state WHERE name = $1", [.text(projection.name)])
                    guard let current = try rows.first?.decode(Int64.self, 0), current == from else { return }
                    try await Self.apply(projection, schema: projection.liveSchema, from: from, to: to, connection)
                    _ = try await connection.query("""
                        UPDATE projection_state SET position = $2, last_error = NULL, error_position = NULL, updated_at = now() WHERE name = $1
                        """, [.text(projection.name), .int64(to)])
                }
            }
        } catch let error as PostgresError {
            let failing = try await locateFailure(projection, from: from, to: to) ?? (from + 1)
            _ = try? await pool.query("""
                UPDATE projection_state SET last_error = $2, error_position = $3, updated_at = now() WHERE name = $1
                """, [.text(projection.name), .text(error.message), .int64(failing)])
            throw ProjectionFailure(projection: projection.name, position: failing, message: error.message)
        }
    }

    /// Which event of a failed range fails on its own: each is applied alone to the live schema in a
    /// transaction that is always rolled back, so the probe never changes anything.
    private func locateFailure(_ projection: ProjectionDefinition, from: Int64, to: Int64) async throws -> Int64? {
        try await pool.withConnection { connection in
            var position = from
            while position < to {
                do {
                    try await connection.withTransaction { connection in
                        try await Self.apply(projection, schema: projection.liveSchema, from: position, to: position + 1, connection)
                        throw CancellationError()  // Never keep what this probe wrote.
                    }
                } catch is CancellationError {
                    position += 1
                    continue
                } catch {
                    return position + 1
                }
            }
            return nil
        }
    }

    static func lock(_ projection: ProjectionDefinition, _ connection: PostgresConnection) async throws {
        _ = try await connection.query("SELECT pg_advisory_xact_lock(hashtext('sintra.proyeccion.' || $1))", [.text(projection.name)])
    }

    /// Runs `apply.sql` for (from, to] against `schema`, inside the caller's transaction.
    static func apply(_ projection: ProjectionDefinition, schema: String, from: Int64, to: Int64, _ connection: PostgresConnection) async throws {
        _ = try await connection.query("""
            SELECT set_config('search_path', $1, true), set_config('sintra.desde', $2, true), set_config('sintra.hasta', $3, true)
            """, [.text("\(SQLIdentifier.quote(schema)), public"), .text(String(from)), .text(String(to))])
        try await connection.execute(projection.applyScript)
    }

    // MARK: - Rebuilding

    /// Builds a fresh copy in a shadow schema from position 0 while the live copy keeps serving,
    /// catches it up to the head, then swaps the two in one transaction.
    public func rebuild(_ projection: ProjectionDefinition, progress: @escaping @Sendable (Int64, Int64) -> Void = { _, _ in }) async throws {
        let shadow = projection.shadowSchema
        try await createSchema(shadow, for: projection)
        var position: Int64 = 0
        var head = try await headPosition()
        while position < head {
            let next = min(position + rebuildBatchSize, head)
            try await applyShadow(projection, schema: shadow, from: position, to: next)
            position = next
            progress(position, head)
            if position == head { head = try await headPosition() }  // Appends went on meanwhile.
        }
        try await finishBulkLoad(shadow, for: projection)
        try await pool.withConnection { connection in
            try await connection.withTransaction { connection in
                try await Self.lock(projection, connection)
                let last = try await connection.query(LogHead.positionQuery).first?.decode(Int64.self, 0) ?? position
                if last > position { try await Self.apply(projection, schema: shadow, from: position, to: last, connection) }
                // Renaming and dropping schemas is the owner's; the function does only this swap (migration 0013).
                _ = try await connection.query("SELECT swap_projection_schemas($1, $2)", [.text(projection.liveSchema), .text(shadow)])
                _ = try await connection.query("""
                    INSERT INTO projection_state (name, version, schema_name, position) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (name) DO UPDATE SET version = $2, schema_name = $3, position = $4,
                        last_error = NULL, error_position = NULL, updated_at = now()
                    """, [.text(projection.name), .int32(Int32(projection.version)), .text(projection.liveSchema), .int64(max(last, position))])
            }
        }
    }

    /// One batch into a copy nobody reads yet. Its commit does not wait for the disk: a crash before
    /// the copy is finished throws it away (a rebuild starts again from position 0), and the commit of
    /// `finishBulkLoad`, which waits, makes every batch before it durable too (the WAL is one sequence).
    func applyShadow(_ projection: ProjectionDefinition, schema: String, from: Int64, to: Int64) async throws {
        do {
            try await pool.withConnection { connection in
                try await connection.withTransaction { connection in
                    _ = try await connection.query("SELECT set_config('synchronous_commit', 'off', true)")
                    try await Self.apply(projection, schema: schema, from: from, to: to, connection)
                }
            }
        } catch let error as PostgresError {
            throw ProjectionFailure(projection: projection.name, position: from + 1, message: "\(error.message) (entre las posiciones \(from + 1) y \(to))")
        }
    }

    /// A new, empty schema with the projection's tables (owned by the projector's role), readable by
    /// the application role. Only the part of `schema.sql` above its after-load marker:
    /// `finishBulkLoad` runs the rest.
    func createSchema(_ schema: String, for projection: ProjectionDefinition) async throws {
        let quoted = SQLIdentifier.quote(schema)
        try await pool.withConnection { connection in
            try await connection.withTransaction { connection in
                // The projector may not create schemas (migration 0013): the owner's function does, for projection names only.
                _ = try await connection.query("SELECT create_projection_schema($1)", [.text(schema)])
                _ = try await connection.query("SELECT set_config('search_path', $1, true)", [.text("\(quoted), public")])
                try await connection.execute(projection.schemaParts.tables)
                // The schema's USAGE the function granted; the tables are the projector's to grant.
                try await connection.execute(SQLScript("GRANT SELECT ON ALL TABLES IN SCHEMA \(quoted) TO sintra_app", origin: "grants \(schema)"))
            }
        }
    }

    /// After a fresh copy has been filled from position 0: builds what `schema.sql` declares below
    /// its after-load marker (indexes, primary keys the log already guarantees), then gathers the
    /// planner's statistics, so the first queries after the swap are planned on real numbers. Its
    /// commit waits for the disk (the default), and with it every batch committed before.
    ///
    /// Why: maintaining B-trees row by row while a million rows arrive made the inserts two to three
    /// times slower, more than sorting the keys once at the end costs (in parallel, too); a key that
    /// only restates the log's own uniqueness (position; stream and version) cannot fail meanwhile.
    func finishBulkLoad(_ schema: String, for projection: ProjectionDefinition) async throws {
        do {
            try await pool.withConnection { connection in
                try await connection.withTransaction { connection in
                    _ = try await connection.query("SELECT set_config('search_path', $1, true)", [.text("\(SQLIdentifier.quote(schema)), public")])
                    if let afterLoad = projection.schemaParts.afterLoad { try await connection.execute(afterLoad) }
                    try await Self.analyzeCurrentSchema(connection)
                }
            }
        } catch let error as PostgresError {
            throw ProjectionFailure(projection: projection.name, position: 0, message: "\(error.message) (al terminar la carga de \(schema))")
        }
    }

    /// Gathers the planner's statistics for every table of the schema first on the search path.
    static func analyzeCurrentSchema(_ connection: PostgresConnection) async throws {
        try await connection.execute(SQLScript("""
            DO $$
            DECLARE t regclass;
            BEGIN
                FOR t IN SELECT c.oid FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' LOOP
                    EXECUTE format('ANALYZE %s', t);
                END LOOP;
            END $$;
            """, origin: "analyze"))
    }

    // MARK: - As of a past position

    /// Builds every projection as it stood at `position` into scratch schemas `replay_<label>_<name>`.
    /// Returns the schema of each projection.
    /// `only` limits it to the projections a reader needs (the indicators read `hechos` and
    /// `expedientes` only); they are built side by side, each in its own schema.
    public func replay(until position: Int64, label: String, only names: Set<String>? = nil,
                       progress: @escaping @Sendable (String, Int64, Int64) -> Void = { _, _, _ in }) async throws -> [String: String] {
        let chosen = projections.filter { names?.contains($0.name) ?? true }
        return try await withThrowingTaskGroup(of: (String, String).self) { group in
            for projection in chosen {
                group.addTask {
                    let schema = "replay_\(label)_\(projection.name)"
                    try await self.createSchema(schema, for: projection)
                    var done: Int64 = 0
                    while done < position {
                        let next = min(done + self.rebuildBatchSize, position)
                        try await self.applyShadow(projection, schema: schema, from: done, to: next)
                        done = next
                        progress(projection.name, done, position)
                    }
                    try await self.finishBulkLoad(schema, for: projection)
                    return (projection.name, schema)
                }
            }
            var schemas: [String: String] = [:]
            for try await (name, schema) in group { schemas[name] = schema }
            return schemas
        }
    }

    /// Runs `body` on the projections as they stood at `position` (their scratch schemas, by
    /// projection name) and always drops the schemas afterwards, whether `body` or the replay
    /// itself failed. `label` must be unique per call: two readers of the same position must not
    /// share scratch schemas. The one way the as-of readers (indicators, published statistics) replay.
    public func withReplay<T: Sendable>(until position: Int64, label: String, only names: Set<String>? = nil,
                                        _ body: @Sendable ([String: String]) async throws -> T) async throws -> T {
        do {
            let schemas = try await replay(until: position, label: label, only: names)
            let value = try await body(schemas)
            try await dropReplay(label: label)
            return value
        } catch {
            try? await dropReplay(label: label)
            throw error
        }
    }

    public func dropReplay(label: String) async throws {
        for projection in projections {
            try await pool.withConnection { connection in
                _ = try await connection.query("SELECT drop_projection_schema($1)", [.text("replay_\(label)_\(projection.name)")])
            }
        }
    }

    /// The last position recorded at or before `timestamp` (for `--until` a date).
    public func position(recordedAtOrBefore timestamp: Timestamp) async throws -> Int64 {
        let rows = try await pool.query("SELECT coalesce(max(position), 0) FROM events WHERE recorded_at <= $1", [.timestamp(timestamp)])
        return try rows.first?.decode(Int64.self, 0) ?? 0
    }

    // MARK: - Status

    public func status() async throws -> [ProjectionStatus] {
        let head = try await headPosition()
        var result: [ProjectionStatus] = []
        for projection in projections {
            let state = try await storedState(projection.name)
            result.append(ProjectionStatus(
                name: projection.name, version: state?.version ?? 0, definedVersion: projection.version,
                position: state?.position ?? 0, lag: head - (state?.position ?? 0),
                lastError: state?.lastError, errorPosition: state?.errorPosition))
        }
        return result
    }

    struct StoredState { let version: Int; let position: Int64; let lastError: String?; let errorPosition: Int64? }

    func storedState(_ name: String) async throws -> StoredState? {
        let rows = try await pool.query("SELECT version, position, last_error, error_position FROM projection_state WHERE name = $1", [.text(name)])
        guard let row = rows.first else { return nil }
        return StoredState(version: try row.decode(Int.self, 0), position: try row.decode(Int64.self, 1),
                           lastError: try row.decode(String?.self, 2), errorPosition: try row.decode(Int64?.self, 3))
    }

    func headPosition() async throws -> Int64 {
        try await pool.query(LogHead.positionQuery).first?.decode(Int64.self, 0) ?? 0
    }

    func schemaExists(_ schema: String) async throws -> Bool {
        !(try await pool.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [.text(schema)])).isEmpty
    }
}

extension ProjectionDefinition {
    /// The line of `schema.sql` below which statements run only once a fresh copy is filled.
    static let afterLoadMarker = "-- sintra: after bulk load"

    /// `schema.sql` split at its after-load marker: the tables (with whatever `apply.sql` needs while
    /// loading, such as the keys of its upserts), then what can wait for the data.
    var schemaParts: (tables: SQLScript, afterLoad: SQLScript?) {
        let text = schemaScript.text
        guard let marker = text.range(of: "\n" + Self.afterLoadMarker + "\n") else { return (schemaScript, nil) }
        return (SQLScript(String(text[..<marker.lowerBound]), origin: schemaScript.origin),
                SQLScript(String(text[marker.upperBound...]), origin: schemaScript.origin + " (tras la carga)"))
    }
}
