import PredictionCore
import TestSupport
import Testing

@Suite struct USEquityCalendarTests {
    let calendar = USEquityCalendar()

    /// The weekday non-sessions of `exchange_calendars` XNYS, 1971–2100 (see FixtureTools/generate_fixtures.py).
    static func referenceClosures() throws -> Set<SessionDate> {
        var result = Set<SessionDate>()
        for line in try Fixtures.text("xnys-closures-1971-2100.txt").split(separator: "\n") where !line.hasPrefix("#") {
            guard let date = SessionDate(String(line)) else { throw FixtureError(line: 0, text: String(line)) }
            result.insert(date)
        }
        return result
    }

    @Test func agreesWithExchangeCalendarsOnEveryWeekdayFrom1971To2100() throws {
        let reference = try Self.referenceClosures()
        #expect(reference.count == 1_221)
        let first = FixtureSeries.day("1971-01-01")
        let last = FixtureSeries.day("2100-12-31")
        var day = first
        var weekdays = 0
        var disagreements: [String] = []
        while day <= last {
            if !day.isWeekend {
                weekdays += 1
                if self.calendar.isSession(day) == reference.contains(day) {
                    disagreements.append("\(day): ours \(self.calendar.isSession(day)), reference \(!reference.contains(day))")
                }
            }
            day = day.adding(days: 1)
        }
        #expect(weekdays > 33_000)
        #expect(disagreements.isEmpty, "\(disagreements.prefix(20))")
    }

    @Test func closuresByYearMatchTheReference() throws {
        let reference = try Self.referenceClosures()
        for year in 1990...2040 {
            let ours = Set(USEquityCalendar.closures(in: year).map(\.session))
            let theirs = reference.filter { $0.year == year }
            #expect(ours == theirs, "year \(year)")
        }
    }

    @Test(arguments: [
        ("2021-12-31", true, "Saturday New Year's Day is not observed on the Friday before"),
        ("2017-01-02", false, "Sunday New Year's Day observed on Monday"),
        ("1997-01-20", true, "MLK day not observed before 1998"),
        ("1998-01-19", false, "MLK day from 1998"),
        ("2024-02-19", false, "Washington's Birthday"),
        ("2024-03-29", false, "Good Friday"),
        ("2024-05-27", false, "Memorial Day"),
        ("2021-06-18", true, "no Juneteenth before 2022"),
        ("2022-06-20", false, "Juneteenth on a Sunday observed Monday"),
        ("2026-06-19", false, "Juneteenth"),
        ("2020-07-03", false, "Independence Day on a Saturday observed Friday"),
        ("2021-07-05", false, "Independence Day on a Sunday observed Monday"),
        ("2024-09-02", false, "Labor Day"),
        ("2024-11-28", false, "Thanksgiving"),
        ("2024-11-29", true, "day after Thanksgiving is an (early-close) session"),
        ("2021-12-24", false, "Christmas on a Saturday observed Friday"),
        ("2022-12-26", false, "Christmas on a Sunday observed Monday"),
        ("2024-12-24", true, "Christmas Eve is an (early-close) session"),
        ("1994-04-27", false, "Nixon funeral"),
        ("2001-09-11", false, "September 11"),
        ("2001-09-14", false, "September 11"),
        ("2001-09-17", true, "markets reopened"),
        ("2004-06-11", false, "Reagan funeral"),
        ("2007-01-02", false, "Ford funeral"),
        ("2012-10-29", false, "Hurricane Sandy"),
        ("2012-10-30", false, "Hurricane Sandy"),
        ("2018-12-05", false, "G. H. W. Bush funeral"),
        ("2025-01-09", false, "Carter funeral"),
        ("2024-03-30", false, "Saturday"),
        ("2024-03-31", false, "Sunday"),
        ("2024-04-01", true, "ordinary Monday"),
    ])
    func knownDays(text: String, isSession: Bool, why: String) {
        #expect(self.calendar.isSession(FixtureSeries.day(text)) == isSession, "\(text): \(why)")
    }

    @Test(arguments: [
        (1818, "1818-03-22"), (1943, "1943-04-25"), (2000, "2000-04-23"), (2008, "2008-03-23"),
        (2011, "2011-04-24"), (2019, "2019-04-21"), (2024, "2024-03-31"), (2038, "2038-04-25"), (2100, "2100-03-28"),
    ])
    func easterSunday(year: Int, expected: String) {
        #expect(USEquityCalendar.easterSunday(year: year)?.description == expected)
    }

