import CanonicalJSON
import Catalog
import Foundation
import Postgres
import Statistics

/// Runs a checked report over the projections: a module's records from `hechos` (one parameterised
/// statement, the dimensions read by `reportes.valores`), people from `estadisticas` (each person once,
/// by the public statistics' own rule, `People.resolve`).
public struct ReportEngine: Sendable {
    let pool: ConnectionPool
    let labels: Labels
    /// Schemas to read: the live ones, or a replay's scratch copies (a report as of a past date).
    let hechosSchema: String
    let statisticsSchema: String
    let fixedPosition: Int64?

    public init(pool: ConnectionPool, catalogs: CatalogSet, hechosSchema: String = "proj_hechos",
                statisticsSchema: String = "proj_estadisticas", position: Int64? = nil) {
        self.pool = pool
        self.labels = Labels(catalogs: catalogs)
        self.hechosSchema = hechosSchema
        self.statisticsSchema = statisticsSchema
        self.fixedPosition = position
    }

    public func run(_ report: ReportDefinition, threshold: Int, asOf: String? = nil) async throws -> ReportResult {
        let cells: [Cell]
        let position: Int64
        if report.source.isPeople {
            let data = try await StatisticsSource(pool: pool, schema: statisticsSchema, position: fixedPosition).read()
            cells = peopleCells(report, data)
            position = data.position
        } else {
            (cells, position) = try await recordCells(report)
        }
        return assemble(report, cells, position: position, threshold: threshold, asOf: asOf)
    }

    /// One aggregate: level 0 a cell, 1 a row total, 2 a column total, 3 the grand total.
    struct Cell {
        let level: Int
        let row: String?
        let column: String?
        let value: Double
    }

    static func parameters(_ extraction: Extraction?) -> (kind: String, path: [String]) {
        switch extraction {
        case nil: ("ninguna", [])
        case .field(let path)?: ("campo", path)
        case .list(let path)?: ("lista", path)
        case .place(let path)?: ("lugar", path)
        case .year?: ("anio", [])
        case .month?: ("mes", [])
        case .institution?: ("institucion", [])
        case .number(let path)?: ("campo", path)
        case .person?: ("ninguna", [])
        }
    }

