/// A plain-text table for a terminal: each column as wide as its widest value (header included),
/// two spaces between columns, never a value cut. (Fixed widths used to cut all 32
/// `OTRA-ESTATAL-NN` institutions to `OTRA-ESTATAL-`.)
struct TextTable {
    let header: [String]
    private(set) var rows: [[String]] = []

    init(_ header: String...) { self.header = header }

    mutating func add(_ values: String...) { rows.append(values) }

    var text: String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, value in
                column == row.count - 1 ? value : value + String(repeating: " ", count: widths[column] - value.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    func print() { Swift.print(text) }
}
