import PredictionCore
import Testing

@Suite struct BarValidatorTests {
    let validator = BarValidator(calendar: USEquityCalendar(), today: FixtureSeries.day("2024-03-28"))

    /// Rows numbered from 2 (line 1 is the header), in the order given.
    func numbered(_ bars: [PriceBar]) -> [NumberedBar] {
        bars.enumerated().map { NumberedBar(row: $0.offset + 2, bar: $0.element) }
    }

    func validate(
        _ bars: [PriceBar], existing: [PriceBar] = [], actions: [CorporateAction] = []
    ) -> ValidationReport {
        self.validator.validate(self.numbered(bars), existing: existing, actions: actions)
    }

    @Test func cleanBatchIsAcceptedAscendingWithoutIssues() {
        let bars = [
            FixtureSeries.bar("2024-01-05", close: 12), FixtureSeries.bar("2024-01-04", close: 11),
            FixtureSeries.bar("2024-01-03", close: 10.5), FixtureSeries.bar("2024-01-02", close: 10),
        ]
        let report = self.validate(bars)
        #expect(report.issues.isEmpty)
        #expect(report.flaggedSessions.isEmpty)
        #expect(report.accepted == bars.reversed())
        #expect(report.rejectedRowCount == 0)
    }

    @Test func nonPositivePriceIsRejected() throws {
        let report = self.validate([
            FixtureSeries.bar("2024-01-02", close: 10),
            FixtureSeries.bar("2024-01-03", open: -1, low: 0, close: 10),
            FixtureSeries.bar("2024-01-04", open: .nan, close: 10),
        ])
        #expect(report.accepted.map(\.session.description) == ["2024-01-02"])
        let issues = report.issues.filter { $0.reason == .nonPositivePrice }
        #expect(issues.count == 2)
        let first = try #require(issues.first)
        #expect(first.row == 3 && first.session?.description == "2024-01-03" && first.severity == .rejected)
        #expect(first.detail == "open -1.0, low 0.0: prices must be positive finite numbers")
        #expect(issues.last?.detail.hasPrefix("open nan") == true)
    }

    @Test func highBelowLowIsRejected() throws {
        let report = self.validate([FixtureSeries.bar("2024-01-02", open: 10.3, high: 10.2, low: 10.5, close: 10.3)])
        let issue = try #require(report.issues.first)
        #expect(report.accepted.isEmpty)
        #expect(issue.reason == .highBelowLow && issue.severity == .rejected && issue.row == 2)
        #expect(issue.detail == "high 10.2 < low 10.5")
    }

    @Test func closeOutsideRangeIsRejected() throws {
        let report = self.validate([FixtureSeries.bar("2024-01-02", high: 10.5, low: 10, close: 11)])
        let issue = try #require(report.issues.first)
        #expect(report.accepted.isEmpty)
        #expect(issue.reason == .closeOutsideRange)
        #expect(issue.detail == "close 11.0 outside [low 10.0, high 10.5]")
    }

    @Test func negativeVolumeIsRejected() throws {
        let report = self.validate([FixtureSeries.bar("2024-01-02", close: 10, volume: -5)])
        let issue = try #require(report.issues.first)
        #expect(report.accepted.isEmpty)
        #expect(issue.reason == .negativeVolume && issue.detail == "volume -5 is negative")
    }

    @Test func openOutsideRangeIsFlaggedAndKept() throws {
        let bar = FixtureSeries.bar("2024-01-02", open: 9.5, high: 10.5, low: 10, close: 10.2)
        let report = self.validate([bar])
        let issue = try #require(report.issues.first)
        #expect(report.accepted == [bar])
        #expect(issue.reason == .openOutsideRange && issue.severity == .flagged && issue.row == 2)
        #expect(issue.detail == "open 9.5 outside [low 10.0, high 10.5]")
        #expect(report.flaggedSessions == [bar.session])
        #expect(report.rejectedRowCount == 0)
    }

    @Test func laterDuplicateOfASessionIsRejected() throws {
        let first = FixtureSeries.bar("2024-01-02", close: 10)
        let second = FixtureSeries.bar("2024-01-02", close: 20)
        let report = self.validate([first, second])
        #expect(report.accepted == [first])
        let issue = try #require(report.issues.first)
        #expect(issue.reason == .duplicateSession && issue.row == 3)
        #expect(issue.detail == "second row for 2024-01-02; the row 2 for that session is kept")
    }

