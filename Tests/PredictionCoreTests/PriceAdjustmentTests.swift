import PredictionCore
import Testing

@Suite struct PriceAdjustmentTests {
    /// Ten consecutive XNYS sessions from 2024-01-02 with the given raw closes.
    static func series(_ closes: [Double]) -> [PriceBar] {
        let sessions = USEquityCalendar().sessions(after: FixtureSeries.day("2023-12-29"), count: closes.count)
        return zip(sessions, closes).map {
            PriceBar(session: $0, open: $1, high: $1 * 1.01, low: $1 * 0.99, close: $1, volume: 1_000)
        }
    }

    @Test func twoForOneSplitHalvesEveryEarlierPrice() {
        let bars = Self.series([100, 101, 102, 103, 104, 52, 53, 54, 55, 56])
        let split = CorporateAction(session: bars[5].session, kind: .split, value: 2)
        let factors = PriceAdjustment.factors(for: bars, actions: [split])
        #expect(factors == [0.5, 0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1])
    }

    @Test func reverseSplitMultipliesEarlierPrices() {
        let bars = Self.series([1, 1.1, 11, 12])
        let split = CorporateAction(session: bars[2].session, kind: .split, value: 0.1)
        #expect(PriceAdjustment.factors(for: bars, actions: [split]) == [10, 10, 1, 1])
    }

    @Test func dividendUsesTheCloseBeforeTheExDate() {
        let bars = Self.series([48, 49, 50, 49.2, 49.5])
        let dividend = CorporateAction(session: bars[3].session, kind: .dividend, value: 1)
        let factors = PriceAdjustment.factors(for: bars, actions: [dividend])
        // 1 − 1 / 50 (close of the session before the ex-date) = 0.98.
        #expect(factors[0] == 0.98 && factors[1] == 0.98 && factors[2] == 0.98)
        #expect(factors[3] == 1 && factors[4] == 1)
    }

    @Test func splitAndDividendCompound() {
        let bars = Self.series([100, 100, 100, 50, 50, 50])
        let actions = [
            CorporateAction(session: bars[3].session, kind: .split, value: 2),
            CorporateAction(session: bars[5].session, kind: .dividend, value: 0.5),
        ]
        let factors = PriceAdjustment.factors(for: bars, actions: actions)
        // Dividend: 1 − 0.5 / 50 = 0.99 for bars 0...4; split: × 0.5 for bars 0...2.
        #expect(factors[5] == 1 && factors[4] == 0.99 && factors[3] == 0.99)
        #expect(abs(factors[0] - 0.495) < 1e-15 && factors[0] == factors[2])
    }

    @Test func eventsOutsideTheSeriesOrInvalidAreHandled() {
        let bars = Self.series([10, 10, 10])
        let before = CorporateAction(session: FixtureSeries.day("2023-06-01"), kind: .split, value: 2)
        let after = CorporateAction(session: FixtureSeries.day("2024-06-03"), kind: .split, value: 4)
        #expect(PriceAdjustment.factors(for: bars, actions: [before]) == [1, 1, 1])
        #expect(PriceAdjustment.factors(for: bars, actions: [after]) == [0.25, 0.25, 0.25])
        let invalid = [
            CorporateAction(session: bars[1].session, kind: .dividend, value: 10),  // ≥ the previous close
            CorporateAction(session: bars[1].session, kind: .split, value: 0),
            CorporateAction(session: bars[2].session, kind: .split, value: .infinity),
        ]
        #expect(PriceAdjustment.factors(for: bars, actions: invalid) == [1, 1, 1])
        #expect(PriceAdjustment.factors(for: [], actions: [after]).isEmpty)
    }

    @Test func adjustedSeriesIsContinuousAcrossASplit() throws {
        // 60 sessions around 100, then a 2:1 split and 60 sessions around 50.
        let raw = (0..<120).map { index -> Double in
            let wiggle = 1 + 0.01 * Double((index * 37) % 11 - 5) / 5
            return (index < 60 ? 100 : 50) * wiggle
        }
        let bars = Self.series(raw)
        let split = CorporateAction(session: bars[60].session, kind: .split, value: 2)
        let cleaned = BarCleaner.clean(bars: bars, actions: [split], flagged: [bars[60].session])
        #expect(cleaned.count == 120)
        for index in 1..<cleaned.count {
            let move = cleaned[index].adjustedClose / cleaned[index - 1].adjustedClose - 1
            #expect(abs(move) < 0.05, "jump of \(move) at \(cleaned[index].session)")
        }
        let atSplit = cleaned[60].indicators
        #expect(abs(atSplit.logReturn ?? 1) < 0.05)
        #expect(abs((atSplit.ma5 ?? 0) / 50 - 1) < 0.05)
        #expect((atSplit.volatility20 ?? 1) < 0.02)
        #expect(cleaned[60].flagged && !cleaned[59].flagged)

        // The same as computing on an already adjusted series with no actions.
        let preAdjusted = zip(bars, cleaned).map { bar, clean in
            var copy = bar
            copy.close = clean.adjustedClose
            return copy
        }
        let reference = BarCleaner.clean(bars: preAdjusted, actions: [], flagged: [])
        for (a, b) in zip(cleaned, reference) {
            #expect(zip(a.indicators.values, b.indicators.values).allSatisfy {
                IndicatorCalculatorTests.agree($0, $1, tolerance: 1e-12)
            })
        }
    }

    @Test func cleanerSortsAndDeduplicatesItsInput() {
        let bars = Self.series([10, 11, 12])
        var revised = bars[1]
        revised.close = 11.5
        let cleaned = BarCleaner.clean(bars: [bars[2], bars[1], bars[0], revised], actions: [], flagged: [])
        #expect(cleaned.map(\.bar) == [bars[0], revised, bars[2]])
    }
}
