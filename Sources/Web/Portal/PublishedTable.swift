import Statistics

/// A table of a published release as the public may see it: every cell already through the
/// release's disclosure control, a suppressed one as `nil`. The portal reads `StatisticsTable` only
/// here, and only through `published(_:_:)`; its pages and charts never hold a suppressed figure,
/// so nothing they draw — a bar, a label, an attribute — can give one away.
struct PublishedTable {
    let id: String
    let title: String
    let unit: String
    let note: String?
    let rows: [Category]
    let columns: [Category]
    /// (rows + 1) × (columns + 1), as the release's grid: the last row holds the column totals, the
    /// last column the row totals; nil where the release published the cell empty.
    let cells: [[Int?]]

    init(_ table: StatisticsTable) {
        id = table.id
        title = table.title
        unit = table.unit
        note = table.note
        rows = table.rows
        columns = table.columns
        cells = (0...table.rows.count).map { row in (0...table.columns.count).map { column in table.published(row, column) } }
    }

    /// Each category's total over every entidad (the last column).
    var categoryTotals: [SVGChart.Bar] {
        rows.indices.map { SVGChart.Bar(label: rows[$0].label, value: cells[$0][columns.count].map(Double.init)) }
    }

    /// Each entidad's total over every category (the last row).
    var entidadTotals: [SVGChart.Bar] {
        columns.indices.map { SVGChart.Bar(label: columns[$0].label, value: cells[rows.count][$0].map(Double.init)) }
    }

    /// The categories of one entidad (its column).
    func categories(in column: Int) -> [SVGChart.Bar] {
        rows.indices.map { SVGChart.Bar(label: rows[$0].label, value: cells[$0][column].map(Double.init)) }
    }

    var grandTotal: Int? { cells[rows.count][columns.count] }
}
