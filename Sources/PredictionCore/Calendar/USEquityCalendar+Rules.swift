extension USEquityCalendar {
    /// The weekday closures of `year`, ascending: holidays by rule (with the NYSE's weekend observance) plus the
    /// one-off closures listed in `specialClosures`.
    ///
    /// Holiday rules (NYSE Rule 7.2 and its history): New Year's Day (a Sunday moves to Monday; a Saturday is not
    /// observed, because Friday December 31 closes the books for the year), Martin Luther King Jr. Day (third
    /// Monday of January, from 1998), Washington's Birthday (third Monday of February), Good Friday (two days
    /// before Gregorian Easter), Memorial Day (last Monday of May), Juneteenth (June 19, from 2022), Independence
    /// Day (July 4), Labor Day (first Monday of September), Thanksgiving (fourth Thursday of November) and
    /// Christmas (December 25). Fixed-date holidays other than New Year's move from Saturday to Friday and from
    /// Sunday to Monday. The Monday rules date from the Uniform Monday Holiday Act (effective 1971), so the
    /// rules are exact from 1971 on; earlier years are approximate.
    public static func closures(in year: Int) -> [MarketClosure] {
        var result: [MarketClosure] = []
        func add(_ date: SessionDate?, _ name: String) {
            if let date, !date.isWeekend { result.append(MarketClosure(session: date, name: name)) }
        }
        if let newYear = SessionDate(year: year, month: 1, day: 1) {
            // Sunday → Monday; Saturday is not moved back into the previous year.
            add(newYear.weekday == 7 ? newYear.adding(days: 1) : newYear, "New Year's Day")
        }
        if year >= 1998 { add(self.nthWeekday(3, weekday: 1, year: year, month: 1), "Martin Luther King Jr. Day") }
        add(self.nthWeekday(3, weekday: 1, year: year, month: 2), "Washington's Birthday")
        add(self.easterSunday(year: year)?.adding(days: -2), "Good Friday")
        add(self.lastWeekday(1, year: year, month: 5), "Memorial Day")
        if year >= 2022 { add(self.observed(year: year, month: 6, day: 19), "Juneteenth") }
        add(self.observed(year: year, month: 7, day: 4), "Independence Day")
        add(self.nthWeekday(1, weekday: 1, year: year, month: 9), "Labor Day")
        add(self.nthWeekday(4, weekday: 4, year: year, month: 11), "Thanksgiving Day")
        add(self.observed(year: year, month: 12, day: 25), "Christmas Day")
        for closure in self.specialClosures where closure.session.year == year {
            add(closure.session, closure.name)
        }
        result.sort { $0.session < $1.session }
        // A one-off closure could coincide with a holiday; keep one entry per day.
        var unique: [MarketClosure] = []
        for closure in result where unique.last?.session != closure.session { unique.append(closure) }
        return unique
    }

    /// Closures that no rule predicts, each with the reason the exchange closed.
    public static let specialClosures: [MarketClosure] = {
        let list: [(String, String)] = [
            // Presidential election days: the NYSE closed on them through 1980.
            ("1972-11-07", "Presidential Election Day"),
            ("1976-11-02", "Presidential Election Day"),
            ("1980-11-04", "Presidential Election Day"),
            // National day of mourning for President Harry S. Truman.
            ("1972-12-28", "Funeral of President Truman"),
            // National day of mourning for President Lyndon B. Johnson.
            ("1973-01-25", "Funeral of President Johnson"),
            // New York City blackout of July 13–14, 1977.
            ("1977-07-14", "New York City blackout"),
            // Hurricane Gloria.
            ("1985-09-27", "Hurricane Gloria"),
            // National day of mourning for President Richard Nixon.
            ("1994-04-27", "Funeral of President Nixon"),
            // Terrorist attacks of September 11, 2001: markets stayed closed through Friday September 14.
            ("2001-09-11", "September 11 attacks"),
            ("2001-09-12", "September 11 attacks"),
            ("2001-09-13", "September 11 attacks"),
            ("2001-09-14", "September 11 attacks"),
            // National day of mourning for President Ronald Reagan.
            ("2004-06-11", "Funeral of President Reagan"),
            // National day of mourning for President Gerald Ford.
            ("2007-01-02", "Funeral of President Ford"),
            // Hurricane Sandy: closed Monday and Tuesday October 29–30, 2012.
            ("2012-10-29", "Hurricane Sandy"),
            ("2012-10-30", "Hurricane Sandy"),
            // National day of mourning for President George H. W. Bush.
            ("2018-12-05", "Funeral of President George H. W. Bush"),
            // National day of mourning for President Jimmy Carter.
            ("2025-01-09", "Funeral of President Carter"),
        ]
        return list.map { text, name in
            guard let date = SessionDate(text) else { preconditionFailure("bad special closure date \(text)") }
            return MarketClosure(session: date, name: name)
        }
    }()

    /// Gregorian Easter Sunday of `year` (the anonymous Gregorian computus of Meeus/Jones/Butcher).
    public static func easterSunday(year: Int) -> SessionDate? {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return SessionDate(year: year, month: month, day: day)
    }

    /// The `n`-th given ISO weekday (1 = Monday … 7 = Sunday) of a month.
    static func nthWeekday(_ n: Int, weekday: Int, year: Int, month: Int) -> SessionDate? {
        guard let first = SessionDate(year: year, month: month, day: 1) else { return nil }
        let offset = (weekday - first.weekday + 7) % 7
        return first.adding(days: offset + 7 * (n - 1))
    }

    /// The last given ISO weekday of a month.
    static func lastWeekday(_ weekday: Int, year: Int, month: Int) -> SessionDate? {
        guard let last = SessionDate(year: year, month: month, day: SessionDate.daysInMonth(year: year, month: month))
        else { return nil }
        return last.adding(days: -((last.weekday - weekday + 7) % 7))
    }

    /// A fixed-date holiday as observed: Saturday → Friday before, Sunday → Monday after.
    static func observed(year: Int, month: Int, day: Int) -> SessionDate? {
        guard let date = SessionDate(year: year, month: month, day: day) else { return nil }
        switch date.weekday {
        case 6: return date.adding(days: -1)
        case 7: return date.adding(days: 1)
        default: return date
        }
    }
}