    @Test func correctedRowAfterABrokenOneIsKept() {
        let broken = FixtureSeries.bar("2024-01-02", high: 9, low: 10, close: 9.5)
        let corrected = FixtureSeries.bar("2024-01-02", close: 10)
        let report = self.validate([broken, corrected])
        #expect(report.accepted == [corrected])
        #expect(report.issues.map(\.reason) == [.highBelowLow])
    }

    @Test func weekendAndHolidayRowsAreRejected() {
        let report = self.validate([
            FixtureSeries.bar("2024-01-12", close: 10),
            FixtureSeries.bar("2024-01-13", close: 10),  // Saturday
            FixtureSeries.bar("2024-01-15", close: 10),  // Martin Luther King Jr. Day
            FixtureSeries.bar("2024-01-16", close: 10),
        ])
        #expect(report.accepted.map(\.session.description) == ["2024-01-12", "2024-01-16"])
        #expect(report.issues.map(\.reason) == [.nonSession, .nonSession])
        #expect(report.issues.map(\.detail) == [
            "2024-01-13 is a Saturday, not a XNYS session",
            "2024-01-15 is a holiday or closure, not a XNYS session",
        ])
    }

    @Test func rowsAfterTodayAreRejected() throws {
        let report = self.validate([FixtureSeries.bar("2024-03-27", close: 10), FixtureSeries.bar("2024-04-01", close: 10)])
        #expect(report.accepted.map(\.session.description) == ["2024-03-27"])
        let issue = try #require(report.issues.first)
        #expect(issue.reason == .futureSession && issue.row == 3)
        #expect(issue.detail == "2024-04-01 is after today (2024-03-28)")
    }

    @Test func gapBetweenStoredAndIncomingRowsIsOneIssue() throws {
        let existing = [FixtureSeries.bar("2024-01-02", close: 10), FixtureSeries.bar("2024-01-03", close: 10)]
        let report = self.validate(
            [FixtureSeries.bar("2024-01-09", close: 10), FixtureSeries.bar("2024-01-10", close: 10)], existing: existing
        )
        #expect(report.issues.count == 1)
        let issue = try #require(report.issues.first)
        #expect(issue.reason == .missingSessions && issue.severity == .flagged && issue.row == nil)
        #expect(issue.session?.description == "2024-01-04")
        #expect(issue.detail == "3 sessions missing: 2024-01-04 … 2024-01-08 (between 2024-01-03 and 2024-01-09)")
        #expect(report.flaggedSessions.isEmpty)
    }

    @Test func gapInsideTheBatchIsReportedButOldGapsAreNot() {
        let existing = [
            FixtureSeries.bar("2023-06-01", close: 10),
            FixtureSeries.bar("2023-06-06", close: 10),  // an old gap of 2 sessions, far from the batch
            FixtureSeries.bar("2024-01-02", close: 10),
        ]
        let report = self.validate(
            [FixtureSeries.bar("2024-01-03", close: 10), FixtureSeries.bar("2024-01-05", close: 10)], existing: existing
        )
        #expect(report.issues.map(\.detail) == ["1 session missing: 2024-01-04 (between 2024-01-03 and 2024-01-05)"])
    }

    @Test func holidaysInsideAGapAreNotMissing() {
        // 2024-03-28 → 2024-04-02: Good Friday and the weekend are not sessions; only Monday 04-01 is missing.
        let validator = BarValidator(calendar: USEquityCalendar(), today: FixtureSeries.day("2024-12-31"))
        let report = validator.validate(
            self.numbered([FixtureSeries.bar("2024-03-28", close: 10), FixtureSeries.bar("2024-04-02", close: 10)]),
            existing: [], actions: []
        )
        #expect(report.issues.map(\.detail) == ["1 session missing: 2024-04-01 (between 2024-03-28 and 2024-04-02)"])
    }

    @Test func decadeLongGapIsStillOneIssue() throws {
        let report = self.validate(
            [FixtureSeries.bar("2024-01-02", close: 10)], existing: [FixtureSeries.bar("2013-12-31", close: 10)]
        )
        let issue = try #require(report.issues.first)
        #expect(report.issues.count == 1)
        #expect(issue.detail == "2516 sessions missing: 2014-01-02 … 2023-12-29 (between 2013-12-31 and 2024-01-02)")
    }

    @Test func largeMoveFromAStoredCloseIsFlaggedUnlessASplitExplainsIt() throws {
        let existing = [FixtureSeries.bar("2024-01-02", close: 100)]
        let incoming = [FixtureSeries.bar("2024-01-03", close: 49), FixtureSeries.bar("2024-01-04", close: 50)]
        let report = self.validate(incoming, existing: existing)
        let issue = try #require(report.issues.first)
        #expect(report.issues.count == 1)
        #expect(issue.reason == .largeMoveWithoutSplit && issue.severity == .flagged && issue.row == 2)
        #expect(issue.detail == "close 49.0 vs previous close 100.0 on 2024-01-02: -51.0 % move (limit ±50.0 %) "
            + "with no split recorded after 2024-01-02 up to 2024-01-03")
        #expect(report.flaggedSessions == [FixtureSeries.day("2024-01-03")])
        #expect(report.accepted == incoming)

        let split = CorporateAction(session: FixtureSeries.day("2024-01-03"), kind: .split, value: 2)
        let explained = self.validate(incoming, existing: existing, actions: [split])
        #expect(explained.issues.isEmpty && explained.flaggedSessions.isEmpty)
    }

    @Test func movesAtTheThresholdAreNotFlagged() {
        let report = self.validate([
            FixtureSeries.bar("2024-01-02", close: 100), FixtureSeries.bar("2024-01-03", close: 150),
            FixtureSeries.bar("2024-01-04", close: 75),
        ])
        #expect(report.issues.isEmpty)
    }

    @Test func backfilledRowThatMakesAStoredMoveSuspiciousFlagsTheStoredBar() throws {
        let existing = [FixtureSeries.bar("2024-01-03", close: 100)]
        let report = self.validate([FixtureSeries.bar("2024-01-02", close: 10)], existing: existing)
        let issue = try #require(report.issues.first)
        #expect(issue.reason == .largeMoveWithoutSplit && issue.row == nil)
        #expect(issue.session?.description == "2024-01-03")
        #expect(report.flaggedSessions == [FixtureSeries.day("2024-01-03")])
    }

    @Test func rowsForStoredSessionsReplaceThemWithoutADuplicateIssue() {
        let existing = [FixtureSeries.bar("2024-01-02", close: 10), FixtureSeries.bar("2024-01-03", close: 10)]
        let revised = FixtureSeries.bar("2024-01-03", close: 10.4)
        let report = self.validate([revised], existing: existing)
        #expect(report.issues.isEmpty)
        #expect(report.accepted == [revised])
    }

    @Test func partlyBadBatchKeepsItsGoodRowsAndReportsInOrder() {
        let bars = [
            FixtureSeries.bar("2024-01-02", close: 10),
            FixtureSeries.bar("2024-01-03", high: 9, low: 10, close: 9.5),  // high < low
            FixtureSeries.bar("2024-01-04", close: 10.1),
            FixtureSeries.bar("2024-01-06", close: 10.2),  // Saturday
            FixtureSeries.bar("2024-01-05", open: 12, close: 10.3),  // open outside range
            FixtureSeries.bar("2024-01-08", close: 10.4, volume: -1),
            FixtureSeries.bar("2024-01-09", close: 10.5),
            FixtureSeries.bar("2024-01-09", close: 10.6),  // duplicate
        ]
        let report = self.validate(bars)
        #expect(report.accepted.map(\.close) == [10, 10.1, 10.3, 10.5])
        #expect(report.issues.map(\.reason) == [
            .highBelowLow, .missingSessions, .openOutsideRange, .nonSession, .negativeVolume, .missingSessions,
            .duplicateSession,
        ])
        #expect(report.issues.map { $0.session?.description ?? "" } == [
            "2024-01-03", "2024-01-03", "2024-01-05", "2024-01-06", "2024-01-08", "2024-01-08", "2024-01-09",
        ])
        #expect(report.rejectedRowCount == 4)
        #expect(report.flaggedSessions == [FixtureSeries.day("2024-01-05")])
    }

    @Test func issuesBeyondThePerReasonLimitAreCounted() {
        let validator = BarValidator(
            calendar: USEquityCalendar(), today: FixtureSeries.day("2024-12-31"), issueLimitPerReason: 3
        )
        // Ten weekend rows and one good row.
        var bars: [PriceBar] = [FixtureSeries.bar("2024-01-02", close: 10)]
        var saturday = FixtureSeries.day("2024-01-06")
        for _ in 0..<10 {
            bars.append(PriceBar(session: saturday, open: 10, high: 10, low: 10, close: 10, volume: 1))
            saturday = saturday.adding(days: 7)
        }
        let report = validator.validate(self.numbered(bars), existing: [], actions: [])
        #expect(report.issues.count == 3)
        #expect(report.issues.map { $0.session?.description ?? "" } == ["2024-01-06", "2024-01-13", "2024-01-20"])
        #expect(report.omittedIssueCounts == [.nonSession: 7])
        #expect(report.rejectedRowCount == 10)
        #expect(report.accepted.count == 1)
    }

    @Test func realSeriesValidatesWithoutRejections() throws {
        let validator = BarValidator(calendar: USEquityCalendar(), today: FixtureSeries.day("2024-12-31"))
        for file in ["goog.csv", "gspc.csv"] {
            let rows = try FixtureSeries.rows(file)
            let report = validator.validate(rows, existing: [], actions: [])
            #expect(report.accepted.count == rows.count, "\(file)")
            #expect(report.rejectedRowCount == 0, "\(file): \(report.issues.prefix(5))")
            #expect(!report.issues.contains { $0.reason == .missingSessions }, "\(file)")
        }
    }
}

