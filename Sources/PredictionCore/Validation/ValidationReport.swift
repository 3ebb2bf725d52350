/// What `BarValidator` made of one batch of incoming rows.
public struct ValidationReport: Sendable, Hashable {
    /// The rows to store, ascending by session with one bar per session.
    public var accepted: [PriceBar]
    /// Rejections and flags, ordered by session, then row (issues about gaps, which have no row, come after rows of
    /// the same session). At most `BarValidator.issueLimitPerReason` issues per reason; the rest are counted in
    /// `omittedIssueCounts`.
    public var issues: [RowIssue]
    /// Sessions that are stored but suspicious (open outside the day's range, large move without a split). Contains
    /// every flagged session, including those whose issue was omitted by the per-reason limit.
    public var flaggedSessions: Set<SessionDate>
    /// For each reason whose issues exceeded the per-reason limit, how many issues were left out of `issues`.
    public var omittedIssueCounts: [RowIssueReason: Int]

    /// Creates a report.
    public init(
        accepted: [PriceBar], issues: [RowIssue], flaggedSessions: Set<SessionDate>,
        omittedIssueCounts: [RowIssueReason: Int] = [:]
    ) {
        self.accepted = accepted
        self.issues = issues
        self.flaggedSessions = flaggedSessions
        self.omittedIssueCounts = omittedIssueCounts
    }

    /// Number of incoming rows that were rejected (each rejected row has exactly one issue, listed or omitted).
    public var rejectedRowCount: Int {
        let listed = self.issues.count { $0.severity == .rejected }
        let omitted = self.omittedIssueCounts.reduce(0) { $0 + ($1.key.rejectsRow ? $1.value : 0) }
        return listed + omitted
    }
}
