/// Backward split/dividend adjustment: the factor that makes past prices comparable with today's.
///
/// Raw bars are never rewritten; `CleanBar.adjustmentFactor` carries the factor and the adjusted price is derived
/// (`close × factor`). Each event multiplies the factor of every bar strictly before its session:
/// - a split of ratio `r` (new shares per old share) by `1 / r`;
/// - a cash dividend `D` by `1 − D / C`, where `C` is the raw close of the last bar before the ex-date (the
///   CRSP/Yahoo convention), so the adjusted series has no artificial drop on the ex-date.
///
/// Events that cannot be applied are ignored rather than producing nonsense: a ratio or amount outside
/// `PlausibleRange`, a dividend at least as large as that close (its factor would be ≤ 0), an event that would take
/// the cumulative factor outside `factorRange` (so an adjusted price can never overflow or vanish), and any event on
/// or before the first bar (no price precedes it).
public enum PriceAdjustment {
    /// Bounds of a cumulative factor: a hundred 2-for-1 splits stay far inside it.
    public static let factorRange: ClosedRange<Double> = 1e-12...1e12

    /// One cumulative factor per bar (1 for bars with no later event).
    ///
    /// - Parameters:
    ///   - bars: the series, ascending by session (as stored).
    ///   - actions: splits and dividends in any order.
    /// - Returns: `factors[i]` multiplies the raw prices of `bars[i]`. O(n + a log a).
    public static func factors(for bars: [PriceBar], actions: [CorporateAction]) -> [Double] {
        var factors = [Double](repeating: 1, count: bars.count)
        let events = actions.filter { $0.implausibility == nil }.sorted { $0.session > $1.session }
        var next = 0
        var cumulative = 1.0
        for index in bars.indices.reversed() {
            let bar = bars[index]
            // Every event after this bar's session (and not yet applied) takes effect from here backwards; this bar
            // is the last one before the event, so its close is the dividend's reference price.
            while next < events.count, events[next].session > bar.session {
                let applied = cumulative * self.factor(of: events[next], previousClose: bar.close)
                if self.factorRange.contains(applied) { cumulative = applied }
                next += 1
            }
            factors[index] = cumulative
        }
        return factors
    }

    /// The multiplier one event applies to prices before it (1 when it cannot be applied).
    static func factor(of action: CorporateAction, previousClose: Double) -> Double {
        switch action.kind {
        case .split:
            return 1 / action.value
        case .dividend:
            guard previousClose > action.value, previousClose.isFinite else { return 1 }
            return 1 - action.value / previousClose
        }
    }
}
