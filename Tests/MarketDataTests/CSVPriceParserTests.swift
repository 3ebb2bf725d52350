import Foundation
import MarketData
import PredictionCore
import Testing
import TestSupport

@Suite struct CSVPriceParserTests {
    @Test func parsesTheGoogSampleFileWithoutIssues() throws {
        let series = try CSVPriceParser().parse(try Fixtures.text("goog.csv"))
        #expect(series.rows.count == 2148)
        #expect(series.issues.isEmpty)
        #expect(series.actions.isEmpty)
        let first = try #require(series.rows.first)
        #expect(first.row == 2)
        #expect(first.bar == PriceBar(session: day("2004-08-19"), open: 100, high: 104.06, low: 95.96, close: 100.34, volume: 22_351_900))
        #expect(series.rows.last?.row == 2149)
        #expect(zip(series.rows, series.rows.dropFirst()).allSatisfy { $0.bar.session < $1.bar.session })
    }

    /// The byte-level number parser must agree exactly with the standard library on every value of a real file.
    @Test func numbersMatchTheStandardLibraryExactly() throws {
        let text = try Fixtures.text("gspc.csv")
        let series = try CSVPriceParser().parse(text)
        let lines = text.split(separator: "\n").dropFirst()
        #expect(series.rows.count == lines.count)
        for (numbered, line) in zip(series.rows, lines) {
            let fields = line.split(separator: ",").map(String.init)
            #expect(numbered.bar.open == Double(fields[1]))
            #expect(numbered.bar.high == Double(fields[2]))
            #expect(numbered.bar.low == Double(fields[3]))
            #expect(numbered.bar.close == Double(fields[4]))
            #expect(numbered.bar.volume == Int64(fields[5]))
        }
    }

