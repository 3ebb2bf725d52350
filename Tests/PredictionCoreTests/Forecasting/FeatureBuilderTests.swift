import TestSupport
import Foundation
import PredictionCore
import Testing

@Suite struct FeatureBuilderTests {
    /// Every feature at once, so the look-ahead test covers all of them.
    static let allFeatures = FeatureName.allCases

    @Test func featuresAtTheOriginDoNotMoveWhenLaterBarsChange() throws {
        let original = Array(try FixtureSeries.bars("goog.csv").prefix(260))
        let origin = 150
        var changed = original
        var generator = SplitMix64(seed: 99)
        for index in (origin + 1)..<changed.count {
            let factor = 1.7 + 0.2 * generator.nextNormal()
            changed[index].open *= factor
            changed[index].high *= factor * 1.05
            changed[index].low *= factor * 0.9
            changed[index].close *= factor
            changed[index].volume = changed[index].volume * 3 + 12_345
        }
        let before = BarCleaner.clean(bars: original, actions: [], flagged: [])
        let after = BarCleaner.clean(bars: changed, actions: [], flagged: [])
        let rowsBefore = FeatureBuilder.matrix(bars: before, features: Self.allFeatures)
        let rowsAfter = FeatureBuilder.matrix(bars: after, features: Self.allFeatures)
        for t in 0...origin {
            let a = rowsBefore.row(t).map(\.bitPattern)
            let b = rowsAfter.row(t).map(\.bitPattern)
            #expect(a == b, "row \(t) moved")
        }
        #expect(rowsBefore.isComplete[origin])
        // The serving path gives the same bits from the truncated history.
        let served = FeatureBuilder.row(bars: Array(after.prefix(origin + 1)), at: origin, features: Self.allFeatures)
        #expect(served?.map(\.bitPattern) == rowsBefore.row(origin).map(\.bitPattern))
        // The test can fail: the changed bars' own rows do move.
        #expect(rowsBefore.row(origin + 1).map(\.bitPattern) != rowsAfter.row(origin + 1).map(\.bitPattern))
    }

    @Test func valuesMatchTheirDefinitions() throws {
        let bars = try ForecastSeries.goog(count: 60)
        let t = 40
        let closes = bars.map(\.adjustedClose)
        func value(_ feature: FeatureName) -> Double { FeatureBuilder.value(feature, bars: bars, at: t) }
        #expect(value(.returnLag1) == log(closes[t] / closes[t - 1]))
        #expect(value(.returnLag5) == log(closes[t - 4] / closes[t - 5]))
        #expect(value(.returnLag20) == log(closes[t - 19] / closes[t - 20]))
        let sma5 = closes[(t - 4)...t].reduce(0, +) / 5
        #expect(ForecastSeries.close(value(.closeToSMA5), closes[t] / sma5 - 1, relative: 1e-9, absolute: 1e-12))
        let indicators = bars[t].indicators
        #expect(value(.rsi14) == indicators.rsi14! / 100)
        #expect(value(.macdHistNorm) == indicators.macdHist! / closes[t])
        let percentB = (closes[t] - indicators.bbLower!) / (indicators.bbUpper! - indicators.bbLower!)
        #expect(value(.bollingerPercentB) == percentB)
        let volumes = bars[(t - 19)...t].map { Double($0.bar.volume) }
        let mean = volumes.reduce(0, +) / 20
        let std = (volumes.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 19).squareRoot()
        #expect(ForecastSeries.close(value(.volumeZScore20), (volumes[19] - mean) / std))
        #expect(value(.dayOfWeek) == Double(bars[t].session.weekday - 1))
        #expect(value(.openToClose) == bars[t].bar.open / bars[t].bar.close - 1)
        #expect(value(.volatility20) == indicators.volatility20!)
    }

    @Test func theDefaultSetIsCompleteFromRow20() throws {
        let bars = try ForecastSeries.goog(count: 40)
        let matrix = FeatureBuilder.matrix(bars: bars, features: FeatureCatalog.defaultFeatures)
        #expect(matrix.isComplete.firstIndex(of: true) == 20)
        #expect(matrix.isComplete[20...].allSatisfy { $0 })
        #expect(matrix.row(19).contains { $0.isNaN })
        #expect(FeatureBuilder.row(bars: bars, at: 19, features: FeatureCatalog.defaultFeatures) == nil)
        #expect(FeatureBuilder.row(bars: bars, at: 20, features: FeatureCatalog.defaultFeatures)?.count == 19)
    }
}
