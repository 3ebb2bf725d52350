/// The fallback calendar for exchanges we have no holiday rules for: every Monday–Friday is a session.
///
/// Using it for a real exchange means its holidays are treated as sessions, so a gap check reports them as
/// missing and a horizon counts them; that is the honest answer when the rules are unknown.
public struct WeekdayCalendar: TradingCalendar {
    /// Creates the calendar.
    public init() {}

    /// `WEEKDAYS`.
    public var identifier: String { "WEEKDAYS" }

    /// `true` from Monday to Friday.
    public func isSession(_ date: SessionDate) -> Bool {
        !date.isWeekend
    }
}