    @Test func everySpecialClosureIsAWeekdayWithAName() {
        for closure in USEquityCalendar.specialClosures {
            #expect(!closure.session.isWeekend, "\(closure.session)")
            #expect(!closure.name.isEmpty)
            #expect(!self.calendar.isSession(closure.session))
        }
    }

    @Test(arguments: [(2001, 248), (2012, 250), (2022, 251), (2023, 250), (2024, 252), (2040, 251)])
    func sessionCountsPerYear(year: Int, sessions: Int) throws {
        let range = try #require(SessionDate(year: year, month: 1, day: 1))...#require(SessionDate(year: year, month: 12, day: 31))
        #expect(self.calendar.sessions(in: range).count == sessions)
    }

    @Test func navigationSkipsHolidaysAndWeekends() {
        #expect(self.calendar.nextSession(after: FixtureSeries.day("2024-03-28")).description == "2024-04-01")
        #expect(self.calendar.previousSession(before: FixtureSeries.day("2024-01-02")).description == "2023-12-29")
        #expect(
            self.calendar.sessions(after: FixtureSeries.day("2012-10-26"), count: 3).map(\.description)
                == ["2012-10-31", "2012-11-01", "2012-11-02"]
        )
        #expect(
            self.calendar.sessions(before: FixtureSeries.day("2001-09-17"), count: 2).map(\.description)
                == ["2001-09-07", "2001-09-10"]
        )
    }

    @Test func yearsOutsideTheTableFollowTheSameRules() {
        // 2150-12-25 is a Friday; 2150-07-04 a Saturday, observed on Friday 07-03; 1880-01-01 a Thursday.
        #expect(!self.calendar.isSession(FixtureSeries.day("2150-12-25")))
        #expect(!self.calendar.isSession(FixtureSeries.day("2150-07-03")))
        #expect(self.calendar.isSession(FixtureSeries.day("2150-07-06")))
        #expect(!self.calendar.isSession(FixtureSeries.day("1880-01-01")))
        #expect(self.calendar.isSession(FixtureSeries.day("1880-01-02")))
    }

    @Test(arguments: ["goog.csv", "gspc.csv"])
    func realSeriesMatchTheCalendarExactly(file: String) throws {
        let dates = try FixtureSeries.bars(file).map(\.session)
        let first = try #require(dates.first)
        let last = try #require(dates.last)
        #expect(dates.count > 2_000)
        let nonSessions = dates.filter { !self.calendar.isSession($0) }
        #expect(nonSessions.isEmpty, "\(file) rows on non-sessions: \(nonSessions.prefix(10))")
        let expected = self.calendar.sessions(in: first...last)
        let missing = Set(expected).subtracting(dates).sorted()
        #expect(missing.isEmpty, "\(file) sessions without a row: \(missing.prefix(10))")
        #expect(dates == expected)
    }
}

@Suite struct TradingCalendarsTests {
    @Test(arguments: ["NYSE", "NASDAQ", "XNYS", "XNAS", "US", "AMEX", "NYSEARCA", "ARCA", "BATS", "nasdaq"])
    func usExchangesUseTheUSEquityCalendar(code: String) throws {
        let exchange = try #require(ExchangeCode(code))
        #expect(TradingCalendars.calendar(for: exchange).identifier == "XNYS")
    }

    @Test(arguments: ["TW", "LSE", "XTKS", "TWO", "HK"])
    func otherExchangesFallBackToWeekdays(code: String) throws {
        let exchange = try #require(ExchangeCode(code))
        let calendar = TradingCalendars.calendar(for: exchange)
        #expect(calendar.identifier == "WEEKDAYS")
        #expect(calendar.isSession(FixtureSeries.day("2024-12-25")))
    }

    @Test func weekdayCalendarIsMondayToFriday() {
        let calendar = WeekdayCalendar()
        let monday = FixtureSeries.day("2024-03-25")
        let pattern = (0..<7).map { calendar.isSession(monday.adding(days: $0)) }
        #expect(pattern == [true, true, true, true, true, false, false])
        #expect(calendar.nextSession(after: FixtureSeries.day("2024-03-29")).description == "2024-04-01")
    }
}
