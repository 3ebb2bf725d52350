#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import PredictionCore

/// The speed probes of issue 3's benchmarks, on our side:
/// - single fit: one regressor for `h = 1` on every usable row of the series (ridge including its α choice);
/// - the ridge walk-forward backtest with a refit at every test session (`h = 1`, last 20 % tested);
/// - single-prediction latency: a trained model saved as an artifact, loaded back into a `Forecaster`, then many
///   `forecast(…, horizons: 1...1)` calls from origins among the last 1,000 sessions, each timed on its own (features at the origin, the
///   model, the target session and the intervals: the whole in-process path).
struct SpeedBench {
    /// The time of one fit.
    struct FitTiming: Codable {
        /// `ModelType` raw value.
        var model: String
        /// Training rows.
        var rows: Int
        /// Feature columns.
        var columns: Int
        /// Seconds per fit.
        var seconds: TimingSummary
        /// XGBoost only: seconds to load the fitted model back from its JSON, a step every fit includes (the fitter
        /// returns the model as loaded from its artifact form).
        var reloadSeconds: TimingSummary?

        private enum CodingKeys: String, CodingKey {
            case model, rows, columns, seconds, reloadSeconds = "reload_seconds"
        }
    }

    /// The ridge backtest with a refit at every test session.
    struct RefitEverySession: Codable {
        /// Sessions in the series.
        var sessions: Int
        /// Test origins (= refits, one ridge fit each at h = 1).
        var fits: Int
        /// Seconds per whole backtest.
        var seconds: TimingSummary
        /// Theil's U at h = 1 (a sanity check that the run forecast something).
        var theilU: Double?

        private enum CodingKeys: String, CodingKey {
            case sessions, fits, seconds, theilU = "theil_u"
        }
    }

    /// Single-prediction latency of one loaded model.
    struct Latency: Codable {
        /// `ModelType` raw value.
        var model: String
        /// Timed calls.
        var calls: Int
        /// Microseconds per call.
        var micros: TimingSummary
        /// Median cost of the two clock reads around an empty region (included in `micros`).
        var clockOverheadMicros: Double
        /// The forecast from the last bar.
        var predictedClose: Double

        private enum CodingKeys: String, CodingKey {
            case model, calls, micros, clockOverheadMicros = "clock_overhead_micros", predictedClose = "predicted_close"
        }
    }

    /// Everything `speed` measures on one series.
    struct Result: Codable {
        /// The series' name.
        var ticker: String
        /// Sessions in the series.
        var sessions: Int
        /// One fit of each fitted family.
        var singleFit: [FitTiming]
        /// The ridge backtest with a refit at every test session.
        var ridgeRefitEverySession: RefitEverySession
        /// Single-prediction latency of ridge and xgboost.
        var latency: [Latency]

        private enum CodingKeys: String, CodingKey {
            case ticker, sessions, singleFit = "single_fit", ridgeRefitEverySession = "ridge_refit_every_session", latency
        }
    }

    /// The series.
    let series: SampleSeries
    /// Timed `forecast` calls per model.
    let latencyCalls: Int

    /// Runs the three probes; `log` receives progress lines.
    func run(log: (String) -> Void) throws -> Result {
        let fits = try self.singleFits()
        for fit in fits {
            log("\(self.series.ticker) single fit \(fit.model): \(String(format: "%.4f", fit.seconds.median)) s on \(fit.rows) rows")
        }
        let refit = try self.ridgeRefitEverySession()
        log("\(self.series.ticker) ridge backtest, refit every session: \(refit.fits) fits in \(String(format: "%.3f", refit.seconds.median)) s")
        let latency = try [ModelType.linearRegression, .xgboost].map { try self.latency(of: $0) }
        for probe in latency {
            log("\(self.series.ticker) \(probe.model) forecast latency: p50 \(String(format: "%.2f", probe.micros.median)) µs, p99 \(String(format: "%.2f", probe.micros.p99)) µs")
        }
        return Result(
            ticker: self.series.ticker, sessions: self.series.bars.count, singleFit: fits, ridgeRefitEverySession: refit,
            latency: latency
        )
    }

    /// The `h = 1` training set of the whole series: every row with all features defined and a next close.
    func horizonOneRows() -> (rows: [Double], targets: [Double], columns: Int) {
        let features = FeatureCatalog.defaultFeatures
        let bars = self.series.bars
        let matrix = FeatureBuilder.matrix(bars: bars, features: features)
        var rows: [Double] = []
        var targets: [Double] = []
        for t in 0..<(bars.count - 1) where matrix.isComplete[t] {
            rows.append(contentsOf: matrix.row(t))
            targets.append(log(bars[t + 1].adjustedClose / bars[t].adjustedClose))
        }
        return (rows, targets, features.count)
    }

