import Foundation

/// Small charts drawn on the server as inline SVG: bars, bars sorted by value, and a series against
/// its goal. No script and no library; every chart goes beside its `<table>`, which is its text
/// alternative (`aria-describedby` names the table), so the chart itself is `role="img"` with a short
/// label and carries no figure a reader could only get from it.
///
/// A value that is not published (`nil`: suppressed, NA, ND) draws nothing — no bar, no `<title>`,
/// no attribute — so a chart can never show more than its table. Only published values ever reach
/// this type: the callers hand it the suppressed table's published cells, never a grid.
enum SVGChart {
    struct Bar: Equatable {
        let label: String
        let value: Double?
    }

    /// Horizontal bars in the given order (one per category); empty bars for unpublished values,
    /// with the word «suprimido» (or `missing`) instead of a figure.
    static func bars(_ bars: [Bar], label: String, table: String, missing: String = "suprimido") -> String {
        let maximum = bars.compactMap(\.value).max() ?? 0
        let rowHeight = 22.0, labelWidth = 230.0, plotWidth = 360.0, width = labelWidth + plotWidth + 70
        let height = rowHeight * Double(bars.count) + 8
        var parts: [String] = []
        for (index, bar) in bars.enumerated() {
            let y = 4 + rowHeight * Double(index)
            parts.append(text(x: labelWidth - 6, y: y + 15, anchor: "end", cssClass: "grafica-etiqueta", shortened(bar.label, 34)))
            if let value = bar.value {
                let length = maximum > 0 ? max(1, plotWidth * value / maximum) : 1
                parts.append(#"<rect class="grafica-barra" x="\#(labelWidth)" y="\#(format(y + 3))" width="\#(format(length))" height="\#(format(rowHeight - 6))"></rect>"#)
                parts.append(text(x: labelWidth + length + 4, y: y + 15, anchor: "start", cssClass: "grafica-valor", number(value)))
            } else {
                parts.append(text(x: labelWidth + 4, y: y + 15, anchor: "start", cssClass: "grafica-sin-valor", missing))
            }
        }
        return svg(width: width, height: height, label: label, table: table, parts)
    }

    /// The same bars from the largest published value down; unpublished ones last, in their order.
    static func sortedBars(_ bars: [Bar], label: String, table: String, missing: String = "suprimido") -> String {
        let published = bars.filter { $0.value != nil }.sorted { ($0.value!, $1.label) > ($1.value!, $0.label) }
        return Self.bars(published + bars.filter { $0.value == nil }, label: label, table: table, missing: missing)
    }

    /// A series by year as points joined by a line, with the goal as a dashed horizontal line.
    /// Years without a value (NA, ND) break the line and show their mark under the axis.
    static func series(_ points: [(year: Int, value: Double?, mark: String)], goal: Double?, goalLabel: String,
                       label: String, table: String) -> String {
        let width = 560.0, height = 240.0, left = 48.0, right = 110.0, top = 14.0, bottom = 40.0
        let values = points.compactMap(\.value) + (goal.map { [$0] } ?? [])
        let top100 = max(values.max() ?? 1, 1) * 1.1
        let step = points.count > 1 ? (width - left - right) / Double(points.count - 1) : 0
        func x(_ index: Int) -> Double { left + step * Double(index) }
        func y(_ value: Double) -> Double { top + (height - top - bottom) * (1 - value / top100) }
        var parts: [String] = [
            #"<line class="grafica-eje" x1="\#(left)" y1="\#(format(y(0)))" x2="\#(width - right)" y2="\#(format(y(0)))"></line>"#,
            text(x: left - 6, y: y(0) + 4, anchor: "end", cssClass: "grafica-etiqueta", "0"),
            text(x: left - 6, y: y(top100 / 1.1) + 4, anchor: "end", cssClass: "grafica-etiqueta", number(top100 / 1.1)),
        ]
        if let goal {
            parts.append(#"<line class="grafica-meta" x1="\#(left)" y1="\#(format(y(goal)))" x2="\#(width - right)" y2="\#(format(y(goal)))"></line>"#)
            parts.append(text(x: width - right + 6, y: y(goal) + 4, anchor: "start", cssClass: "grafica-etiqueta", shortened(goalLabel, 18)))
        }
        var segment: [String] = []
        func flush() {
            if segment.count > 1 { parts.append(#"<polyline class="grafica-linea" points="\#(segment.joined(separator: " "))"></polyline>"#) }
            segment = []
        }
        for (index, point) in points.enumerated() {
            parts.append(text(x: x(index), y: height - bottom + 18, anchor: "middle", cssClass: "grafica-etiqueta", String(point.year)))
            guard let value = point.value else {
                flush()
                parts.append(text(x: x(index), y: height - bottom + 34, anchor: "middle", cssClass: "grafica-sin-valor", point.mark))
                continue
            }
            segment.append("\(format(x(index))),\(format(y(value)))")
            parts.append(#"<circle class="grafica-punto" cx="\#(format(x(index)))" cy="\#(format(y(value)))" r="4"></circle>"#)
            parts.append(text(x: x(index), y: y(value) - 8, anchor: "middle", cssClass: "grafica-valor", number(value)))
        }
        flush()
        return svg(width: width, height: height, label: label, table: table, parts)
    }

    private static func svg(width: Double, height: Double, label: String, table: String, _ parts: [String]) -> String {
        #"<svg class="grafica" role="img" aria-label="\#(escape(label))" aria-describedby="\#(escape(table))" viewBox="0 0 \#(format(width)) \#(format(height))" width="\#(format(width))" height="\#(format(height))" xmlns="http://www.w3.org/2000/svg" focusable="false">"#
            + parts.joined() + "</svg>"
    }

    private static func text(x: Double, y: Double, anchor: String, cssClass: String, _ content: String) -> String {
        #"<text class="\#(cssClass)" x="\#(format(x))" y="\#(format(y))" text-anchor="\#(anchor)" aria-hidden="true">\#(escape(content))</text>"#
    }

    static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int64(rounded)) }
        var text = String(format: "%.2f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    private static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    private static func shortened(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
