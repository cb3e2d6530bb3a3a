import EventLog

/// Computes the tables of Ley General art. 88 fr. VIII, year by year, and applies disclosure control.
///
/// People are counted once (see `People.resolve`), in the year and entidad of detection of their
/// first validated case. Related breakdowns are published as one table, never as two (nationality
/// with migratory status, route origin with destination, attention classification with type, border
/// crossing with country): a second table that is a sum of the first would let a suppressed cell be
/// recovered by difference.
public struct StatisticsBuilder: Sendable {
    public let labels: Labels
    public let threshold: Int
    /// The age-band catalogue the age table uses (README "Age bands").
    public let ageBands: String

    public static let defaultThreshold = 10
    /// The bands of the Chiapas programme's published tables (12–17, 18–25…), so ours can be compared.
    public static let defaultAgeBands = "grupos-de-edad-programa-estatal"
    /// The fixed bands used before they became a catalogue: releases that name none were made with them.
    public static let formerAgeBands = "grupos-de-edad-sintra-2024"

    public init(labels: Labels, threshold: Int = StatisticsBuilder.defaultThreshold, ageBands: String = StatisticsBuilder.defaultAgeBands) {
        self.labels = labels
        self.threshold = threshold
        self.ageBands = ageBands
    }

    /// Every year with data, or only `year`.
    /// `kept`: the cells an earlier release of these years suppressed, which stay suppressed
    /// (README "Releases": publishing one later would give its old value by difference).
    public func build(_ data: StatisticsData, year: Int? = nil, kept: SuppressedCells? = nil) -> StatisticsReport {
        let people = People.resolve(cases: data.cases, links: data.links)
        let countedCases = Dictionary(uniqueKeysWithValues: people.flatMap(\.cases).map { ($0.id, $0) })
        var years = Set(people.map(\.year))
        years.formUnion(data.attentions.filter { countedCases[$0.caseId] != nil }.map(\.year))
        years.formUnion(data.operations.map(\.year))
        years.formUnion(data.trainings.map(\.year))
        years.formUnion(data.disseminations.map(\.year))
        let chosen = year.map { [$0] } ?? years.sorted()
        var tables: [StatisticsTable] = []
        for year in chosen {
            var specs: [TableSpec] = []
            specs += personTables(people.filter { $0.year == year })
            specs += attentionTables(data.attentions.filter { $0.year == year }, countedCases)
            specs += activityTables(data, year: year)
            tables += protect(specs, year: year, kept: kept)
        }
        return StatisticsReport(years: chosen, tables: tables, threshold: threshold, logPosition: data.position, ageBands: ageBands,
                                training: data.environment == .capacitacion)
    }

    /// A table before disclosure control.
    struct TableSpec {
        let id: String, title: String, unit: String, variable: String, catalog: String
        let multiValued: Bool, group: String
        var note: String? = nil
        var counts = TableAccumulator()
    }

    func column(_ entidad: String?) -> String { entidad ?? Labels.unknownEntidad }

