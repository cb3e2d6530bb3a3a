import CanonicalJSON
import Foundation
import Catalog
import Indicators

/// Indicators as of a past day beside the same indicators now, with why each figure changed.
///
/// One value, so `sintra indicators --as-of D --format json` prints one parseable document (the
/// two sets of results and their differences), and so the explanation can be checked without a
/// terminal: a reader must never be told "the definition or a validation changed" when the only
/// difference is the p/ mark of a figure whose month of availability came in between.
public struct AsOfComparison: Sendable {
    public struct Difference: Sendable {
        public let indicator: String
        public let year: Int
        public let then: IndicatorResult?
        public let now: IndicatorResult?
        /// Events recorded after the as-of position that feed the value now.
        public let laterPositions: [Int64]
        /// In Spanish, for the reader; nil when both figures are the same.
        public let explanation: String?
    }

    public let asOf: CalendarDate
    public let today: CalendarDate
    public let position: Int64
    public let then: [IndicatorResult]
    public let now: [IndicatorResult]
    /// Fichas the log had no recorded version of at `position`, computed with today's file.
    public let withoutRecordedDefinition: [String]
    public let differences: [Difference]

    /// `definitions` gives each ficha's month of availability (for the p/ explanation); `recordChanges`
    /// the corrections and annulments of module records since `position` (`RecordChange.after`), named
    /// in the explanation of every figure they changed.
    public init(asOf: CalendarDate, today: CalendarDate, position: Int64, then: [IndicatorResult], now: [IndicatorResult],
                definitions: [IndicatorDefinition], withoutRecordedDefinition: [String] = [], recordChanges: [RecordChange] = []) {
        self.asOf = asOf
        self.today = today
        self.position = position
        self.then = then
        self.now = now
        self.withoutRecordedDefinition = withoutRecordedDefinition
        let months = Dictionary(definitions.map { ($0.id, $0.availabilityMonth) }, uniquingKeysWith: { first, _ in first })
        differences = now.map { current in
            let past = then.first { $0.id == current.id && $0.year == current.year }
            let added = Array(Set(current.variables.flatMap(\.positions).filter { $0 > position })).sorted()
            // Records counted then or now whose correction or annulment came later.
            let counted = Set(current.variables.flatMap(\.positions) + (past?.variables.flatMap(\.positions) ?? []))
            let changed = recordChanges.filter { counted.contains($0.openingPosition) }
            var explanation = Self.explain(past, current, added: added, asOf: asOf, today: today, month: months[current.id])
            if explanation != nil, !changed.isEmpty {
                let named = changed.prefix(6).map(\.sentence).joined(separator: "; ") + (changed.count > 6 ? "…" : "")
                explanation = added.isEmpty ? named : "\(named); \(explanation ?? "")"
            }
            return Difference(indicator: current.id, year: current.year, then: past, now: current, laterPositions: added,
                              explanation: explanation)
        }
    }

    static func explain(_ then: IndicatorResult?, _ now: IndicatorResult, added: [Int64], asOf: CalendarDate, today: CalendarDate,
                        month: Int?) -> String? {
        guard let then else { return "la ficha no existía en esa fecha" }
        if then.display == now.display && then.alerts == now.alerts { return nil }
        let events: String? = added.isEmpty ? nil
            : "posiciones " + added.prefix(12).map(String.init).joined(separator: ", ") + (added.count > 12 ? "…" : "")
        let sameFigure = then.value == now.value && then.substitution == now.substitution
        if sameFigure && (then.flag == .preliminary) != (now.flag == .preliminary) {
            var reasons: [String] = []
            let wasWaiting = then.variables.contains(where: \.preliminary), isWaiting = now.variables.contains(where: \.preliminary)
            if let month, let availableOn = CalendarDate(String(format: "%04d-%02d-01", now.year + 1, month)) {
                let monthText = String(format: "%02d/%04d", month, now.year + 1)
                if asOf < availableOn && !(today < availableOn) {
                    reasons.append("el mes de disponibilidad de la ficha (\(monthText)) llegó después del \(asOf)")
                } else if !(asOf < availableOn) && today < availableOn {
                    reasons.append("el \(asOf) ya había pasado el mes de disponibilidad (\(monthText)); hoy todavía no")
                }
            }
            if wasWaiting && !isWaiting { reasons.append("se validaron los expedientes que esperaban una nueva validación") }
            if !wasWaiting && isWaiting { reasons.append("hay expedientes corregidos que esperan una nueva validación") }
            let change = now.flag == .preliminary ? "ahora es preliminar" : "deja de ser preliminar"
            return "misma cifra; solo cambia la marca p/: \(change)" + (reasons.isEmpty ? "" : " (" + reasons.joined(separator: "; ") + ")")
                + (events.map { "; \($0)" } ?? "")
        }
        if let events { return events }
        if then.definitionVersion != now.definitionVersion {
            return "cambio de la ficha (versión \(then.definitionVersion) → \(now.definitionVersion))"
        }
        return "cambio en registros anteriores a esa fecha (validación, corrección, consentimiento o vínculo de expedientes)"
    }

    /// The whole comparison as one JSON document.
    public var json: JSONValue {
        [
            "alCorte": ["fecha": .string(asOf.description), "posicionDelRegistro": .number(Double(position)),
                        "fichasSinVersionRegistrada": .array(withoutRecordedDefinition.map(JSONValue.string)),
                        "resultados": AnnexRenderer.jsonValue(then)],
            "ahora": ["fecha": .string(today.description), "posicionDelRegistro": .number(Double(now.first?.logPosition ?? 0)),
                      "resultados": AnnexRenderer.jsonValue(now)],
            "diferencias": .array(differences.filter { $0.explanation != nil }.map { difference in
                ["indicador": .string(difference.indicator), "anio": .number(Double(difference.year)),
                 "alCorte": difference.then.map { .string($0.display) } ?? .null, "ahora": difference.now.map { .string($0.display) } ?? .null,
                 "explicacion": .string(difference.explanation ?? ""),
                 "posiciones": .array(difference.laterPositions.map { .number(Double($0)) })]
            }),
        ]
    }
}