/// Absurd numbers (issue 9): the two-row file that used to stop the process with SIGILL in the large-move check, its
/// 5e-324 variant, and finite but huge prices, are rejected with `implausible_value` and the row; nothing traps.
@Suite struct BarValidatorAbsurdNumberTests {
    let validator = BarValidator(calendar: USEquityCalendar(), today: FixtureSeries.day("2024-03-28"))

    func validate(_ bars: [PriceBar], existing: [PriceBar] = []) -> ValidationReport {
        self.validator.validate(bars.enumerated().map { NumberedBar(row: $0.offset + 2, bar: $0.element) }, existing: existing, actions: [])
    }

    func bar(_ date: String, _ price: Double) -> PriceBar {
        PriceBar(session: FixtureSeries.day(date), open: price, high: price, low: price, close: price, volume: 1)
    }

    @Test func hugePriceAfterANormalOneIsRejectedNotATrap() throws {
        let report = self.validate([self.bar("2015-01-05", 1), self.bar("2015-01-06", 1e306)])
        #expect(report.accepted.map(\.session.description) == ["2015-01-05"])
        let issue = try #require(report.issues.first { $0.reason == .implausibleValue })
        #expect(issue.row == 3 && issue.severity == .rejected)
        #expect(issue.detail.hasPrefix("open 1e+306, high 1e+306, low 1e+306, close 1e+306: prices must be within 0.000001"))
    }