    /// Single-fit times: ridge (with its α choice) 200 times, xgboost and random_forest 7 times each.
    func singleFits() throws -> [FitTiming] {
        let (rows, targets, columns) = self.horizonOneRows()
        var result: [FitTiming] = []
        let alphas = HyperParameters(for: .linearRegression).ridgeAlphas
        let ridge = try Stopwatch.repeated(200) {
            try RidgeFitter().fitRidge(rows: rows, columns: columns, targets: targets, alphas: alphas)
        }
        result.append(
            FitTiming(
                model: ModelType.linearRegression.rawValue, rows: targets.count, columns: columns,
                seconds: TimingSummary(ridge.seconds), reloadSeconds: nil
            )
        )
        for (type, mode) in [(ModelType.xgboost, XGBoostFitter.Mode.gradientBoosting), (.randomForest, .randomForest)] {
            let parameters = AccuracyBench.parameters(for: type)
            let timed = try Stopwatch.repeated(7) {
                try XGBoostFitter(mode: mode).fitRegressor(rows: rows, columns: columns, targets: targets, parameters: parameters)
            }
            let json = try timed.value.modelJSON
            let reload = try Stopwatch.repeated(7) { try XGBoostRegressor(modelJSON: json, threads: parameters.threads) }
            result.append(
                FitTiming(
                    model: type.rawValue, rows: targets.count, columns: columns, seconds: TimingSummary(timed.seconds),
                    reloadSeconds: TimingSummary(reload.seconds)
                )
            )
        }
        return result
    }

    /// The ridge backtest at `h = 1` with `refitEvery = 1`, run 5 times.
    func ridgeRefitEverySession() throws -> RefitEverySession {
        var parameters = HyperParameters(for: .linearRegression)
        parameters.maxHorizon = 1
        parameters.refitEvery = 1
        let backtest = WalkForwardBacktest(
            features: FeatureCatalog.defaultFeatures, parameters: parameters, valSize: AccuracyBench.valSize
        )
        let bars = self.series.bars
        let timed = try Stopwatch.repeated(5) { try backtest.run(bars: bars, model: .ridge) { _, _ in true } }
        return RefitEverySession(
            sessions: bars.count, fits: timed.value.folds.count, seconds: TimingSummary(timed.seconds),
            theilU: timed.value.model.first?.theilU
        )
    }

    /// Trains `type` (h = 1, one backtest fold), round-trips the artifact through JSON, then times `latencyCalls`
    /// single forecasts from the last bar after 2,000 untimed warm-up calls.
    func latency(of type: ModelType) throws -> Latency {
        var parameters = AccuracyBench.parameters(for: type)
        parameters.maxHorizon = 1
        parameters.refitEvery = 1_000_000
        let bars = self.series.bars
        let calendar = self.series.calendar
        let outcome = try ForecastTrainer.train(
            bars: bars, calendar: calendar, modelType: type, features: [], parameters: parameters,
            valSize: AccuracyBench.valSize, fitter: AccuracyBench.fitter(for: type)
        ) { _, _ in true }
        let artifact = try ModelArtifact.decode(jsonData: try outcome.artifact.jsonData())
        let forecaster = try Forecaster(artifact: artifact)
        // The origin cycles through the last 1,000 sessions, so no call repeats the previous one (and the optimiser
        // cannot hoist a loop-invariant forecast out of the timed loop).
        let origins = bars.suffix(1_000).map(\.session)
        var sum = 0.0
        for index in 0..<2_000 {
            sum += try forecaster.forecast(bars: bars, calendar: calendar, origin: origins[index % origins.count], horizons: 1...1)[0].predictedClose
        }
        var nanoseconds = [UInt64](repeating: 0, count: self.latencyCalls)
        for index in 0..<self.latencyCalls {
            let origin = origins[index % origins.count]
            let start = Stopwatch.now()
            let points = try forecaster.forecast(bars: bars, calendar: calendar, origin: origin, horizons: 1...1)
            nanoseconds[index] = Stopwatch.now() - start
            sum += points[0].predictedClose
        }
        guard sum.isFinite else { throw BenchError(.run, "\(type.rawValue) forecast is not finite") }
        let last = try forecaster.forecast(bars: bars, calendar: calendar, horizons: 1...1)[0].predictedClose
        return Latency(
            model: type.rawValue, calls: self.latencyCalls, micros: TimingSummary(nanoseconds.map { Double($0) / 1_000 }),
            clockOverheadMicros: Self.clockOverhead(), predictedClose: last
        )
    }

    /// Median microseconds between two consecutive clock reads (100,000 pairs).
    static func clockOverhead() -> Double {
        var samples = [Double](repeating: 0, count: 100_000)
        for index in samples.indices {
            let start = Stopwatch.now()
            samples[index] = Double(Stopwatch.now() - start) / 1_000
        }
        return TimingSummary(samples).median
    }
}
