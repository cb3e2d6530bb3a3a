import CanonicalJSON
import Cryptography
import Postgres

/// The fichas' variables as computed at one log position, kept in `indicadores_calculados`
/// (migration 0140), so the same figures at the same position are one indexed lookup instead of the
/// fichas' SQL over every case and attention again (issue 21: the 15 fichas × 6 years were 1.7 s of
/// SQL on 200 000 events, nine tenths of it in the four that count people and attentions).
///
/// What is kept is what each variable's query returned — value, positions, breakdown, reason — not
/// the figure: the `p/` flag depends on the day it is asked, and `IndicatorEngine.evaluate` decides
/// it from the kept variables exactly as from freshly computed ones.
///
/// A kept row is only ever read at the position it was computed at, over projections that stood
/// exactly there (both `hechos` and `expedientes`, or a replay's copies), so a lookup gives what the
/// fichas' SQL would give, value for value (`KeptIndicatorsTests`).
public struct KeptIndicators: Sendable {
    /// Raise when `IndicatorEngine` changes how it reads a variable's query.
    public static let engineVersion = 1
    /// The scripts of the projections the fichas read (`ProjectionDefinition.fingerprint`): part of
    /// every key, so figures kept before a projection changed are never read after.
    let projectionsFingerprint: String

    public init(projectionsFingerprint: String) { self.projectionsFingerprint = projectionsFingerprint }

    /// The key of a ficha's variables: its document, the engine's version and the projections' scripts.
    public func key(_ indicator: IndicatorDefinition) -> [UInt8] {
        let inputs: JSONValue = .object([
            .init(key: "motor", value: .number(Double(Self.engineVersion))),
            .init(key: "ficha", value: .string(indicator.document)),
            .init(key: "proyecciones", value: .string(projectionsFingerprint)),
        ])
        return SHA256.hash(CanonicalJSON.serialize(inputs))
    }

    /// One ficha's variables for one year, in the order of its `metodoDeCalculo.variables`.
    struct Slot: Hashable { let key: [UInt8]; let year: Int }

    /// Everything kept at `position` for these fichas and years, by slot; a slot is complete when it
    /// holds one measurement per variable of its ficha. Without `positions` the provenance lists stay in
    /// the table: what crosses the wire is then the same few hundred rows at any size of the log.
    func load(position: Int64, keys: [[UInt8]], years: [Int], positions: Bool, _ connection: PostgresConnection) async throws -> [Slot: [Measurement]] {
        guard !keys.isEmpty, !years.isEmpty else { return [:] }
        let rows = try await connection.query("""
            SELECT clave, anio, variable, valor, CASE WHEN $4 THEN coalesce(array_to_string(posiciones, ','), '') ELSE '' END,
                   preliminar, desglose::text, motivo
              FROM public.indicadores_calculados
             WHERE posicion = $1 AND clave = ANY($2) AND anio = ANY($3)
             ORDER BY clave, anio, orden
            """, [.int64(position), .array(.bytea(keys)), .array(.int32(years.map(Int32.init))), .bool(positions)])
        var found: [Slot: [Measurement]] = [:]
        for row in rows {
            let slot = Slot(key: try row.decode([UInt8].self, 0), year: Int(try row.decode(Int32.self, 1)))
            found[slot, default: []].append(try Measurement(key: try row.decode(String.self, 2), value: try row.decode(Double?.self, 3),
                                                            positions: try row.decode(String.self, 4), preliminary: try row.decode(Bool.self, 5),
                                                            breakdown: try row.decode(String?.self, 6), reason: try row.decode(String?.self, 7)))
        }
        return found
    }

    /// Keeps what was computed at `position`, in one transaction; a slot already kept stays as it was.
    /// `replacingEarlierToday`: the computation is over the live projections, so what was kept over them
    /// earlier the same UTC day (at a position of that day) is dropped: one position per day stays,
    /// the day's last, and the table grows by one computation a day however often the log goes still.
    func store(_ computed: [Slot: [Measurement]], position: Int64, replacingEarlierToday: Bool, pool: ConnectionPool) async throws {
        guard !computed.isEmpty else { return }
        try await pool.withConnection { connection in
            try await connection.withTransaction { connection in
                for (slot, measurements) in computed {
                    for (order, measurement) in measurements.enumerated() {
                        _ = try await connection.query("""
                            INSERT INTO public.indicadores_calculados (clave, posicion, anio, orden, variable, valor, posiciones, preliminar, desglose, motivo)
                            VALUES ($1, $2, $3, $4, $5, $6, string_to_array($7, ',')::bigint[], $8, $9::jsonb, $10)
                            ON CONFLICT DO NOTHING
                            """, [.bytea(slot.key), .int64(position), .int32(Int32(slot.year)), .int32(Int32(order)), .text(measurement.value.key),
                                  measurement.value.value.map(PostgresValue.double) ?? .null,
                                  .text(measurement.value.positions.map(String.init).joined(separator: ",")), .bool(measurement.value.preliminary),
                                  measurement.breakdownText.map(PostgresValue.text) ?? .null, measurement.reason.map(PostgresValue.text) ?? .null])
                    }
                }
                guard replacingEarlierToday else { return }
                _ = try await connection.query("""
                    DELETE FROM public.indicadores_calculados
                     WHERE clave = ANY($2) AND posicion < $1
                       AND posicion > (SELECT coalesce(max(position), 0) FROM public.events
                                        WHERE recorded_at < date_trunc('day', (SELECT recorded_at FROM public.events WHERE position = $1), 'America/Mexico_City'))
                    """, [.int64(position), .array(.bytea(Array(Set(computed.keys.map(\.key)))))])
            }
        }
    }
}

/// What one variable's query returned: the value as the result shows it, and the reason it gave for a
/// missing value (`motivo`), which only the substitution text uses.
struct Measurement: Sendable, Equatable {
    private(set) var value: IndicatorResult.VariableValue
    let reason: String?
    /// The breakdown as it came from PostgreSQL (jsonb as text), kept as it came.
    let breakdownText: String?

    /// From the columns a variable's query (or a kept row) gives, read the same way for both.
    init(key: String, name: String? = nil, value: Double?, positions: String, preliminary: Bool, breakdown: String?, reason: String?) throws {
        let parsed = breakdown.flatMap { try? CanonicalJSON.parse($0) }
        self.value = .init(key: key, name: name ?? key, value: value, positions: positions.split(separator: ",").compactMap { Int64($0) },
                           preliminary: preliminary, breakdown: parsed?.isNull == true ? nil : parsed)
        self.reason = reason
        self.breakdownText = breakdown
    }

    /// The same measurement under the name the ficha gives its variable (a kept row stores only the key).
    func named(_ name: String) -> Measurement {
        var copy = self
        copy.value = value.with(name: name)
        return copy
    }
}
