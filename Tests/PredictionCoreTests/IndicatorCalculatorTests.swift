import PredictionCore
import TestSupport
import Testing

@Suite struct IndicatorCalculatorTests {
    /// One row of goog-indicators.csv: close, volume and the pandas values in `IndicatorSet.columnNames` order.
    struct ReferenceRow {
        var session: SessionDate
        var close: Double
        var volume: Double
        var values: [Double?]
    }

    static func reference() throws -> [ReferenceRow] {
        let lines = try Fixtures.text("goog-indicators.csv").split(separator: "\n").filter { !$0.hasPrefix("#") }
        let header = lines.first.map { $0.split(separator: ",").map(String.init) } ?? []
        #expect(header == ["date", "close", "volume"] + IndicatorSet.columnNames)
        return try lines.dropFirst().enumerated().map { index, line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == header.count, let session = SessionDate(fields[0]), let close = Double(fields[1]),
                let volume = Double(fields[2])
            else { throw FixtureError(line: index + 2, text: String(line)) }
            let values = fields.dropFirst(3).map { $0.isEmpty ? nil : Double($0) }
            return ReferenceRow(session: session, close: close, volume: volume, values: Array(values))
        }
    }

    /// Relative difference, with an absolute floor of 1e-12 for values that are exactly 0 (MACD at index 0).
    static func agree(_ ours: Double?, _ theirs: Double?, tolerance: Double = 1e-9) -> Bool {
        switch (ours, theirs) {
        case (nil, nil): return true
        case let (a?, b?): return abs(a - b) <= tolerance * max(abs(a), abs(b)) || abs(a - b) <= 1e-12
        default: return false
        }
    }

    @Test func matchesPandasOnTheFirst300RowsOfGoog() throws {
        let rows = try Self.reference()
        #expect(rows.count == 300)
        let computed = IndicatorCalculator.compute(closes: rows.map(\.close), volumes: rows.map(\.volume))
        #expect(computed.count == rows.count)
        var mismatches: [String] = []
        var compared = 0
        for (row, set) in zip(rows, computed) {
            for (column, (ours, theirs)) in zip(IndicatorSet.columnNames, zip(set.values, row.values)) {
                if theirs != nil { compared += 1 }
                if !Self.agree(ours, theirs) {
                    mismatches.append("\(row.session) \(column): ours \(String(describing: ours)), pandas \(String(describing: theirs))")
                }
            }
        }
        #expect(compared > 3_900)
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(10))")
    }

    @Test func barCleanerWithoutActionsGivesTheSameIndicatorsFromTheCSV() throws {
        let rows = try Self.reference()
        let bars = Array(try FixtureSeries.bars("goog.csv").prefix(rows.count))
        let cleaned = BarCleaner.clean(bars: bars, actions: [], flagged: [])
        #expect(cleaned.map(\.session) == rows.map(\.session))
        #expect(cleaned.allSatisfy { $0.adjustmentFactor == 1 && !$0.flagged })
        for (clean, row) in zip(cleaned, rows) {
            #expect(zip(clean.indicators.values, row.values).allSatisfy { Self.agree($0, $1) }, "\(row.session)")
        }
    }

    @Test func windowsStartWhereDocumented() {
        let closes = (0..<30).map { 100 + Double($0 % 7) }
        let sets = IndicatorCalculator.compute(closes: closes, volumes: closes)
        func firstIndex(_ value: (IndicatorSet) -> Double?) -> Int? { sets.firstIndex { value($0) != nil } }
        #expect(firstIndex(\.ma5) == 4)
        #expect(firstIndex(\.ma10) == 9)
        #expect(firstIndex(\.volMA10) == 9)
        #expect(firstIndex(\.bbMiddle) == 19 && firstIndex(\.bbUpper) == 19 && firstIndex(\.bbLower) == 19)
        #expect(firstIndex(\.rsi14) == 14)
        #expect(firstIndex(\.logReturn) == 1)
        #expect(firstIndex(\.volatility20) == 20)
        #expect(firstIndex(\.ema12) == 0 && firstIndex(\.ema26) == 0 && firstIndex(\.macd) == 0)
        #expect(firstIndex(\.macdSignal) == 0 && firstIndex(\.macdHist) == 0)
        #expect(sets[0].ema12 == 100 && sets[0].macd == 0)
    }

    @Test func handComputedValues() throws {
        // closes 1...20: MA5 at index 4 = 3, sample std of 1...20 = sqrt(35), RSI of a rising series = 100.
        let closes = (1...21).map(Double.init)
        let sets = IndicatorCalculator.compute(closes: closes, volumes: closes.map { $0 * 10 })
        #expect(sets[4].ma5 == 3)
        #expect(sets[9].volMA10 == 55)
        let middle = try #require(sets[19].bbMiddle)
        let upper = try #require(sets[19].bbUpper)
        #expect(middle == 10.5)
        #expect(abs(upper - (10.5 + 2 * 35.0.squareRoot())) < 1e-12)
        #expect(sets[14].rsi14 == 100 && sets[20].rsi14 == 100)
        // EMA12 step: y1 = (11/13)·1 + (2/13)·2.
        #expect(abs((sets[1].ema12 ?? 0) - (11.0 / 13 + 4.0 / 13)) < 1e-15)
    }

    @Test func constantSeriesHasFlatBandsAndNoVolatility() {
        let sets = IndicatorCalculator.compute(closes: Array(repeating: 50, count: 40), volumes: Array(repeating: 7, count: 40))
        let last = sets[39]
        #expect(last.bbUpper == 50 && last.bbLower == 50 && last.ma10 == 50 && last.ema26 == 50)
        #expect(last.macd == 0 && last.macdHist == 0)
        #expect(last.logReturn == 0 && last.volatility20 == 0)
        #expect(last.rsi14 == 100)  // no losses: avgLoss == 0 gives 100
    }

    @Test func fallingSeriesHasRSIZero() {
        let sets = IndicatorCalculator.compute(closes: (0..<20).map { 100 - Double($0) }, volumes: Array(repeating: 1, count: 20))
        #expect(sets[14].rsi14 == 0 && sets[19].rsi14 == 0)
    }

    @Test func emptyAndShortSeries() {
        #expect(IndicatorCalculator.compute(closes: [], volumes: []).isEmpty)
        let one = IndicatorCalculator.compute(closes: [10], volumes: [1])
        #expect(one.count == 1 && one[0].ema12 == 10 && one[0].logReturn == nil && one[0].rsi14 == nil)
    }

    @Test func longSeriesStaysFinite() {
        // 200k sessions: linear time, and no drift (a windowed mean equals the direct mean at the end).
        let count = 200_000
        let closes = (0..<count).map { 100 + 10 * Double(($0 * 7919) % 101) / 101 }
        let sets = IndicatorCalculator.compute(closes: closes, volumes: closes)
        let tail = closes.suffix(5).reduce(0, +) / 5
        #expect(abs((sets[count - 1].ma5 ?? 0) - tail) < 1e-12)
        #expect(sets.allSatisfy { $0.values.allSatisfy { $0?.isFinite ?? true } })
    }
}
