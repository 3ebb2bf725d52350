/// Checks a batch of incoming daily bars against each other, against what is already stored and against the
/// exchange calendar, and decides which rows to store.
///
/// Rules (reasons in `RowIssueReason`):
/// - rejected: a date after `today`; a date that is not a session; an open/high/low/close that is not a positive
///   finite number; a negative volume; a price or volume outside `PlausibleRange` (1e306 is finite but no price);
///   high < low; close outside [low, high]; a second row for a session already
///   accepted from this batch (so a broken row followed by a corrected one keeps the corrected one). A rejected row
///   gets one issue, for the first rule it breaks in that order.
/// - flagged and kept: open outside [low, high]; a close-to-close move above `largeMoveThreshold` (|c / prev − 1|,
///   where prev may be a stored bar) with no split between the two sessions. Moves are checked for every pair of
///   consecutive bars of the merged series in which at least one bar is incoming, so a backfilled row that makes
///   a stored bar's move suspicious flags that stored bar (its issue has no row).
/// - gaps: sessions missing between consecutive bars of (existing ∪ accepted), where the gap touches the span of
///   the accepted rows; one issue per gap, whose session is the first missing session.
///
/// Incoming rows for sessions that are already stored are accepted (they replace the stored bar).
/// The report is bounded: at most `issueLimitPerReason` issues per reason are listed (the first ones in report
/// order), the rest only counted in `ValidationReport.omittedIssueCounts`.
public struct BarValidator: Sendable {
    /// Default of `issueLimitPerReason`: enough to show every problem of a normal file, small enough that a file
    /// on the wrong calendar (thousands of non-session rows) yields a readable report.
    public static let defaultIssueLimitPerReason = 200

    /// The exchange calendar the sessions must follow.
    public let calendar: any TradingCalendar
    /// The last session date that may have data (rows after it are rejected).
    public let today: SessionDate
    /// Largest accepted relative close-to-close move without a split (0.5 = 50 %).
    public let largeMoveThreshold: Double
    /// Most issues listed per reason.
    public let issueLimitPerReason: Int

    /// Creates a validator.
    public init(
        calendar: any TradingCalendar, today: SessionDate, largeMoveThreshold: Double = 0.5,
        issueLimitPerReason: Int = BarValidator.defaultIssueLimitPerReason
    ) {
        self.calendar = calendar
        self.today = today
        self.largeMoveThreshold = largeMoveThreshold
        self.issueLimitPerReason = max(issueLimitPerReason, 0)
    }

    /// Validates `rows` (in source order) given the stored series `existing` (ascending by session) and the
    /// instrument's corporate actions.
    public func validate(_ rows: [NumberedBar], existing: [PriceBar], actions: [CorporateAction]) -> ValidationReport {
        var issues: [RowIssue] = []
        var flagged = Set<SessionDate>()
        var acceptedRows: [SessionDate: NumberedBar] = [:]

        for row in rows {
            if let (reason, detail) = self.rejection(of: row.bar) {
                issues.append(RowIssue(row: row.row, session: row.bar.session, reason: reason, detail: detail))
                continue
            }
            if let first = acceptedRows[row.bar.session] {
                issues.append(
                    RowIssue(
                        row: row.row, session: row.bar.session, reason: .duplicateSession,
                        detail: "second row for \(row.bar.session); the row \(first.row) for that session is kept"
                    )
                )
                continue
            }
            acceptedRows[row.bar.session] = row
            let bar = row.bar
            if bar.open < bar.low || bar.open > bar.high {
                issues.append(
                    RowIssue(
                        row: row.row, session: bar.session, reason: .openOutsideRange,
                        detail: "open \(bar.open) outside [low \(bar.low), high \(bar.high)]"
                    )
                )
                flagged.insert(bar.session)
            }
        }

        let incoming = acceptedRows.values.sorted { $0.bar.session < $1.bar.session }
        let series = Self.merge(existing: existing, incoming: incoming)
        issues += self.gapIssues(in: series)
        let moves = self.largeMoveIssues(in: series, actions: actions)
        issues += moves
        for issue in moves { if let session = issue.session { flagged.insert(session) } }

        let (listed, omitted) = self.bounded(Self.ordered(issues))
        return ValidationReport(
            accepted: incoming.map(\.bar), issues: listed, flaggedSessions: flagged, omittedIssueCounts: omitted
        )
    }

    /// The first rejecting rule a bar breaks, with its detail, or `nil` when the bar may be stored.
    func rejection(of bar: PriceBar) -> (RowIssueReason, String)? {
        if bar.session > self.today {
            return (.futureSession, "\(bar.session) is after today (\(self.today))")
        }
        if !self.calendar.isSession(bar.session) {
            let kind = bar.session.isWeekend ? "a \(Self.weekdayName(bar.session))" : "a holiday or closure"
            return (.nonSession, "\(bar.session) is \(kind), not a \(self.calendar.identifier) session")
        }
        let prices = [("open", bar.open), ("high", bar.high), ("low", bar.low), ("close", bar.close)]
        let bad = prices.filter { !($0.1 > 0 && $0.1.isFinite) }
        if !bad.isEmpty {
            let list = bad.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            return (.nonPositivePrice, "\(list): prices must be positive finite numbers")
        }
        if bar.volume < 0 {
            return (.negativeVolume, "volume \(bar.volume) is negative")
        }
        let implausible = prices.filter { !PlausibleRange.price.contains($0.1) }
        if !implausible.isEmpty {
            let list = implausible.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            return (.implausibleValue, "\(list): prices must be within \(PlausibleRange.priceText)")
        }
        if !PlausibleRange.volume.contains(bar.volume) {
            return (.implausibleValue, "volume \(bar.volume) is above \(PlausibleRange.volumeText)")
        }
        if bar.high < bar.low {
            return (.highBelowLow, "high \(bar.high) < low \(bar.low)")
        }
        if bar.close < bar.low || bar.close > bar.high {
            return (.closeOutsideRange, "close \(bar.close) outside [low \(bar.low), high \(bar.high)]")
        }
        return nil
    }

    /// Issues by session, then row (`nil` rows last), then reason, so the order does not depend on hashing.
    static func ordered(_ issues: [RowIssue]) -> [RowIssue] {
        let reasonRank = Dictionary(uniqueKeysWithValues: RowIssueReason.allCases.enumerated().map { ($1, $0) })
        return issues.sorted { a, b in
            let sessionA = a.session?.dayNumber ?? .max
            let sessionB = b.session?.dayNumber ?? .max
            if sessionA != sessionB { return sessionA < sessionB }
            let rowA = a.row ?? .max
            let rowB = b.row ?? .max
            if rowA != rowB { return rowA < rowB }
            return reasonRank[a.reason, default: 0] < reasonRank[b.reason, default: 0]
        }
    }

    /// Keeps the first `issueLimitPerReason` issues of each reason and counts the rest.
    func bounded(_ issues: [RowIssue]) -> (listed: [RowIssue], omitted: [RowIssueReason: Int]) {
        var counts: [RowIssueReason: Int] = [:]
        var omitted: [RowIssueReason: Int] = [:]
        var listed: [RowIssue] = []
        for issue in issues {
            counts[issue.reason, default: 0] += 1
            if counts[issue.reason, default: 0] <= self.issueLimitPerReason {
                listed.append(issue)
            } else {
                omitted[issue.reason, default: 0] += 1
            }
        }
        return (listed, omitted)
    }

    /// English name of the date's weekday, for details.
    static func weekdayName(_ date: SessionDate) -> String {
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][date.weekday - 1]
    }
}
