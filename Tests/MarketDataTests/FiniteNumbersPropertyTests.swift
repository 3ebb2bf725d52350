import MarketData
import PredictionCore
import Testing
import TestSupport

/// Property: whatever numbers a CSV holds (±∞, NaN, 1e308, 5e-324, 0, negatives, huge volumes, absurd splits and
/// dividends, mixed with normal prices), parsing, validation, cleaning (adjustment + indicators) and features never
/// trap, every accepted bar lies in `PlausibleRange`, and every value that would be stored (prices, factors,
/// indicators) is finite. Features are finite or NaN (NaN marks "undefined", and such a row is not complete).
///
/// Deterministic: each case is generated from a seeded SplitMix64, so a failure names a seed that reproduces it.
@Suite struct FiniteNumbersPropertyTests {
    /// Values the generator favours: the edges the issue names and a few normal prices.
    static let specials: [String] = [
        "inf", "-inf", "nan", "NaN", "1e308", "1.7e308", "-1e308", "5e-324", "1e-320", "0", "-0", "-1", "-123.5",
        "1e306", "1e9", "1000000001", "0.000001", "0.0000009", "9e18", "1e19", "", "abc",
    ]

    @Test(arguments: 0..<200)
    func nothingNonFiniteSurvivesTheETLPath(seed: Int) throws {
        var random = SplitMix64(seed: UInt64(seed))
        let csv = Self.randomCSV(rows: 40 + Int(random.next() % 60), using: &random)
        let series: FetchedSeries
        do {
            series = try CSVPriceParser().parse(csv)
        } catch {
            return  // a file rejected as a whole (e.g. every row unreadable) is a fine outcome
        }
        let calendar = TradingCalendars.calendar(for: ExchangeCode("NYSE")!)
        let validator = BarValidator(calendar: calendar, today: SessionDate(year: 2030, month: 1, day: 1)!)
        let report = validator.validate(series.rows, existing: [], actions: series.actions)
        for bar in report.accepted {
            for price in [bar.open, bar.high, bar.low, bar.close] {
                #expect(PlausibleRange.price.contains(price), "seed \(seed): accepted price \(price)")
            }
            #expect(PlausibleRange.volume.contains(bar.volume), "seed \(seed): accepted volume \(bar.volume)")
        }
        for action in series.actions { #expect(action.implausibility == nil, "seed \(seed): kept \(action)") }

        let clean = BarCleaner.clean(bars: report.accepted, actions: series.actions, flagged: report.flaggedSessions)
        for bar in clean {
            #expect(bar.adjustmentFactor.isFinite && bar.adjustmentFactor > 0, "seed \(seed): factor \(bar.adjustmentFactor)")
            #expect(bar.adjustedClose.isFinite, "seed \(seed): adjusted close \(bar.adjustedClose)")
            for value in bar.indicators.values {
                if let value { #expect(value.isFinite, "seed \(seed): indicator \(value) on \(bar.session)") }
            }
        }
        let matrix = FeatureBuilder.matrix(bars: clean, features: FeatureName.allCases)
        let undefinedOrFinite = matrix.values.allSatisfy { $0.isFinite || $0.isNaN }
        #expect(undefinedOrFinite, "seed \(seed)")
        for row in 0..<matrix.rowCount where matrix.isComplete[row] {
            let finite = matrix.row(row).allSatisfy { $0.isFinite }
            #expect(finite, "seed \(seed): complete row \(row)")
        }
    }

    /// Indicators alone, on arbitrary doubles (as if validation were bypassed): they are finite or absent.
    @Test(arguments: 0..<50)
    func indicatorsAreFiniteOrAbsentForAnyInput(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed) &+ 10_000)
        let pool: [Double] = [.infinity, -.infinity, .nan, 1e308, -1e308, 5e-324, 0, -1, 1, 100, 1e-300, .greatestFiniteMagnitude]
        let count = 30 + Int(random.next() % 40)
        let closes = (0..<count).map { _ in pool[Int(random.next() % UInt64(pool.count))] }
        let volumes = (0..<count).map { _ in pool[Int(random.next() % UInt64(pool.count))] }
        for set in IndicatorCalculator.compute(closes: closes, volumes: volumes) {
            for value in set.values {
                if let value { #expect(value.isFinite, "seed \(seed): \(value)") }
            }
        }
    }

    /// Adjustment factors stay finite and positive whatever events are given (absurd ones are ignored).
    @Test func adjustmentIgnoresEventsThatWouldOverflowTheFactor() {
        let bars = (1...20).map { day in
            PriceBar(session: SessionDate(year: 2024, month: 1, day: day)!, open: 10, high: 10, low: 10, close: 10, volume: 1)
        }
        let actions = (2...20).map { day in CorporateAction(session: SessionDate(year: 2024, month: 1, day: day)!, kind: .split, value: 1e4) }
            + [CorporateAction(session: SessionDate(year: 2024, month: 1, day: 5)!, kind: .split, value: .infinity)]
            + [CorporateAction(session: SessionDate(year: 2024, month: 1, day: 6)!, kind: .dividend, value: 1e300)]
        let factors = PriceAdjustment.factors(for: bars, actions: actions)
        let bounded = factors.allSatisfy { PriceAdjustment.factorRange.contains($0) }
        #expect(bounded)
        #expect(factors.last == 1)
    }

    /// A CSV of `rows` weekdays from 2015 whose cells are mostly specials; some rows also carry dividends and splits.
    static func randomCSV(rows: Int, using random: inout SplitMix64) -> String {
        var lines = ["Date,Open,High,Low,Close,Volume,Dividends,Stock Splits"]
        var day = SessionDate(year: 2015, month: 1, day: 5)!
        func cell(_ random: inout SplitMix64) -> String {
            if random.next() % 3 == 0 { return String(Double(random.next() % 10_000) / 100 + 1) }
            return Self.specials[Int(random.next() % UInt64(Self.specials.count))]
        }
        for _ in 0..<rows {
            while day.isWeekend { day = day.adding(days: 1) }
            let price = cell(&random)
            // Half the rows have one price for every field (so the high/low rules do not reject them first).
            let fields = random.next() % 2 == 0 ? [price, price, price, price] : (0..<4).map { _ in cell(&random) }
            let volume = random.next() % 4 == 0 ? cell(&random) : String(random.next() % 1_000_000)
            let dividend = random.next() % 10 == 0 ? cell(&random) : "0"
            let split = random.next() % 10 == 0 ? cell(&random) : "0"
            lines.append(([day.description] + fields + [volume, dividend, split]).joined(separator: ","))
            day = day.adding(days: 1)
        }
        return lines.joined(separator: "\n")
    }
}

