import PredictionCore
import Testing

@Suite struct SessionDateTests {
    @Test func everyDayFrom1900To2100RoundTripsThroughComponentsAndText() throws {
        // Independent reference: walk the calendar month by month and count days from 1900-01-01.
        let start = try #require(SessionDate(year: 1900, month: 1, day: 1))
        #expect(start.dayNumber == -25_567)
        var expected = start.dayNumber
        var checked = 0
        for year in 1900...2100 {
            for month in 1...12 {
                for day in 1...SessionDate.daysInMonth(year: year, month: month) {
                    let date = try #require(SessionDate(year: year, month: month, day: day))
                    #expect(date.dayNumber == expected)
                    let components = date.components
                    #expect(components.year == year && components.month == month && components.day == day)
                    #expect(SessionDate(date.description) == date)
                    expected += 1
                    checked += 1
                }
            }
        }
        #expect(checked == 73_414)
        #expect(SessionDate(dayNumber: expected - 1).description == "2100-12-31")
    }

    @Test(arguments: [
        ("1900-01-01", 1), ("1969-12-31", 3), ("1970-01-01", 4), ("2000-01-01", 6), ("2000-02-29", 2),
        ("2001-09-11", 2), ("2024-02-29", 4), ("2024-12-25", 3), ("2100-12-31", 5),
    ])
    func weekdayOfKnownDates(text: String, isoWeekday: Int) throws {
        let date = try #require(SessionDate(text))
        #expect(date.weekday == isoWeekday)
        #expect(date.isWeekend == (isoWeekday >= 6))
    }

    @Test(arguments: [
        "", "2023-02-29", "1900-02-29", "2023-13-01", "2023-00-10", "2023-01-00", "2023-01-32", "2023-04-31",
        "2023-1-01", "2023-01-1", "2023/01/01", "20230101", "2023-01-01T00:00", " 2023-01-01", "2023-01-01 ",
        "abcd-ef-gh", "+023-01-01", "1799-12-31", "2201-01-01", "２０２３-01-01",
    ])
    func invalidStringsAreRejected(text: String) {
        #expect(SessionDate(text) == nil)
    }

    @Test func leapDayOfALeapYearParses() {
        #expect(SessionDate("2000-02-29")?.description == "2000-02-29")
        #expect(SessionDate(year: 2024, month: 2, day: 29) != nil)
        #expect(SessionDate(year: 2023, month: 2, day: 29) == nil)
    }

    @Test func arithmeticAndOrdering() throws {
        let a = try #require(SessionDate("2024-02-28"))
        #expect(a.adding(days: 2).description == "2024-03-01")
        #expect(a.adding(days: -59).description == "2023-12-31")
        #expect(a.days(to: a.adding(days: 400)) == 400)
        #expect(a < a.adding(days: 1))
    }
}
