import Foundation
import PredictionCore

/// The accuracy-and-speed protocol of issue 3's benchmarks, on our side: for each model family a walk-forward
/// backtest with the last 20 % of the usable sessions as test origins, an expanding window, a refit every 20
/// sessions and one direct model per horizon `h = 1…10`; metrics kept for `h = 1, 5, 10`. Each backtest is timed
/// whole (feature matrix, every fit, every prediction, the metrics); fast models are run several times and the
/// median kept.
struct AccuracyBench {
    /// The result of one model family on one series.
    struct ModelResult: Codable {
        /// `ModelType` raw value.
        var model: String
        /// Seconds of each timed run.
        var seconds: [Double]
        /// Median of `seconds`.
        var medianSeconds: Double
        /// Refits (folds) of one run.
        var folds: Int
        /// Regressors fitted in one run (`folds × maxHorizon`; 0 for naive, which fits nothing).
        var fits: Int
        /// The data and test window.
        var window: BacktestWindow
        /// The model's metrics at the reported horizons.
        var metrics: [HorizonMetrics]
        /// The naive forecast's metrics on the same points.
        var naive: [HorizonMetrics]
        /// The drift forecast's metrics on the same points.
        var drift: [HorizonMetrics]

        private enum CodingKeys: String, CodingKey {
            case model, seconds, medianSeconds = "median_seconds", folds, fits, window, metrics, naive, drift
        }
    }

    /// Share of the usable rows tested.
    static let valSize = 0.2
    /// Refit cadence in sessions.
    static let refitEvery = 20
    /// Longest horizon fitted.
    static let maxHorizon = 10
    /// Horizons whose metrics are reported.
    static let reportedHorizons = [1, 5, 10]
    /// Model families, in report order.
    static let models: [ModelType] = [.naive, .drift, .linearRegression, .xgboost, .randomForest]

    /// The series.
    let series: SampleSeries

    /// Runs every model family in `models`; `log` receives one line per model.
    func run(models: [ModelType] = Self.models, log: (String) -> Void) throws -> [ModelResult] {
        try models.map { type in
            let result = try self.run(type)
            log(
                "\(self.series.ticker) \(type.rawValue): backtest \(String(format: "%.3f", result.medianSeconds)) s, "
                    + "\(result.folds) folds, U(h=1) \(result.metrics.first?.theilU.map { String(format: "%.4f", $0) } ?? "—")"
            )
            return result
        }
    }

    /// The hyper-parameters of a family under this protocol (the family's defaults otherwise).
    static func parameters(for type: ModelType) -> HyperParameters {
        var parameters = HyperParameters(for: type)
        parameters.maxHorizon = self.maxHorizon
        parameters.refitEvery = self.refitEvery
        parameters.threads = 1
        return parameters
    }

    /// The fitter of a family (`nil` for the built-in ones).
    static func fitter(for type: ModelType) -> (any RegressorFitter)? {
        switch type {
        case .xgboost: XGBoostFitter(mode: .gradientBoosting)
        case .randomForest: XGBoostFitter(mode: .randomForest)
        case .naive, .drift, .linearRegression: nil
        }
    }

    /// One family's timed backtest.
    private func run(_ type: ModelType) throws -> ModelResult {
        let parameters = Self.parameters(for: type)
        let fitting = try ModelFitting(modelType: type, fitter: Self.fitter(for: type))
        let backtest = WalkForwardBacktest(
            features: FeatureCatalog.defaultFeatures, parameters: parameters, valSize: Self.valSize
        )
        let repeats = type == .xgboost || type == .randomForest ? 1 : 5
        let bars = self.series.bars
        let (seconds, result) = try Stopwatch.repeated(repeats) {
            try backtest.run(bars: bars, model: fitting) { _, _ in true }
        }
        func reported(_ metrics: [HorizonMetrics]) -> [HorizonMetrics] {
            metrics.filter { Self.reportedHorizons.contains($0.horizon) }
        }
        return ModelResult(
            model: type.rawValue, seconds: seconds, medianSeconds: TimingSummary(seconds).median,
            folds: result.folds.count, fits: type == .naive ? 0 : result.folds.count * parameters.maxHorizon,
            window: result.window, metrics: reported(result.model), naive: reported(result.naive),
            drift: reported(result.drift)
        )
    }
}