    func personTables(_ people: [Person]) -> [TableSpec] {
        let unit = "personas", group = "personas"
        func spec(_ id: String, _ title: String, _ variable: String, _ catalog: String, multi: Bool = false, note: String? = nil,
                  _ rows: (Person) -> [String]) -> TableSpec {
            var table = TableSpec(id: "personas-por-\(id)", title: "Víctimas y posibles víctimas por \(title)", unit: unit,
                                  variable: variable, catalog: catalog, multiValued: false, group: group, note: note)
            for person in people {
                let values = rows(person)
                table.counts.add(rows: [multi ? combination(values, catalog) : values.first ?? Labels.unspecified], column: column(person.entidad))
            }
            return table
        }
        func single(_ value: String?) -> [String] { [value ?? Labels.unspecified] }
        return [
            spec("sexo", "sexo", "sexo", "sexo") { single($0.first(\.sexo)) },
            spec("grupo-de-edad", "grupo de edad", "grupo_de_edad", ageBands,
                 note: "Grupos de edad del catálogo «\(labels.catalogName(ageBands))», con la edad al detectarse.") { person in
                single(labels.ageBand(person.cases.lazy.compactMap(\.age).first, in: ageBands))
            },
            spec("estado-civil", "estado civil", "estado_civil", "estado-civil") { single($0.first(\.civilStatus)) },
            spec("nacionalidad-y-condicion-migratoria", "nacionalidad y condición migratoria", "nacionalidad_y_condicion_migratoria",
                 "nacionalidad-y-condicion") { person in
                ["\(person.first(\.nationality) ?? Labels.unspecified)/\(person.first(\.migratoryStatus) ?? Labels.unspecified)"]
            },
            spec("lugar-de-origen", "lugar de origen (entidad o país)", "lugar_de_origen", "lugar") { single($0.first(\.origin)) },
            spec("forma-de-enganche", "forma de enganche", "forma_de_enganche", "formas-de-enganche", multi: true,
                 note: StatisticsReport.combinationNote) { $0.union(\.recruitment) },
            spec("modalidad", "modalidad de explotación", "modalidad", "modalidades-de-explotacion", multi: true,
                 note: StatisticsReport.combinationNote) { $0.union(\.modalities) },
            spec("ruta", "ruta (lugar de captación → lugar de destino)", "ruta", "ruta",
                 note: "Los lugares de destino se leen en esta tabla: no se publica una tabla aparte de destinos, porque sería su suma y permitiría deducir cifras suprimidas.") { person in
                guard let documented = person.documentation, documented.routeOrigin != nil || documented.routeDestination != nil else { return [] }
                return ["\(documented.routeOrigin ?? Labels.unspecified)>\(documented.routeDestination ?? Labels.unspecified)"]
            },
            spec("medio-de-transporte", "medio de transporte", "medio_de_transporte", "medios-de-transporte", multi: true,
                 note: StatisticsReport.combinationNote) { $0.union(\.transport) },
            spec("cruce-de-frontera", "cruce de frontera internacional (país del otro lado)", "cruce_de_frontera", "cruce") { person in
                guard let documented = person.documentation, let crossing = documented.crossing else { return [] }
                return [crossing ? (documented.crossingCountry ?? "si") : "no"]
            },
        ]
    }

    func attentionTables(_ attentions: [AttentionCount], _ countedCases: [String: CaseRecord]) -> [TableSpec] {
        var table = TableSpec(id: "atenciones-por-clasificacion-y-tipo", title: "Atenciones otorgadas por clasificación y tipo", unit: "atenciones",
                              variable: "clasificacion_y_tipo", catalog: "atencion", multiValued: false, group: "atenciones",
                              note: "Cada atención cuenta una vez, en la entidad del expediente al que pertenece.")
        for attention in attentions {
            guard let owner = countedCases[attention.caseId] else { continue }
            table.counts.add(rows: ["\(attention.classification)/\(attention.type)"], column: column(owner.entidad), weight: attention.count)
        }
        return [table]
    }

