import Statistics

/// The one place the reports module calls the public statistics' disclosure control: a report for
/// publication hides exactly what the public statistics would (primary suppression of every figure from
/// 1 to the threshold, then secondary suppression so that none can be worked out from its row or column
/// totals). Re-point these two functions, and only them, when the statistics' entry point changes.
enum PublicationSuppression {
    /// `grid` is (rows + 1) × (columns + 1) with the totals last; returns which entries to hide.
    static func hidden(_ grid: [[Int]], threshold: Int) -> [[Bool]] {
        Suppression.protect([grid], threshold: threshold)[0]
    }

    /// The rule, in the public statistics' own words.
    static func rule(threshold: Int) -> String { StatisticsReport.rule(threshold: threshold) }
}