    @Test func subnormalPriceBeforeANormalOneIsRejected() {
        let report = self.validate([self.bar("2015-01-05", 5e-324), self.bar("2015-01-06", 10)])
        #expect(report.accepted.map(\.session.description) == ["2015-01-06"])
        #expect(report.issues.map(\.reason) == [.implausibleValue])
    }

    @Test func hugeFinitePricesAreRejected() {
        let bars = (0..<30).map { offset in self.bar(FixtureSeries.day("2015-01-05").adding(days: offset).description, 1.7e308) }
            .filter { USEquityCalendar().isSession($0.session) }
        let report = self.validate(bars)
        #expect(report.accepted.isEmpty)
        #expect(report.rejectedRowCount == bars.count)
    }

    @Test func volumeAboveTheRangeIsRejected() {
        var bar = self.bar("2015-01-05", 10)
        bar.volume = Int64.max
        let report = self.validate([bar])
        #expect(report.issues.first?.reason == .implausibleValue)
        #expect(report.issues.first?.detail == "volume 9223372036854775807 is above 0 … 10^15")
    }

    /// A stored series from before these checks can still hold absurd bars; the move check formats them without trapping.
    @Test func largeMoveAgainstAnAbsurdStoredBarIsFormattedNotATrap() {
        let stored = [PriceBar(session: FixtureSeries.day("2015-01-05"), open: 5e-324, high: 5e-324, low: 5e-324, close: 5e-324, volume: 1)]
        let report = self.validate([self.bar("2015-01-06", 10)], existing: stored)
        let move = report.issues.first { $0.reason == .largeMoveWithoutSplit }
        #expect(move?.detail.contains("+inf %") == true, "\(String(describing: move))")
    }
}