    func activityTables(_ data: StatisticsData, year: Int) -> [TableSpec] {
        var operations = TableSpec(id: "operativos-por-tipo-de-lugar", title: "Operativos de rescate por tipo de lugar intervenido", unit: "operativos",
                                   variable: "tipo_de_lugar", catalog: "tipos-de-lugar-de-explotacion", multiValued: false, group: "operativos")
        var rescued = TableSpec(id: "personas-rescatadas-por-sexo", title: "Personas rescatadas en operativos por sexo", unit: "personas",
                                variable: "sexo", catalog: "sexo-de-participantes", multiValued: false, group: "rescatadas",
                                note: "Cifras que reporta la institución que encabezó el operativo; sus expedientes se cuentan en las tablas de víctimas.")
        for operation in data.operations where operation.year == year {
            let place = column(operation.entidad)
            operations.counts.add(rows: [operation.placeType ?? Labels.unspecified], column: place)
            rescued.counts.add(row: "mujeres", column: place, amount: operation.women)
            rescued.counts.add(row: "hombres", column: place, amount: operation.men)
            rescued.counts.add(row: "otro", column: place, amount: operation.other)
        }
        var byType = TableSpec(id: "capacitaciones-por-tipo-de-evento", title: "Capacitaciones y sensibilizaciones por tipo de evento", unit: "eventos",
                               variable: "tipo_de_evento", catalog: "tipos-de-evento-de-capacitacion", multiValued: false, group: "capacitaciones")
        var byPopulation = TableSpec(id: "capacitaciones-por-poblacion-objetivo", title: "Capacitaciones y sensibilizaciones por población objetivo",
                                     unit: "eventos", variable: "poblacion_objetivo", catalog: "poblaciones-objetivo", multiValued: false,
                                     group: "capacitaciones", note: "Cada evento está en una sola fila: el que se dirigió a varias poblaciones, en su combinación; las filas suman el total.")
        var participants = TableSpec(id: "participantes-en-capacitaciones-por-sexo", title: "Personas participantes en capacitaciones por sexo",
                                     unit: "personas participantes", variable: "sexo", catalog: "sexo-de-participantes", multiValued: false,
                                     group: "participantes")
        for training in data.trainings where training.year == year {
            let place = column(training.entidad)
            byType.counts.add(rows: [training.eventType], column: place)
            byPopulation.counts.add(rows: [combination(training.populations, "poblaciones-objetivo")], column: place)
            participants.counts.add(row: "mujeres", column: place, amount: training.women)
            participants.counts.add(row: "hombres", column: place, amount: training.men)
            participants.counts.add(row: "otro", column: place, amount: training.other)
            participants.counts.add(row: "sin-desglose", column: place,
                                    amount: max(0, training.participants - training.women - training.men - training.other))
        }
        var dissemination = TableSpec(id: "acciones-de-difusion-por-tipo", title: "Acciones de difusión por tipo", unit: "acciones",
                                      variable: "tipo_de_accion", catalog: "tipos-de-accion-de-difusion", multiValued: false, group: "difusion")
        for action in data.disseminations where action.year == year {
            dissemination.counts.add(rows: [action.actionType], column: column(action.entidad))
        }
        return [operations, rescued, byType, byPopulation, participants, dissemination]
    }

    /// The row of a multi-valued attribute: the combination of its values (catalogue order, joined
    /// by «+»), so that every unit is in exactly one row and the rows add up to the total. Publishing
    /// each value as its own row would let the overlap («ambas») be worked out as the sum of the rows
    /// minus the total, however small it is; the seed itself publishes «ambas» as a row.
    func combination(_ values: [String], _ catalog: String) -> String {
        values.isEmpty ? Labels.unspecified : labels.order(catalog, values).joined(separator: Labels.combinationSeparator)
    }

    /// Suppresses each group of tables that share their totals row together.
    func protect(_ specs: [TableSpec], year: Int, kept: SuppressedCells?) -> [StatisticsTable] {
        let columns = labels.entidades
        let columnCodes = columns.map(\.code)
        var tables: [StatisticsTable] = specs.map { spec in
            let codes = labels.order(spec.catalog, spec.counts.rowTotals.keys)
            return StatisticsTable(id: spec.id, title: spec.title, unit: spec.unit, variable: spec.variable, multiValued: spec.multiValued,
                                   group: spec.group, note: spec.note, year: year,
                                   rows: codes.map { Category(code: $0, label: labels.label(spec.catalog, $0)) }, columns: columns,
                                   grid: spec.counts.grid(rows: codes, columns: columnCodes), hidden: [])
        }
        var groups: [String: [Int]] = [:]
        for (index, table) in tables.enumerated() { groups[table.group, default: []].append(index) }
        for (_, members) in groups.sorted(by: { $0.key < $1.key }) {
            let forced = members.map { kept?.mask(of: tables[$0]) ?? tables[$0].grid.map { $0.map { _ in false } } }
            let hidden = Suppression.protect(members.map { Suppression.Table(grid: tables[$0].grid) }, threshold: threshold, forced: forced)
            for (member, mask) in zip(members, hidden) { tables[member].hidden = mask }
        }
        return tables
    }
}
