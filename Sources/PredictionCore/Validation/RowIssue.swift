/// Why a row was rejected or flagged. The raw value is the stable code shown in run reports and the API.
public enum RowIssueReason: String, Hashable, Sendable, Codable, CaseIterable {
    /// A field is missing or not a number/date (rejected).
    case unparseable = "unparseable"
    /// Open, high, low or close ≤ 0 (rejected).
    case nonPositivePrice = "non_positive_price"
    /// High below low (rejected).
    case highBelowLow = "high_below_low"
    /// Close outside [low, high] (rejected).
    case closeOutsideRange = "close_outside_range"
    /// Open outside [low, high] (flagged: some sources print the auction price; kept).
    case openOutsideRange = "open_outside_range"
    /// Negative volume (rejected).
    case negativeVolume = "negative_volume"
    /// A price, volume, dividend or split ratio outside `PlausibleRange` (rejected): no instrument trades there, and
    /// storing it would let indicators overflow.
    case implausibleValue = "implausible_value"
    /// A second row for a session already in the batch (rejected; the first is kept).
    case duplicateSession = "duplicate_session"
    /// A date that is not a session of the exchange's calendar: weekend, holiday, closure (rejected).
    case nonSession = "non_session"
    /// A date after today (rejected).
    case futureSession = "future_session"
    /// Sessions missing between stored/received rows (flagged; no row to keep).
    case missingSessions = "missing_sessions"
    /// Day-over-day close move above the threshold (50 %) with no split event that explains it (flagged, kept).
    case largeMoveWithoutSplit = "large_move_without_split"

    /// Whether rows with this reason are dropped (`true`) or kept and flagged (`false`).
    public var rejectsRow: Bool {
        switch self {
        case .unparseable, .nonPositivePrice, .highBelowLow, .closeOutsideRange, .negativeVolume, .implausibleValue,
            .duplicateSession, .nonSession, .futureSession:
            return true
        case .openOutsideRange, .missingSessions, .largeMoveWithoutSplit:
            return false
        }
    }
}

/// One problem found in the input of an ETL run, with enough position to find the row again.
public struct RowIssue: Hashable, Sendable, Codable {
    /// `rejected` rows are not stored; `flagged` rows are stored and listed in the run report.
    public enum Severity: String, Hashable, Sendable, Codable {
        case rejected
        case flagged
    }

    /// Source line / array position (1-based), `nil` for issues about missing rows (gaps).
    public var row: Int?
    /// The session the issue is about (for a gap: the first missing session), `nil` when the date did not parse.
    public var session: SessionDate?
    /// Rejected or flagged.
    public var severity: Severity
    /// Machine-readable reason.
    public var reason: RowIssueReason
    /// Human-readable detail, e.g. "high 10.2 < low 10.5" or "3 sessions missing: 2010-01-04 … 2010-01-06".
    public var detail: String

    /// Creates an issue; severity follows from the reason.
    public init(row: Int?, session: SessionDate?, reason: RowIssueReason, detail: String) {
        self.row = row
        self.session = session
        self.reason = reason
        self.severity = reason.rejectsRow ? .rejected : .flagged
        self.detail = detail
    }
}
