import Foundation
import PredictionCore
import Testing

@Suite struct RidgeTests {
    /// `ridge-reference.json` (numpy closed form; see generate_forecasting_fixtures.py).
    struct Reference: Decodable {
        struct Fit: Decodable {
            var alpha: Double
            var intercept: Double
            var coefficients: [Double]
            var means: [Double]
            var scales: [Double]
        }
        var rows: [[Double]]
        var targets: [Double]
        var alphas: [Double]
        var fits: [Fit]
        var validation_split: Int
        var validation_sse: [Double]
        var chosen_alpha: Double
    }

    static func reference() throws -> Reference {
        try ForecastSeries.json("ridge-reference.json", as: Reference.self)
    }

    @Test func matchesTheNumpyClosedFormForEveryAlpha() throws {
        let reference = try Self.reference()
        let rows = reference.rows.flatMap { $0 }
        for fit in reference.fits {
            let model = try RidgeFitter().fitRidge(rows: rows, columns: 3, targets: reference.targets, alphas: [fit.alpha])
            #expect(model.alpha == fit.alpha)
            #expect(ForecastSeries.close(model.intercept, fit.intercept, relative: 1e-12))
            for (ours, theirs) in zip(model.means, fit.means) { #expect(ForecastSeries.close(ours, theirs, relative: 1e-12)) }
            for (ours, theirs) in zip(model.scales, fit.scales) { #expect(ForecastSeries.close(ours, theirs, relative: 1e-7)) }
            for (ours, theirs) in zip(model.coefficients, fit.coefficients) {
                #expect(ForecastSeries.close(ours, theirs, relative: 1e-7, absolute: 1e-12), "alpha \(fit.alpha)")
            }
        }
    }

    @Test func choosesAlphaByTimeOrderedValidation() throws {
        let reference = try Self.reference()
        let rows = reference.rows.flatMap { $0 }
        let split = reference.validation_split
        #expect(split == 32)
        // Our validation errors, computed through the public API, agree with numpy's.
        for (alpha, expected) in zip(reference.alphas, reference.validation_sse) {
            let model = try RidgeFitter().fitRidge(
                rows: Array(rows[0..<(split * 3)]), columns: 3, targets: Array(reference.targets[0..<split]), alphas: [alpha]
            )
            let predictions = model.predict(rows: Array(rows[(split * 3)...]), columns: 3)
            let sse = zip(predictions, reference.targets[split...]).map { ($1 - $0) * ($1 - $0) }.reduce(0, +)
            #expect(ForecastSeries.close(sse, expected, relative: 1e-7), "alpha \(alpha)")
        }
        let chosen = try RidgeFitter().fitRidge(rows: rows, columns: 3, targets: reference.targets, alphas: reference.alphas)
        #expect(chosen.alpha == reference.chosen_alpha)
        // The chosen alpha is refitted on all rows.
        let refit = try RidgeFitter().fitRidge(rows: rows, columns: 3, targets: reference.targets, alphas: [reference.chosen_alpha])
        #expect(chosen == refit)
    }

    /// Issue 11: on noise (targets unrelated to the features) the best α is beyond the grid's largest; the grid is
    /// extended while the error keeps falling instead of stopping at 1000. A choice inside the grid, or at its small
    /// end, is kept as it is.
    @Test func theGridIsExtendedPastItsLargestAlpha() throws {
        var generator = SplitMix(seed: 11)
        let count = 400
        let rows = (0..<(count * 3)).map { _ in generator.normal() }
        let noise = (0..<count).map { _ in generator.normal() }
        let grid = HyperParameters(for: .linearRegression).ridgeAlphas
        let high = grid.max() ?? 0
        let onNoise = try RidgeFitter().fitRidge(rows: rows, columns: 3, targets: noise, alphas: grid)
        #expect(onNoise.alpha > high, "chose \(onNoise.alpha)")
        #expect(onNoise.alpha <= high * 1e12)
        let reference = try Self.reference()
        let kept = try RidgeFitter().fitRidge(rows: reference.rows.flatMap { $0 }, columns: 3, targets: reference.targets, alphas: reference.alphas)
        #expect(kept.alpha == reference.chosen_alpha)
    }

    /// A small deterministic normal generator (SplitMix64 + Box–Muller).
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { self.state = seed }
        mutating func next() -> UInt64 {
            self.state &+= 0x9E37_79B9_7F4A_7C15
            var z = self.state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform() -> Double { (Double(self.next() >> 11) + 0.5) / 9_007_199_254_740_992 }
        mutating func normal() -> Double { (-2 * log(self.uniform())).squareRoot() * cos(2 * .pi * self.uniform()) }
    }

    @Test func anExactSmallSystemSolvedByHand() throws {
        // x = 0…3, y = 2x + 1. Standardised: z = (x − 1.5)/√1.25, Σz² = 4, Σz(y − 4) = 2√1.25·4, so with α = 1
        // β = 8√1.25 / 5 and the raw slope β/√1.25 = 1.6: the prediction at x = 4 is 4 + 1.6 × 2.5 = 8.
        let model = try RidgeFitter().fitRidge(rows: [0, 1, 2, 3], columns: 1, targets: [1, 3, 5, 7], alphas: [1])
        #expect(model.intercept == 4)
        #expect(ForecastSeries.close(model.coefficients[0], 8 * 1.25.squareRoot() / 5, relative: 1e-14))
        #expect(ForecastSeries.close(model.predict([4]), 8, relative: 1e-14))
        // α = 0 is ordinary least squares: the line itself.
        let ols = try RidgeFitter().fitRidge(rows: [0, 1, 2, 3], columns: 1, targets: [1, 3, 5, 7], alphas: [0])
        #expect(ForecastSeries.close(ols.predict([10]), 21, relative: 1e-13))
    }

    @Test func aConstantColumnKeepsScaleOneAndGetsNoWeight() throws {
        let rows: [Double] = [1, 5, 2, 5, 3, 5, 4, 5, 5, 5]
        let model = try RidgeFitter().fitRidge(rows: rows, columns: 2, targets: [2, 4, 6, 8, 10], alphas: [0.5])
        #expect(model.scales[1] == 1)
        #expect(model.coefficients[1] == 0)
        #expect(model.predict([3, 5]) == 6)
    }

    @Test func invalidInputIsRefused() {
        #expect(throws: ForecastError.self) {
            try RidgeFitter().fitRidge(rows: [1, 2, 3], columns: 2, targets: [1, 2], alphas: [1])
        }
        #expect(throws: ForecastError.self) {
            try RidgeFitter().fitRidge(rows: [1, .nan], columns: 1, targets: [1, 2], alphas: [1])
        }
        #expect(throws: ForecastError.self) {
            try RidgeFitter().fitRidge(rows: [1, 2], columns: 1, targets: [1, 2], alphas: [])
        }
        #expect(throws: ForecastError.self) {
            try RidgeFitter().fitRidge(rows: [1, 2], columns: 1, targets: [1, 2], alphas: [-1])
        }
    }

    @Test func theBacktestsIncrementalRidgeEqualsAFitFromRows() throws {
        let bars = ForecastSeries.randomWalk(count: 400, seed: 5)
        var parameters = HyperParameters(for: .linearRegression)
        parameters.maxHorizon = 3
        let features: [FeatureName] = [.returnLag1, .returnLag2, .closeToSMA10, .rsi14, .volumeZScore20]
        let outcome = try ForecastTrainer.train(
            bars: bars, calendar: WeekdayCalendar(), modelType: .linearRegression, features: features,
            parameters: parameters, valSize: 0.2, fitter: nil, progress: { _, _ in true }
        )
        let matrix = FeatureBuilder.matrix(bars: bars, features: features)
        let closes = bars.map(\.adjustedClose)
        for h in 1...3 {
            let rows = (0..<(bars.count - h)).filter { matrix.isComplete[$0] }
            let model = try RidgeFitter().fitRidge(
                rows: rows.flatMap { matrix.row($0) }, columns: features.count,
                targets: rows.map { log(closes[$0 + h]) - log(closes[$0]) }, alphas: parameters.ridgeAlphas
            )
            #expect(try model.artifact() == outcome.artifact.regressors[h - 1], "horizon \(h)")
        }
    }
}
