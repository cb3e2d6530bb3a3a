import CanonicalJSON
import Catalog
import Demo
import Foundation
import Postgres
import Projections
import TestDatabase
import Testing

/// `expedientes_contables` (who is counted) is kept per batch for the cases the batch touched and
/// those linked to them; it must equal the rule computed over the whole projection at once — the
/// view it was — on random histories of registrations, consents, validations, corrections, links and
/// discarded links, applied in random batches, and again after a rebuild.
@Suite(.needsDatabase) struct ExpedientesContablesTests {
    /// The rule as one query over the projection's tables (what the view `expedientes_contables` computed at every reading).
    static let rule: SQL = """
        WITH RECURSIVE
        pares AS (
            SELECT DISTINCT ON (least(expediente, otro), greatest(expediente, otro))
                   least(expediente, otro) AS a, greatest(expediente, otro) AS b, tipo
              FROM vinculos
             ORDER BY least(expediente, otro), greatest(expediente, otro), posicion DESC),
        misma_persona AS (SELECT a, b FROM pares WHERE tipo = 'misma-persona'),
        alcanzables(expediente, otro) AS (
            SELECT a, a FROM misma_persona UNION SELECT b, b FROM misma_persona
            UNION
            SELECT r.expediente, CASE WHEN m.a = r.otro THEN m.b ELSE m.a END
              FROM alcanzables r JOIN misma_persona m ON r.otro IN (m.a, m.b)),
        persona_de AS (SELECT expediente, min(otro) AS persona FROM alcanzables GROUP BY expediente),
        con_persona AS (
            SELECT c.expediente, coalesce(pd.persona, c.expediente) AS persona, c.version_validada,
                   greatest(coalesce(c.version_documentacion, 0), coalesce(c.version_ultima_correccion, 0)) AS ultimo_cambio,
                   c.contar_en_estadisticas, c.posicion_consentimiento
              FROM casos c LEFT JOIN persona_de pd USING (expediente)),
        consentimiento AS (
            SELECT DISTINCT ON (persona) persona, contar_en_estadisticas AS contar
              FROM con_persona WHERE posicion_consentimiento IS NOT NULL
             ORDER BY persona, posicion_consentimiento DESC)
        SELECT concat_ws('|', cp.expediente, cp.persona, coalesce(k.contar, true),
                         cp.version_validada IS NOT NULL AND cp.version_validada >= cp.ultimo_cambio,
                         cp.version_validada IS NOT NULL AND cp.version_validada < cp.ultimo_cambio,
                         coalesce(k.contar, true) AND cp.version_validada IS NOT NULL AND cp.version_validada >= cp.ultimo_cambio)
          FROM con_persona cp LEFT JOIN consentimiento k USING (persona)
         ORDER BY 1
        """
    static let kept: SQL = """
        SELECT concat_ws('|', expediente, persona, con_consentimiento, validado, en_espera, cuenta) FROM expedientes_contables ORDER BY 1
        """

    static func rows(_ world: ProjectionWorld, _ sql: SQL) async throws -> [String] {
        try await world.owner.withConnection { connection in
            try await connection.withTransaction { connection in
                _ = try await connection.query("SELECT set_config('search_path', 'proj_expedientes', true)")
                return try await connection.query(sql).map { try $0.decode(String.self, 0) }
            }
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5]) func theKeptTableEqualsTheRuleOnRandomHistoriesInRandomBatches(seed: UInt64) async throws {
        var random = SeededRandom(seed: seed)
        let world = try await ProjectionWorld.make()
        // Batches of one event too: a discarded link alone in its batch must still reach the partner it left.
        let projector = world.projector(batchSize: Int64([1, 1, 2, random.int(3...30)][random.int(0...3)]))
        try await projector.start()
        let expedientes = try #require(projector.projection("expedientes"))
        var versions: [String: Int] = [:]
        var linked: [(String, String)] = []
        var cases: [String] { versions.keys.sorted() }
        /// A command on `stream`; a refusal (a validation of a version that moved on, a link to itself) writes nothing.
        func attempt(_ name: String, _ data: JSONValue, _ stream: String) async -> Bool {
            guard (try? await world.run(name, data, stream: stream)) != nil else { return false }
            versions[stream, default: 0] += 1
            return true
        }
        for _ in 0..<random.int(50...90) {
            let choice = versions.count < 2 ? 0 : random.int(0...9)
            let one = versions.isEmpty ? "" : cases[random.int(0...(versions.count - 1))]
            let other = versions.isEmpty ? "" : cases[random.int(0...(versions.count - 1))]
            switch choice {
            case 0...1:
                let stream = try await world.run("registrar-persona", CaseFixtures.persona(sexo: random.int(0...1) == 0 ? "mujer" : "hombre")).streamId
                versions[stream] = 1
            case 2:
                _ = await attempt("registrar-consentimiento", CaseFixtures.consentimiento(random.int(0...2) > 0), one)
            case 3...4:
                // Mostly the version it has now; sometimes an older one (a validation that no longer covers everything).
                let version = max(1, (versions[one] ?? 1) - (random.int(0...3) == 0 ? 1 : 0))
                _ = await attempt("validar-registro", CaseFixtures.validacion(version), one)
            case 5:
                _ = await attempt("corregir-datos-generales", ["fecha": "2023-06-01", "motivo": "Acta.", "correcciones": ["edad": .number(Double(random.int(18...60)))]], one)
            case 6...7:
                if await attempt("vincular-expedientes", ["fecha": "2023-05-05", "expediente": .string(other), "motivo": "Misma CURP."], one) {
                    linked.append((one, other))
                }
            case 8:
                // A link that was made, discarded from either of its two cases (or, sometimes, a pair never linked).
                var (from, to) = linked.isEmpty || random.int(0...4) == 0 ? (one, other) : linked[random.int(0...(linked.count - 1))]
                if random.int(0...1) == 0 { (from, to) = (to, from) }
                _ = await attempt("descartar-duplicado", ["fecha": "2023-07-01", "expediente": .string(to), "motivo": "CURP distintas."], from)
            default:
                // Part of the way, then the rule must hold at the position reached (after every batch, not only at the end).
                let head = try await world.store.headPosition()
                try await projector.catchUp(expedientes, through: Int64(random.int(0...Int(head))))
                #expect(try await Self.rows(world, Self.kept) == Self.rows(world, Self.rule), "a mitad de camino")
            }
        }
        try await projector.catchUp(expedientes)
        let links = try await world.value(Int64.self, "SELECT count(*) FROM proj_expedientes.vinculos WHERE tipo = 'misma-persona'") ?? 0
        let discarded = try await world.value(Int64.self, "SELECT count(*) FROM proj_expedientes.vinculos WHERE tipo = 'distinta-persona'") ?? 0
        let reference = try await Self.rows(world, Self.rule)
        #expect(links > 0 && discarded > 0 && reference.count == versions.count, "hay vínculos, vínculos descartados y un renglón por expediente")
        #expect(try await Self.rows(world, Self.kept) == reference, "lo que se mantiene por lote es la regla")

        try await projector.rebuild(expedientes)
        #expect(try await Self.rows(world, Self.kept) == reference, "y lo mismo al reconstruir desde cero")
    }
}
