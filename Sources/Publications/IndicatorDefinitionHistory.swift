import CanonicalJSON
import Commands
import Indicators
import Postgres

/// Which version of each ficha was in force at each position of the log.
///
/// Fichas live as files (`projections/indicators/<id>.json`) so they can be reviewed like code, but
/// a figure computed "as of" a past date must use the ficha as it was then, not as it is now. So
/// every new version of a ficha is recorded in the log (`DefinicionDeIndicadorAdoptada`, one stream
/// `indicador-<id>-v<version>` each) before anything is computed or published with it, and a
/// version whose content changed without a new number is refused — as migrations are.
public struct IndicatorDefinitionHistory: Sendable {
    let pool: ConnectionPool

    /// `pool` only reads the log: the application role is enough.
    public init(pool: ConnectionPool) { self.pool = pool }

    public struct ChangedWithoutNewVersion: Error, CustomStringConvertible, Sendable {
        public let indicator: String
        public let version: Int
        public var description: String {
            "la ficha \(indicator) cambió pero conserva la versión \(version), que ya se registró con otro contenido: suba «version» en projections/indicators/\(indicator).json"
        }
    }

    /// Records every ficha whose version is not in the log yet. Returns those it recorded now.
    public func adopt(_ definitions: [IndicatorDefinition], handler: CommandHandler, context: CommandContext) async throws -> [IndicatorDefinition] {
        var adopted: [IndicatorDefinition] = []
        for definition in definitions {
            if let recorded = try await recordedDocument(definition.id, version: definition.version) {
                guard recorded == definition.document else { throw ChangedWithoutNewVersion(indicator: definition.id, version: definition.version) }
                continue
            }
            let stream = "indicador-\(definition.id)-v\(definition.version)"
            let data: JSONValue = ["fecha": .string(context.today.description), "indicador": .string(definition.id),
                                   "version": .number(Double(definition.version)), "documento": .string(definition.document)]
            switch await record(definition, stream: stream, data: data, handler: handler, context: context) {
            case .success:
                adopted.append(definition)
            case .failure(.rejected(let rejection))
                where rejection.codes.contains("flujo-ya-existe") || rejection.codes.contains("clave-de-idempotencia-reutilizada"):
                // Another process adopted it meanwhile: accept that only if it is the same ficha.
                guard try await recordedDocument(definition.id, version: definition.version) == definition.document else {
                    throw ChangedWithoutNewVersion(indicator: definition.id, version: definition.version)
                }
            case .failure(let error):
                throw error
            }
        }
        return adopted
    }

    /// As a `Result`: a typed-throws `catch` with a pattern crashes this compiler (6.3.1).
    private func record(_ definition: IndicatorDefinition, stream: String, data: JSONValue, handler: CommandHandler,
                        context: CommandContext) async -> Result<CommandResult, CommandError> {
        do {
            return .success(try await handler.handle(Command(name: "adoptar-definicion-de-indicador", data: data, streamId: stream,
                                                             idempotencyKey: stream), context: context))
        } catch {
            return .failure(error)
        }
    }

    /// The fichas in force at `position`: for each indicator, the version adopted last at or before it.
    public func inForce(at position: Int64) async throws -> [IndicatorDefinition] {
        let rows = try await pool.query("""
            SELECT DISTINCT ON (payload->>'indicador') payload->>'documento'
              FROM definiciones_de_indicadores
             WHERE position <= $1
             ORDER BY payload->>'indicador', position DESC
            """, [.int64(position)])
        return try rows.map { try IndicatorDefinition.parse(document: try $0.decode(String.self, 0)) }
            .sorted { $0.id.compare($1.id, options: .numeric) == .orderedAscending }
    }

    func recordedDocument(_ indicator: String, version: Int) async throws -> String? {
        try await pool.query("""
            SELECT payload->>'documento' FROM definiciones_de_indicadores
             WHERE stream_id = $1
            """, [.text("indicador-\(indicator)-v\(version)")]).first?.decode(String.self, 0)
    }
}
