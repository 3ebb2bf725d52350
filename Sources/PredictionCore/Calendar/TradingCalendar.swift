/// Which dates an exchange trades on. Horizons, gaps and target dates all count sessions of this calendar.
///
/// Conformers implement `isSession`; navigation (`nextSession`, `sessions(after:count:)`, …) comes from the
/// extension. Implemented by `USEquityCalendar` (NYSE/NASDAQ holidays by rule plus documented one-off closures)
/// and `WeekdayCalendar` (fallback for exchanges we have no rules for).
public protocol TradingCalendar: Sendable {
    /// A short name: `XNYS` for the US equity calendar, `WEEKDAYS` for the fallback.
    var identifier: String { get }
    /// Whether the exchange holds a regular session on `date`.
    func isSession(_ date: SessionDate) -> Bool
}

extension TradingCalendar {
    /// The first session strictly after `date`.
    public func nextSession(after date: SessionDate) -> SessionDate {
        var d = date.adding(days: 1)
        while !self.isSession(d) { d = d.adding(days: 1) }
        return d
    }

    /// The last session strictly before `date`.
    public func previousSession(before date: SessionDate) -> SessionDate {
        var d = date.adding(days: -1)
        while !self.isSession(d) { d = d.adding(days: -1) }
        return d
    }

    /// The next `count` sessions strictly after `date`, ascending.
    public func sessions(after date: SessionDate, count: Int) -> [SessionDate] {
        var result: [SessionDate] = []
        result.reserveCapacity(max(count, 0))
        var d = date
        for _ in 0..<max(count, 0) {
            d = self.nextSession(after: d)
            result.append(d)
        }
        return result
    }

    /// The `count` sessions strictly before `date`, ascending.
    public func sessions(before date: SessionDate, count: Int) -> [SessionDate] {
        var result: [SessionDate] = []
        result.reserveCapacity(max(count, 0))
        var d = date
        for _ in 0..<max(count, 0) {
            d = self.previousSession(before: d)
            result.append(d)
        }
        return result.reversed()
    }

    /// Every session in `range` (both ends included), ascending.
    public func sessions(in range: ClosedRange<SessionDate>) -> [SessionDate] {
        var result: [SessionDate] = []
        var d = range.lowerBound
        while d <= range.upperBound {
            if self.isSession(d) { result.append(d) }
            d = d.adding(days: 1)
        }
        return result
    }
}
