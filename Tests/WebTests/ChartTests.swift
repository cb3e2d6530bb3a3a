import Foundation
import Testing
@testable import Web

/// The SVG charts: an unpublished value draws nothing that carries a figure, bars are in the order
/// asked (or sorted), the series breaks at NA/ND, and every chart points at its table.
struct ChartTests {
    static func numbers(in svg: String) -> [String] {
        svg.matches(of: try! Regex(">([^<]*)</text>")).map { String($0.output[1].substring ?? "") }
    }

    @Test func aSuppressedValueDrawsNoBarAndNoFigure() {
        let svg = SVGChart.bars([.init(label: "Mujer", value: 120), .init(label: "Hombre", value: nil), .init(label: "Otro", value: 48)],
                                label: "Personas por sexo", table: "tabla-sexo")
        #expect(svg.components(separatedBy: "<rect").count - 1 == 2, "one bar per published value only")
        #expect(Self.numbers(in: svg) == ["Mujer", "120", "Hombre", "suprimido", "Otro", "48"])
        #expect(svg.contains(#"aria-describedby="tabla-sexo""#) && svg.contains(#"role="img""#))
        #expect(!svg.contains("<title") && !svg.contains("data-"), "no tooltip and no data attribute")
        // The widths encode only published values: the longest is the largest, 120.
        let widths = svg.matches(of: try! Regex(#"width="([0-9.]+)" height="16"#)).map { Double($0.output[1].substring!)! }
        #expect(widths.count == 2 && abs(widths[0] / widths[1] - 120.0 / 48.0) < 0.01)
    }

    @Test func sortedBarsGoFromLargestToSmallestWithSuppressedLast() {
        let svg = SVGChart.sortedBars([.init(label: "Chiapas", value: 30), .init(label: "Baja California", value: nil),
                                       .init(label: "Puebla", value: 90), .init(label: "Oaxaca", value: 30)],
                                      label: "Por entidad", table: "t")
        #expect(Self.numbers(in: svg) == ["Puebla", "90", "Chiapas", "30", "Oaxaca", "30", "Baja California", "suprimido"])
    }

    @Test func theSeriesBreaksAtMissingYearsAndDrawsTheGoal() {
        let svg = SVGChart.series([(2019, nil, "NA"), (2020, 10, "10"), (2021, 20, "20"), (2022, nil, "ND"), (2023, 40, "40"), (2024, 50.5, "50.5")],
                                  goal: 100, goalLabel: "meta 100", label: "Serie", table: "tabla-serie")
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2, "two segments around the ND year")
        #expect(svg.components(separatedBy: "<circle").count - 1 == 4)
        #expect(svg.contains(#"class="grafica-meta""#) && Self.numbers(in: svg).contains("NA") && Self.numbers(in: svg).contains("50.5"))
    }

    @Test func labelsAreEscaped() {
        let svg = SVGChart.bars([.init(label: "<script>&\"", value: 1)], label: "a\"b", table: "t")
        #expect(!svg.contains("<script>") && svg.contains("&lt;script&gt;&amp;") && svg.contains(#"aria-label="a&quot;b""#))
    }
}
