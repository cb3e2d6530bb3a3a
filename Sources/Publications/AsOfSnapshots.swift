import CanonicalJSON
import Catalog
import Cryptography
import Indicators
import Postgres
import Projections

/// Indicators as of a past position, kept once computed (table `indicadores_al_dia`, migration 0120).
///
/// An as-of answer rebuilds `hechos` and `expedientes` up to the position in scratch schemas: seconds
/// on a large log. But the log up to a position never changes, so the indicators over it, with the
/// same fichas, years and date, never do either: the first answer is kept, and every later request
/// for it (an auditor's second look, the Secretaría's page, a comparison) is one indexed lookup.
/// The projector's leader also computes each day's answer once the day is over (`AsOfPrecompute`),
/// so the usual question — "as of the end of a past day" — never waits for a replay.
///
/// The key is the SHA-256 of everything the answer depends on; `engineVersion` is part of it and is
/// raised whenever `IndicatorEngine` changes what it computes, and the projections' scripts are, so an
/// answer kept by an older release is never served by a newer one that would compute it differently.
public struct AsOfSnapshots: Sendable {
    /// Raise when the engine's computation or its JSON changes.
    public static let engineVersion = 1
    let pool: ConnectionPool

    /// `pool`: the projector's (it writes the table; the application role only reads the log).
    public init(pool: ConnectionPool) { self.pool = pool }

    /// The key of an as-of answer: position, date, years, the fichas asked for, every ficha's document and
    /// the scripts of the projections replayed for it.
    static func key(position: Int64, today: CalendarDate, years: [Int], only ids: Set<String>?, definitions: [IndicatorDefinition],
                    projections: [ProjectionDefinition]) -> [UInt8] {
        let inputs: JSONValue = .object([
            .init(key: "motor", value: .number(Double(engineVersion))),
            .init(key: "posicion", value: .number(Double(position))),
            .init(key: "fecha", value: .string(today.description)),
            .init(key: "anios", value: .array(years.map { .number(Double($0)) })),
            .init(key: "solo", value: ids.map { .array($0.sorted().map(JSONValue.string)) } ?? .null),
            .init(key: "fichas", value: .array(definitions.map { .string($0.document) })),
            .init(key: "proyecciones", value: .array(projections.map { .string($0.fingerprint) })),
        ])
        return SHA256.hash(CanonicalJSON.serialize(inputs))
    }

    func load(_ key: [UInt8]) async throws -> IndicatorsAsOf.Computation? {
        guard let text = try await pool.query("SELECT resultados::text FROM indicadores_al_dia WHERE clave = $1", [.bytea(key)])
            .first?.decode(String.self, 0),
              let document = try? CanonicalJSON.parse(text),
              let results = document["resultados"].flatMap(AnnexRenderer.results(from:)),
              let without = document["sinVersionRegistrada"]?.arrayValue else { return nil }
        return IndicatorsAsOf.Computation(results: results, withoutRecordedDefinition: without.compactMap(\.stringValue), kept: true)
    }

    func store(_ key: [UInt8], position: Int64, today: CalendarDate, _ computation: IndicatorsAsOf.Computation) async throws {
        let document: JSONValue = .object([
            .init(key: "resultados", value: AnnexRenderer.jsonValue(computation.results)),
            .init(key: "sinVersionRegistrada", value: .array(computation.withoutRecordedDefinition.map(JSONValue.string))),
        ])
        // Two requests computing the same answer at once write the same row: the first one stays.
        _ = try await pool.query("""
            INSERT INTO indicadores_al_dia (clave, posicion, fecha, resultados) VALUES ($1, $2, $3::date, $4)
            ON CONFLICT (clave) DO NOTHING
            """, [.bytea(key), .int64(position), .text(today.description), .jsonb(String(decoding: CanonicalJSON.serialize(document), as: UTF8.self))])
    }
}