    @Test func parsesYFinanceStyleWithAdjCloseDividendsAndSplits() throws {
        let csv = """
            Date,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits
            2020-08-06 00:00:00-04:00,110.41,114.41,109.8,113.9,112.46,202428800.0,0.0,0.0
            2020-08-07 00:00:00-04:00,113.21,113.68,110.29,111.11,109.91,198045600.0,0.205,0.0
            2020-08-31 00:00:00-04:00,127.58,131.0,126.0,129.04,127.65,225702700.0,0.0,4.0
            2020-09-01 00:00:00-04:00,132.76,134.8,130.53,134.18,132.73,151948100.0,0.0,1.0
            """
        let series = try CSVPriceParser().parse(csv)
        #expect(series.issues.isEmpty)
        #expect(series.rows.map(\.row) == [2, 3, 4, 5])
        #expect(series.rows.map(\.bar.session) == [day("2020-08-06"), day("2020-08-07"), day("2020-08-31"), day("2020-09-01")])
        #expect(series.rows[0].bar.volume == 202_428_800)
        #expect(series.rows[0].bar.sourceAdjustedClose == 112.46)
        #expect(series.rows[2].bar.close == 129.04)
        #expect(
            series.actions == [
                CorporateAction(session: day("2020-08-07"), kind: .dividend, value: 0.205),
                CorporateAction(session: day("2020-08-31"), kind: .split, value: 4.0),
            ])
    }

    @Test func readsSplitRatiosWrittenAsText() throws {
        let csv = """
            date,open,high,low,close,volume,stock_splits
            2024-01-02,10,11,9,10,100,2:1
            2024-01-03,10,11,9,10,100,1/10
            2024-01-04,10,11,9,10,100,
            2024-01-05,10,11,9,10,100,0
            """
        let series = try CSVPriceParser().parse(csv)
        #expect(series.issues.isEmpty)
        #expect(series.rows.count == 4)
        #expect(
            series.actions == [
                CorporateAction(session: day("2024-01-02"), kind: .split, value: 2.0),
                CorporateAction(session: day("2024-01-03"), kind: .split, value: 0.1),
            ])
    }

    @Test func parsesStooqStyleWithCRLFAndByteOrderMark() throws {
        let csv = "\u{FEFF}Date,Open,High,Low,Close,Volume\r\n2024-01-02,187.15,188.44,183.885,185.64,82488674\r\n"
            + "2024-01-03,184.22,185.88,183.43,184.25,58414460\r\n"
        let series = try CSVPriceParser().parse(csv)
        #expect(series.issues.isEmpty)
        #expect(
            series.rows == [
                NumberedBar(row: 2, bar: PriceBar(session: day("2024-01-02"), open: 187.15, high: 188.44, low: 183.885, close: 185.64, volume: 82_488_674)),
                NumberedBar(row: 3, bar: PriceBar(session: day("2024-01-03"), open: 184.22, high: 185.88, low: 183.43, close: 184.25, volume: 58_414_460)),
            ])
    }

    @Test func matchesHeaderNamesLooselyAndInAnyOrder() throws {
        let csv = """
            VOLUME , Close,LOW,high,Open,adj_close,DATE,Note
            500,10.5,9.5,11,10,10.4,2024-02-01,anything
            """
        let series = try CSVPriceParser().parse(csv)
        #expect(
            series.rows.map(\.bar) == [
                PriceBar(session: day("2024-02-01"), open: 10, high: 11, low: 9.5, close: 10.5, volume: 500, sourceAdjustedClose: 10.4)
            ])
    }

    @Test func reportsBadRowsByFileLineAndKeepsTheRest() throws {
        let csv = """
            date,open,high,low,close,volume
            2024-01-02,10,11,9,10.5,1000

            2024-01-03,10,11,9,10.5,null
            2024/01/04,10,11,9,10.5,1000
            2024-01-05,10,abc,9,nan,1000
            2024-01-08,10,11
            2024-02-30,10,11,9,10.5,1000
            2024-01-09,10,11,9,10.5,
            2024-01-10,10,11,9,10.5,1234.0
            """
        let series = try CSVPriceParser().parse(csv)
        #expect(series.rows.map(\.row) == [2, 10])
        #expect(series.rows.last?.bar.volume == 1234)
        #expect(series.issues.map(\.row) == [4, 5, 6, 7, 8, 9])
        #expect(series.issues.allSatisfy { $0.reason == .unparseable && $0.severity == .rejected })
        #expect(series.issues[0].session == day("2024-01-03"))
        #expect(series.issues[0].detail.contains("volume \"null\""))
        #expect(series.issues[1].session == nil)
        #expect(series.issues[1].detail.contains("2024/01/04"))
        #expect(series.issues[2].detail.contains("high \"abc\""))
        #expect(series.issues[2].detail.contains("close \"nan\""))
        #expect(series.issues[3].detail.contains("found 3"))
        #expect(series.issues[4].detail.contains("2024-02-30"))
        #expect(series.issues[5].detail.contains("volume \"\""))
    }

    @Test func missingRequiredColumnIsMalformedAndNamed() throws {
        let error = #expect(throws: ProviderError.self) {
            try CSVPriceParser().parse("date,open,high,low,close\n2024-01-02,1,1,1,1\n")
        }
        #expect(error?.code == .malformed)
        #expect(error?.message.contains("Volume") == true)

        let both = #expect(throws: ProviderError.self) { try CSVPriceParser().parse("Date,Open,High,Low\n") }
        #expect(both?.message.contains("Close, Volume") == true)
    }

    @Test func emptyInputIsMalformed() throws {
        let error = #expect(throws: ProviderError.self) { try CSVPriceParser().parse("\n\n  \n") }
        #expect(error?.code == .malformed)
    }

    @Test func tooManyUnreadableRowsRejectTheFile() throws {
        let csv = "date,open,high,low,close,volume\n"
            + String(repeating: "2024-01-02,x,1,1,1,1\n", count: CSVPriceParser.maxIssues + 1)
        let error = #expect(throws: ProviderError.self) { try CSVPriceParser().parse(csv) }
        #expect(error?.code == .malformed)
        #expect(error?.message.contains("line 2") == true)
    }

    @Test func sinceSkipsEarlierRowsAndEvents() throws {
        let csv = """
            Date,Open,High,Low,Close,Volume,Dividends
            2024-01-02,10,11,9,10,100,0.5
            2024-01-03,garbage,11,9,10,100,0
            2024-01-04,10,11,9,10,100,0.25
            """
        let series = try CSVPriceParser(since: day("2024-01-04")).parse(csv)
        #expect(series.rows.map(\.row) == [4])
        #expect(series.issues.isEmpty)
        #expect(series.actions == [CorporateAction(session: day("2024-01-04"), kind: .dividend, value: 0.25)])
    }

    /// 5,000 rows parse in about 1 ms in a release build (well under the 10 ms budget); a debug build (what
    /// `swift test` runs) is ~15x slower. The bound is on the thread's CPU time, not wall time, so parallel tests on
    /// a busy 2-core machine do not make it flaky; it still catches a parser that is quadratic or allocates per byte.
    @Test func parsesFiveThousandRowsQuickly() throws {
        var csv = "Date,Open,High,Low,Close,Adj Close,Volume\n"
        var date = day("2000-01-03")
        for index in 0..<5_000 {
            let price = 100 + Double(index % 97) * 0.37
            csv += "\(date),\(price),\(price + 1.25),\(price - 1.5),\(price + 0.5),\(price + 0.25),\(1_000_000 + index)\n"
            date = date.adding(days: 1)
        }
        let bytes = Array(csv.utf8)
        let parser = CSVPriceParser()
        _ = try parser.parse(bytes: bytes)
        var best = Duration.seconds(1)
        for _ in 0..<5 {
            let start = Self.threadCPUTime()
            let series = try parser.parse(bytes: bytes)
            best = min(best, Self.threadCPUTime() - start)
            #expect(series.rows.count == 5_000)
        }
        #expect(best < .milliseconds(80), "5,000 rows took \(best) of CPU")
    }

    /// CPU time consumed by the calling thread (the parse is synchronous, so it stays on one thread).
    private static func threadCPUTime() -> Duration {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return .seconds(spec.tv_sec) + .nanoseconds(spec.tv_nsec)
    }
}
