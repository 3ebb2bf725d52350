/// The regular-session calendar of the US equity exchanges (NYSE, NASDAQ and the venues that follow them), `XNYS`.
///
/// A weekday is a session unless it is an observed holiday or a one-off closure; the rules are in
/// `USEquityCalendar+Rules.swift` and agree with the `exchange_calendars` XNYS calendar on every weekday of
/// 1971–2100 (checked by `USEquityCalendarTests` against a fixture generated with it). Early closes (13:00) are full
/// sessions here, since a daily bar exists for them.
///
/// `isSession` is a weekend test plus one bit lookup: closures for `tableYears` are computed once, on first use,
/// into a bit set of days. Dates outside that range compute their year's closures on each call (correct, slower).
public struct USEquityCalendar: TradingCalendar {
    /// Years whose closures are precomputed.
    public static let tableYears: ClosedRange<Int> = 1971...2100

    /// Creates the calendar (cheap: the closure table is shared and built once).
    public init() {}

    /// `XNYS`.
    public var identifier: String { "XNYS" }

    /// `false` on weekends, observed holidays and one-off closures.
    public func isSession(_ date: SessionDate) -> Bool {
        if date.isWeekend { return false }
        if let closed = USEquityCalendar.table.isClosed(date) { return !closed }
        let year = date.year
        return !USEquityCalendar.closures(in: year).contains { $0.session == date }
    }

    /// Weekday closures of `tableYears` as one bit per day, built on first use (Swift `static let` initialisation is
    /// lazy and thread-safe).
    private static let table = ClosureTable(years: tableYears)
}

/// One bit per day over a range of whole years: set when the exchange is closed on that weekday.
private struct ClosureTable: Sendable {
    /// Day number of the first day covered (January 1 of the first year).
    let firstDay: Int32
    /// Day number of the last day covered (December 31 of the last year).
    let lastDay: Int32
    /// Bit `d - firstDay` is set when day `d` is a weekday closure.
    let bits: [UInt64]

    init(years: ClosedRange<Int>) {
        guard let first = SessionDate(year: years.lowerBound, month: 1, day: 1),
            let last = SessionDate(year: years.upperBound, month: 12, day: 31)
        else { preconditionFailure("closure table years \(years) outside SessionDate's range") }
        self.firstDay = first.dayNumber
        self.lastDay = last.dayNumber
        var bits = [UInt64](repeating: 0, count: Int(last.dayNumber - first.dayNumber) / 64 + 1)
        for year in years {
            for closure in USEquityCalendar.closures(in: year) {
                let offset = Int(closure.session.dayNumber - first.dayNumber)
                bits[offset >> 6] |= 1 << UInt64(offset & 63)
            }
        }
        self.bits = bits
    }

    /// Whether `date` is a closure, or `nil` when the date is outside the table.
    func isClosed(_ date: SessionDate) -> Bool? {
        guard date.dayNumber >= self.firstDay, date.dayNumber <= self.lastDay else { return nil }
        let offset = Int(date.dayNumber - self.firstDay)
        return self.bits[offset >> 6] & (1 << UInt64(offset & 63)) != 0
    }
}
