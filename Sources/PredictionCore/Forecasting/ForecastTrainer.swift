#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Trains a model end to end: walk-forward backtest (time order), final fit on all data, conformal intervals
/// from the backtest residuals, artifact and report.
///
/// Multi-day forecasts use the direct strategy: one regressor per horizon `h = 1…maxHorizon`, each trained on
/// `ln(c[t+h] / c[t])`; nothing is fed back recursively. Synchronous and CPU-bound: run it off the cooperative pool.
/// Deterministic for a given input and seed.
public enum ForecastTrainer {
    /// Trains and evaluates a model.
    ///
    /// - Parameters:
    ///   - bars: the training window, strictly ascending by session (adjusted closes positive).
    ///   - calendar: the exchange's calendar; its identifier is stored so forecasts count the same sessions.
    ///   - modelType: the family.
    ///   - features: feature columns (`FeatureCatalog.resolve`); empty means `FeatureCatalog.defaultFeatures`;
    ///     duplicates are dropped.
    ///   - parameters: hyper-parameters (`maxHorizon`, `refitEvery`, ridge alphas, the fitter's).
    ///   - valSize: share of the usable rows scored by the backtest, in `(0, 1)`.
    ///   - fitter: the regressor fitter for `xgboost` / `random_forest` (`XGBoostFitter(mode:)`); ignored otherwise.
    ///   - shuffleRequested: the original API's `shuffle`; accepted, never applied (noted in the report).
    ///   - stop: checked between boosting rounds and horizons, so a stop takes effect within one of them.
    ///   - progress: called at each backtest fold and before the final fit with the fraction done (0…1) and a
    ///     message; returning `false` stops with `ForecastError` `.cancelled`.
    /// - Throws: `ForecastError` (`.missingFitter`, `.invalidParameter`, `.insufficientData`, `.cancelled`,
    ///   `.numericalFailure`) or the fitter's error.
    public static func train(
        bars: [CleanBar], calendar: any TradingCalendar, modelType: ModelType, features: [FeatureName],
        parameters: HyperParameters, valSize: Double, fitter: (any RegressorFitter)?, shuffleRequested: Bool = false,
        stop: StopSignal = .never, progress: (_ fraction: Double, _ message: String) -> Bool
    ) throws -> TrainingOutcome {
        var seen = Set<FeatureName>()
        let features = (features.isEmpty ? FeatureCatalog.defaultFeatures : features).filter { seen.insert($0).inserted }
        let fitting = try ModelFitting(modelType: modelType, fitter: fitter)
        let backtest = WalkForwardBacktest(features: features, parameters: parameters, valSize: valSize)
        let result = try backtest.run(bars: bars, model: fitting, stop: stop) { fraction, message in
            progress(0.9 * fraction, message)
        }
        guard progress(0.9, "final fit on all \(bars.count) sessions") else {
            throw ForecastError(.cancelled, "cancelled before the final fit")
        }
        let series = try SupervisedSeries(bars: bars, features: features, maxHorizon: parameters.maxHorizon)
        var engine = HorizonModelEngine(series: series, fitting: fitting, parameters: parameters, stop: stop)
        let regressors = try engine.fit(origin: series.count - 1)
        let widths = self.finalHalfWidths(points: result.points, series: series)
        let artifact = ModelArtifact(
            modelType: modelType, features: features, regressors: try regressors.map { try $0.artifact() },
            halfWidths80: widths.low, halfWidths95: widths.high, parameters: parameters,
            calendarIdentifier: calendar.identifier, trainedFrom: series.sessions[0],
            trainedThrough: series.sessions[series.count - 1]
        )
        let report = BacktestReport(
            modelType: modelType, features: features, maxHorizon: parameters.maxHorizon, valSize: valSize,
            refitEvery: parameters.refitEvery, foldCount: result.folds.count, window: result.window,
            model: result.model, naive: result.naive, drift: result.drift,
            notes: self.notes(
                result: result, modelType: modelType, parameters: parameters, valSize: valSize,
                shuffleRequested: shuffleRequested, artifact: artifact, extrapolated: widths.extrapolatedFrom
            ),
            backtest: (result.points.first ?? []).suffix(BacktestReport.backtestPointLimit).map(BacktestSeriesPoint.init)
        )
        _ = progress(1, "trained")
        return TrainingOutcome(artifact: artifact, report: report)
    }

    /// Per horizon: the finite-sample conformal half-widths (80 %, 95 %) of all backtest residuals of that horizon,
    /// made non-decreasing in `h`. A horizon with too few residuals for the rank (fewer than 19) is extrapolated
    /// from the longest horizon that has enough by `√(h / k)`, or, when none has, from the standard deviation of
    /// the one-session log returns (`z × σ × √h`).
    static func finalHalfWidths(
        points: [[BacktestPoint]], series: SupervisedSeries
    ) -> (low: [Double], high: [Double], extrapolatedFrom: Int?) {
        let levels = ConformalInterval.levels
        let raw: [(Double, Double)?] = points.map { horizonPoints in
            let sorted = horizonPoints.map { abs($0.residual) }.sorted()
            guard let low = ConformalInterval.halfWidth(sortedAbsoluteResiduals: sorted, coverage: levels.low),
                let high = ConformalInterval.halfWidth(sortedAbsoluteResiduals: sorted, coverage: levels.high)
            else { return nil }
            return (low, high)
        }
        var filled: [(Double, Double)] = []
        var extrapolatedFrom: Int?
        let lastKnown = raw.lastIndex { $0 != nil }
        for (index, width) in raw.enumerated() {
            if let width {
                filled.append(width)
            } else if let known = lastKnown, let base = raw[known] {
                let factor = (Double(index + 1) / Double(known + 1)).squareRoot()
                filled.append((base.0 * factor, base.1 * factor))
                extrapolatedFrom = extrapolatedFrom ?? index + 1
            } else {
                let sigma = self.oneSessionVolatility(series.closes)
                let factor = Double(index + 1).squareRoot()
                filled.append((1.2815515655446004 * sigma * factor, 1.959963984540054 * sigma * factor))
                extrapolatedFrom = extrapolatedFrom ?? index + 1
            }
        }
        let low = ConformalInterval.monotoneEnvelope(filled.map(\.0)).map { $0 ?? 0 }
        let high = ConformalInterval.monotoneEnvelope(filled.map(\.1)).map { $0 ?? 0 }
        return (low, zip(low, high).map { max($0, $1) }, extrapolatedFrom)
    }

    /// Sample standard deviation of the one-session log returns of `closes` (0 for fewer than 3 closes).
    static func oneSessionVolatility(_ closes: [Double]) -> Double {
        guard closes.count >= 3 else { return 0 }
        let returns = zip(closes.dropFirst(), closes).map { log($0 / $1) }
        let mean = returns.reduce(0, +) / Double(returns.count)
        let squares = returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let sigma = (squares / Double(returns.count - 1)).squareRoot()
        return sigma.isFinite ? sigma : 0
    }
}