    func recordCells(_ report: ReportDefinition) async throws -> ([Cell], Int64) {
        let row = Self.parameters(report.rows.extraction)
        let column = Self.parameters(report.columns?.extraction)
        var years: [Int32]? = nil
        var filters: [JSONValue] = []
        for filter in report.filters {
            if filter.variable.extraction == .year {
                let given = filter.values.compactMap { Int32($0) }
                years = years.map { $0.filter(given.contains) } ?? given
            } else {
                let (kind, path) = Self.parameters(filter.variable.extraction)
                filters.append(.object([.init(key: "tipo", value: .string(kind)), .init(key: "ruta", value: .array(path.map(JSONValue.string))),
                                        .init(key: "valores", value: .array(filter.values.map(JSONValue.string)))]))
            }
        }
        var sumPath: PostgresValue = .null
        if case .sum(let name) = report.measure, case .number(let path)? = report.source.variable(name)?.extraction {
            sumPath = .array(.text(path))
        }
        var parameters: [PostgresValue] = [
            .text(report.source.name), .text(row.kind), .array(.text(row.path)), .text(column.kind), .array(.text(column.path)),
            sumPath, years.map { .array(.int32($0)) } ?? .null,
        ]
        // Without lists every record is in exactly one cell: one GROUP BY, no DISTINCT (the fast path).
        let scalarFilters = report.filters.filter { $0.variable.extraction != .year }
        let isScalar = !report.rows.multiValued && report.columns?.multiValued != true
            && scalarFilters.allSatisfy { !$0.variable.multiValued } && scalarFilters.count <= Self.scalarFilterSlots
        if isScalar {
            for slot in 0..<Self.scalarFilterSlots {
                if slot < scalarFilters.count {
                    let (kind, path) = Self.parameters(scalarFilters[slot].variable.extraction)
                    parameters += [.text(kind), .array(.text(path)), .array(.text(scalarFilters[slot].values))]
                } else {
                    parameters += [.null, .null, .null]
                }
            }
        } else {
            parameters.append(.jsonb(String(decoding: CanonicalJSON.serialize(.array(filters)), as: UTF8.self)))
        }
        return try await pool.withConnection { connection in
            _ = try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            do {
                _ = try await connection.query("SELECT set_config('search_path', $1, true)", [.text(SQLIdentifier.quote(hechosSchema))])
                var position = fixedPosition ?? 0
                if fixedPosition == nil {
                    position = try await connection.query("SELECT coalesce(max(position), 0) FROM public.projection_state WHERE name = 'hechos'")
                        .first?.decode(Int64.self, 0) ?? 0
                }
                let rows = try await connection.query(isScalar ? Self.scalarRecordsQuery : Self.recordsQuery, parameters)
                _ = try await connection.query("COMMIT")
                let isSum = sumPath != .null
                return (try rows.map { row in
                    Cell(level: try row.decode(Int.self, 0), row: try row.decode(String?.self, 1), column: try row.decode(String?.self, 2),
                         value: isSum ? (try row.decode(Double?.self, 4) ?? 0) : Double(try row.decode(Int64.self, 3)))
                }, position)
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
        }
    }

    static let scalarFilterSlots = 3

    /// No list among the dimensions and at most three filters besides the year: each record is in one cell.
    static let scalarRecordsQuery: SQL = """
        SELECT GROUPING(fila, columna), fila, columna, count(*), sum(m)::float8 FROM (
            SELECT reportes.valor(h.datos, h.anio, h.fecha, h.institucion, $2, $3::text[]) AS fila,
                   reportes.valor(h.datos, h.anio, h.fecha, h.institucion, $4, $5::text[]) AS columna,
                   CASE WHEN $6::text[] IS NULL THEN NULL ELSE (h.datos #>> $6::text[])::numeric END AS m
              FROM hechos h
             WHERE h.tipo_evento = $1
               AND ($7::integer[] IS NULL OR h.anio = ANY($7::integer[]))
               AND ($8::text IS NULL OR reportes.valor(h.datos, h.anio, h.fecha, h.institucion, $8, $9::text[]) = ANY($10::text[]))
               AND ($11::text IS NULL OR reportes.valor(h.datos, h.anio, h.fecha, h.institucion, $11, $12::text[]) = ANY($13::text[]))
               AND ($14::text IS NULL OR reportes.valor(h.datos, h.anio, h.fecha, h.institucion, $14, $15::text[]) = ANY($16::text[]))
        ) r
        GROUP BY GROUPING SETS ((fila, columna), (fila), (columna), ())
        """

    /// Each record once per cell, row, column and in all (a list puts it in several rows, never twice in one).
    static let recordsQuery: SQL = """
        WITH base AS MATERIALIZED (
            SELECT DISTINCT h.posicion, f.v AS fila, c.v AS columna,
                   CASE WHEN $6::text[] IS NULL THEN NULL ELSE (h.datos #>> $6::text[])::numeric END AS m
              FROM hechos h
             CROSS JOIN LATERAL reportes.valores(h.datos, h.anio, h.fecha, h.institucion, $2, $3::text[]) f(v)
             CROSS JOIN LATERAL reportes.valores(h.datos, h.anio, h.fecha, h.institucion, $4, $5::text[]) c(v)
             WHERE h.tipo_evento = $1
               AND ($7::integer[] IS NULL OR h.anio = ANY($7::integer[]))
               AND NOT EXISTS (
                   SELECT 1 FROM jsonb_array_elements($8::jsonb) filtro
                    WHERE NOT EXISTS (
                        SELECT 1 FROM reportes.valores(h.datos, h.anio, h.fecha, h.institucion, filtro->>'tipo',
                                                       ARRAY(SELECT jsonb_array_elements_text(filtro->'ruta'))) fv(v)
                         WHERE fv.v IN (SELECT jsonb_array_elements_text(filtro->'valores'))))
        )
        SELECT 0, fila, columna, count(*), sum(m)::float8 FROM base GROUP BY fila, columna
        UNION ALL SELECT 1, fila, NULL, count(*), sum(m)::float8 FROM (SELECT DISTINCT posicion, fila, m FROM base) t GROUP BY fila
        UNION ALL SELECT 2, NULL, columna, count(*), sum(m)::float8 FROM (SELECT DISTINCT posicion, columna, m FROM base) t GROUP BY columna
        UNION ALL SELECT 3, NULL, NULL, count(*), sum(m)::float8 FROM (SELECT DISTINCT posicion, m FROM base) t
        """

    /// People counted once: cells, row and column totals and the grand total each count distinct people.
    func peopleCells(_ report: ReportDefinition, _ data: StatisticsData) -> [Cell] {
        func values(_ variable: ReportVariable?, _ person: Person) -> [String] {
            guard case .person(let attribute)? = variable?.extraction else { return ["total"] }
            return Array(Set(attribute.values(of: person, labels: labels).map { $0 ?? Labels.unspecified }))
        }
        var counts: [[String?]: Int] = [:]
        people: for person in People.resolve(cases: data.cases, links: data.links) {
            for filter in report.filters {
                if Set(values(filter.variable, person)).isDisjoint(with: filter.values) { continue people }
            }
            let rows = values(report.rows, person)
            let columns = values(report.columns, person)
            for row in rows { for column in columns { counts[[row, column], default: 0] += 1 } }
            for row in rows { counts[[row, nil], default: 0] += 1 }
            for column in columns { counts[[nil, column], default: 0] += 1 }
            counts[[nil, nil], default: 0] += 1
        }
        return counts.map { key, count in
            Cell(level: (key[0] == nil ? 2 : 0) + (key[1] == nil ? 1 : 0), row: key[0], column: key[1], value: Double(count))
        }
    }

    func assemble(_ report: ReportDefinition, _ cells: [Cell], position: Int64, threshold: Int, asOf: String?) -> ReportResult {
        func categories(_ variable: ReportVariable?, _ codes: [String]) -> [ReportCategory] {
            // Without a column variable the table is its totals column alone.
            guard let variable else { return [] }
            let catalog = variable.catalog ?? ""
            let ordered = variable.extraction == .year || variable.extraction == .month ? Set(codes).sorted() : labels.order(catalog, codes)
            return ordered.map { ReportCategory(code: $0, label: label(catalog, $0)) }
        }
        let rows = categories(report.rows, cells.compactMap(\.row))
        let columns = categories(report.columns, cells.compactMap(\.column))
        let rowIndex = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1.code, $0) })
        let columnIndex = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1.code, $0) })
        var grid = Array(repeating: Array(repeating: 0.0, count: columns.count + 1), count: rows.count + 1)
        for cell in cells {
            let r = cell.row.flatMap { rowIndex[$0] } ?? rows.count
            let c = cell.column.flatMap { columnIndex[$0] } ?? columns.count
            grid[r][c] = cell.value
        }
        let hidden: [[Bool]]
        let rule: String
        switch report.mode {
        case .publication:
            hidden = PublicationSuppression.hidden(grid.map { $0.map { Int($0.rounded()) } }, threshold: threshold)
            rule = PublicationSuppression.rule(threshold: threshold)
        case .internal:
            hidden = grid.map { $0.map { _ in false } }
            rule = ReportResult.internalRule
        }
        let multiValued = report.rows.multiValued || report.columns?.multiValued == true
        return ReportResult(
            title: report.title, source: report.source.name, rowVariable: report.rows.name, columnVariable: report.columns?.name,
            filters: report.filters.map { ($0.variable.name, $0.values) }, measure: report.measure, mode: report.mode,
            rows: rows, columns: columns, grid: grid, hidden: hidden, position: position,
            date: asOf ?? Self.today(), asOf: asOf, rule: rule, multiValued: multiValued)
    }

    func label(_ catalog: String, _ code: String) -> String {
        switch code {
        case "true": return "Sí"
        case "false": return "No"
        case Labels.abroad: return "En el extranjero"
        default: return labels.label(catalog, code)
        }
    }

    /// Today in Mexico City, the day a report without `asOf` is dated (as `asOf` is cut).
    static func today() -> String { CalendarDate.today().description }
}
