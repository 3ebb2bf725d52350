/// Turns validated raw bars into `CleanBar`s: adjustment factors from corporate actions, then indicators on the
/// adjusted close (and raw volume), then the validator's flags.
public enum BarCleaner {
    /// Cleans a whole series.
    ///
    /// - Parameters:
    ///   - bars: the stored series (existing plus newly accepted bars). Sorted by session here if it is not
    ///     already; for a session that appears twice the later element wins.
    ///   - actions: the instrument's splits and dividends.
    ///   - flagged: sessions the validator flagged (kept but marked).
    /// - Returns: one `CleanBar` per distinct session, ascending.
    public static func clean(bars: [PriceBar], actions: [CorporateAction], flagged: Set<SessionDate>) -> [CleanBar] {
        let series = self.ascendingUnique(bars)
        let factors = PriceAdjustment.factors(for: series, actions: actions)
        let adjustedCloses = zip(series, factors).map { $0.close * $1 }
        let volumes = series.map { Double($0.volume) }
        let indicators = IndicatorCalculator.compute(closes: adjustedCloses, volumes: volumes)
        return series.indices.map { index in
            CleanBar(
                bar: series[index], adjustmentFactor: factors[index], indicators: indicators[index],
                flagged: flagged.contains(series[index].session)
            )
        }
    }

    /// `bars` ascending by session with one bar per session (the last given wins); O(n) when already ascending.
    static func ascendingUnique(_ bars: [PriceBar]) -> [PriceBar] {
        var isStrictlyAscending = true
        for index in bars.indices.dropFirst() where !(bars[index - 1].session < bars[index].session) {
            isStrictlyAscending = false
            break
        }
        if isStrictlyAscending { return bars }
        // Stable sort by session keeps input order among equal sessions, so the last of a run is the last given.
        let sorted = bars.enumerated().sorted { ($0.element.session, $0.offset) < ($1.element.session, $1.offset) }
        var result: [PriceBar] = []
        result.reserveCapacity(sorted.count)
        for (_, bar) in sorted {
            if result.last?.session == bar.session { result[result.count - 1] = bar } else { result.append(bar) }
        }
        return result
    }
}
