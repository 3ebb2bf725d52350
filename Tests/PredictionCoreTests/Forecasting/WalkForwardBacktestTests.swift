import Foundation
import PredictionCore
import Testing

@Suite struct WalkForwardBacktestTests {
    static func parameters(maxHorizon: Int, refitEvery: Int) -> HyperParameters {
        var parameters = HyperParameters(for: .linearRegression)
        parameters.maxHorizon = maxHorizon
        parameters.refitEvery = refitEvery
        return parameters
    }

    @Test func foldsAreChronologicalAndNeverTrainOnTheirTestOrigins() throws {
        let bars = ForecastSeries.randomWalk(count: 500, seed: 1)
        let backtest = WalkForwardBacktest(
            features: FeatureCatalog.defaultFeatures, parameters: Self.parameters(maxHorizon: 5, refitEvery: 7), valSize: 0.3
        )
        let result = try backtest.run(bars: bars, model: .ridge) { _, _ in true }
        let testOrigins = result.window.testOrigins
        #expect(testOrigins == Int((Double(result.window.usableRows) * 0.3).rounded(.up)))
        #expect(result.folds.count == (testOrigins + 6) / 7)
        let firstOrigin = try #require(result.folds.first).originRows.lowerBound
        #expect(bars[firstOrigin].session == result.window.testStart)
        var previousUpper = firstOrigin - 1
        for fold in result.folds {
            #expect(fold.originRows.lowerBound == previousUpper + 1, "folds are consecutive and ascending")
            previousUpper = fold.originRows.upperBound
            for h in 1...5 {
                // Every training row's target close is known at the refit, so no test origin is a training row.
                #expect(fold.lastTrainingRows[h - 1] + h <= fold.originRows.lowerBound)
                #expect(fold.trainingCounts[h - 1] >= 30)
            }
        }
        #expect(previousUpper == bars.count - 2)
        for (index, points) in result.points.enumerated() {
            let h = index + 1
            #expect(points.count == testOrigins - (h - 1))
            #expect(zip(points, points.dropFirst()).allSatisfy { $0.originRow < $1.originRow })
            #expect(points.allSatisfy { $0.target == bars[$0.originRow + h].session && $0.origin >= result.window.testStart })
            for point in points {
                let fold = try #require(result.folds.first { $0.originRows.contains(point.originRow) })
                #expect(fold.lastTrainingRows.allSatisfy { $0 < point.originRow })
            }
        }
    }

    @Test func progressIsReportedPerFoldAndFalseCancels() throws {
        let bars = ForecastSeries.randomWalk(count: 300, seed: 2)
        let backtest = WalkForwardBacktest(
            features: [.returnLag1, .rsi14], parameters: Self.parameters(maxHorizon: 2, refitEvery: 10), valSize: 0.3
        )
        var fractions: [Double] = []
        let result = try backtest.run(bars: bars, model: .ridge) { fraction, message in
            fractions.append(fraction)
            return !message.isEmpty
        }
        #expect(fractions.count == result.folds.count)
        #expect(fractions.first == 0 && zip(fractions, fractions.dropFirst()).allSatisfy { $0 < $1 } && fractions.last! < 1)
        var calls = 0
        #expect {
            _ = try backtest.run(bars: bars, model: .ridge) { _, _ in
                calls += 1
                return calls < 3
            }
        } throws: { ($0 as? ForecastError)?.code == .cancelled }
        #expect(calls == 3)
    }

    @Test func driftForecastsHTimesTheMeanReturnOfTheTrainingWindow() throws {
        let bars = ForecastSeries.randomWalk(count: 300, seed: 3, drift: 0.001)
        let backtest = WalkForwardBacktest(
            features: FeatureCatalog.defaultFeatures, parameters: Self.parameters(maxHorizon: 4, refitEvery: 15), valSize: 0.25
        )
        let result = try backtest.run(bars: bars, model: .drift) { _, _ in true }
        let closes = bars.map(\.adjustedClose)
        let first = 20  // first complete row of the default features
        for fold in result.folds {
            let origin = fold.originRows.lowerBound
            let mean = (log(closes[origin]) - log(closes[first])) / Double(origin - first)
            for h in 1...4 {
                let point = try #require(result.points[h - 1].first { $0.originRow == origin })
                #expect(ForecastSeries.close(point.predictedLogReturn, Double(h) * mean, relative: 1e-12))
                #expect(point.predictedLogReturn == point.driftLogReturn)
            }
        }
        #expect(result.model == result.drift)
        #expect(result.naive.allSatisfy { $0.mase == 1 && $0.theilU == 1 && $0.dmPValue == nil })
    }

    @Test func intervalsWidenWithHorizonAndCoverageIsNearNominalOnARandomWalk() throws {
        let bars = ForecastSeries.randomWalk(count: 1_200, seed: 4)
        var parameters = Self.parameters(maxHorizon: 5, refitEvery: 20)
        parameters.ridgeAlphas = [10, 1000]
        let outcome = try ForecastTrainer.train(
            bars: bars, calendar: WeekdayCalendar(), modelType: .linearRegression, features: FeatureCatalog.defaultFeatures,
            parameters: parameters, valSize: 0.5, fitter: nil, progress: { _, _ in true }
        )
        let h1 = try #require(outcome.report.modelMetrics(horizon: 1))
        #expect(h1.intervalCount == h1.n - ConformalInterval.minimumResiduals)
        #expect(abs((h1.coverage80 ?? 0) - 0.80) < 0.05, "coverage80 \(String(describing: h1.coverage80))")
        #expect(abs((h1.coverage95 ?? 0) - 0.95) < 0.03, "coverage95 \(String(describing: h1.coverage95))")
        let widths80 = outcome.artifact.halfWidths80
        let widths95 = outcome.artifact.halfWidths95
        #expect(zip(widths80, widths80.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(zip(widths80, widths95).allSatisfy { $0 < $1 })
        // A random walk's h-session spread grows like √h: clearly wider at h = 5 than at h = 1.
        #expect(widths80[4] > 1.6 * widths80[0])
        #expect(outcome.report.naive.count == 5 && outcome.report.drift.count == 5)
    }

    @Test func tooLittleDataAndAMissingFitterAreRefused() throws {
        let bars = ForecastSeries.randomWalk(count: 100, seed: 6)
        #expect {
            _ = try ForecastTrainer.train(
                bars: bars, calendar: WeekdayCalendar(), modelType: .linearRegression, features: [],
                parameters: HyperParameters(for: .linearRegression), valSize: 0.2, fitter: nil, progress: { _, _ in true }
            )
        } throws: { ($0 as? ForecastError)?.code == .insufficientData }
        #expect {
            _ = try ForecastTrainer.train(
                bars: bars, calendar: WeekdayCalendar(), modelType: .xgboost, features: [],
                parameters: HyperParameters(), valSize: 0.2, fitter: nil, progress: { _, _ in true }
            )
        } throws: { ($0 as? ForecastError)?.code == .missingFitter }
        #expect {
            _ = try WalkForwardBacktest(features: [.rsi14], parameters: HyperParameters(), valSize: 1.5)
                .run(bars: bars, model: .naive) { _, _ in true }
        } throws: { ($0 as? ForecastError)?.code == .invalidParameter }
    }
}
