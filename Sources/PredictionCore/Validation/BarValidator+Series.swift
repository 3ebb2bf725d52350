extension BarValidator {
    /// One bar of the merged series (stored ∪ accepted), with its source row when it is incoming.
    struct SeriesBar {
        var bar: PriceBar
        /// Row of an incoming bar, `nil` for a stored one.
        var row: Int?
    }

    /// Merges the stored series with the accepted rows (both ascending); an incoming bar replaces a stored bar of
    /// the same session.
    static func merge(existing: [PriceBar], incoming: [NumberedBar]) -> [SeriesBar] {
        var result: [SeriesBar] = []
        result.reserveCapacity(existing.count + incoming.count)
        var i = 0
        var j = 0
        while i < existing.count || j < incoming.count {
            if j == incoming.count || (i < existing.count && existing[i].session < incoming[j].bar.session) {
                result.append(SeriesBar(bar: existing[i], row: nil))
                i += 1
            } else {
                if i < existing.count, existing[i].session == incoming[j].bar.session { i += 1 }
                result.append(SeriesBar(bar: incoming[j].bar, row: incoming[j].row))
                j += 1
            }
        }
        return result
    }

    /// One `missingSessions` issue per gap between consecutive bars of `series` that touches the span of the
    /// incoming bars.
    func gapIssues(in series: [SeriesBar]) -> [RowIssue] {
        guard let first = series.first(where: { $0.row != nil })?.bar.session,
            let last = series.last(where: { $0.row != nil })?.bar.session
        else { return [] }
        var issues: [RowIssue] = []
        for index in series.indices.dropFirst() {
            let before = series[index - 1].bar.session
            let after = series[index].bar.session
            guard after >= first, before <= last, before.days(to: after) > 1 else { continue }
            var missing = 0
            var firstMissing: SessionDate?
            var lastMissing: SessionDate?
            var day = before.adding(days: 1)
            while day < after {
                if self.calendar.isSession(day) {
                    missing += 1
                    if firstMissing == nil { firstMissing = day }
                    lastMissing = day
                }
                day = day.adding(days: 1)
            }
            guard let firstMissing, let lastMissing else { continue }
            let what = missing == 1 ? "1 session missing: \(firstMissing)" :
                "\(missing) sessions missing: \(firstMissing) … \(lastMissing)"
            issues.append(
                RowIssue(
                    row: nil, session: firstMissing, reason: .missingSessions,
                    detail: "\(what) (between \(before) and \(after))"
                )
            )
        }
        return issues
    }

    /// A `largeMoveWithoutSplit` issue for each consecutive pair of `series` with at least one incoming bar whose
    /// close-to-close move exceeds the threshold and that no split between the two sessions explains.
    func largeMoveIssues(in series: [SeriesBar], actions: [CorporateAction]) -> [RowIssue] {
        let splits = actions.filter { $0.kind == .split }.map(\.session).sorted()
        var issues: [RowIssue] = []
        for index in series.indices.dropFirst() {
            let previous = series[index - 1]
            let current = series[index]
            guard previous.row != nil || current.row != nil else { continue }
            let move = current.bar.close / previous.bar.close - 1
            guard abs(move) > self.largeMoveThreshold else { continue }
            let from = previous.bar.session
            let to = current.bar.session
            guard !Self.containsSession(splits, after: from, through: to) else { continue }
            issues.append(
                RowIssue(
                    row: current.row, session: to, reason: .largeMoveWithoutSplit,
                    detail: "close \(current.bar.close) vs previous close \(previous.bar.close) on \(from): "
                        + "\(Self.percent(move)) % move (limit ±\(Self.percent(self.largeMoveThreshold, signed: false)) %) "
                        + "with no split recorded after \(from) up to \(to)"
                )
            )
        }
        return issues
    }

    /// Whether the ascending `sessions` contain one in `(after, through]` (binary search).
    static func containsSession(_ sessions: [SessionDate], after start: SessionDate, through end: SessionDate) -> Bool {
        var low = 0
        var high = sessions.count
        while low < high {
            let mid = (low + high) / 2
            if sessions[mid] <= start { low = mid + 1 } else { high = mid }
        }
        return low < sessions.count && sessions[low] <= end
    }

    /// A ratio as a percentage with one decimal, e.g. -0.5049 → "-50.5", 1.2 → "+120.0" (no sign when unsigned).
    /// Total: a ratio too large for an integer count of tenths (or not finite) is written with an exponent instead of
    /// trapping, so no input can stop the process here.
    static func percent(_ ratio: Double, signed: Bool = true) -> String {
        let tenths = (ratio * 1000).rounded()
        let sign = !signed ? "" : (tenths < 0 ? "-" : (ratio > 0 ? "+" : ""))
        guard let magnitude = Int(exactly: abs(tenths)), magnitude < Int.max / 2 else {
            return ratio.isNaN ? "NaN" : "\(sign)\(abs(ratio) * 100)"
        }
        return "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }
}
