#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Walk-forward evaluation in time order (never shuffled).
///
/// Usable rows are the sessions where every feature is defined and a next-session close exists. The last
/// `valSize` share of them are the test origins. They are split into folds of `refitEvery` consecutive origins;
/// at the first origin `o` of each fold the model of every horizon `h` is refitted on an expanding window (all
/// complete rows `t` with `t + h ≤ o`, i.e. whose target close is known at `o`) and forecasts every origin of the
/// fold. Each test point's interval uses only residuals of earlier test points that were realised by its origin
/// (`origin' + h ≤ origin`, at least `ConformalInterval.minimumResiduals`), so the reported coverage is honest.
public struct WalkForwardBacktest: Sendable {
    /// Longest horizon accepted (about a trading year).
    public static let maximumHorizon = 260

    /// Feature columns.
    public var features: [FeatureName]
    /// `maxHorizon`, `refitEvery`, the ridge alphas and the fitter's parameters.
    public var parameters: HyperParameters
    /// Share of the usable rows scored, in `(0, 1)`.
    public var valSize: Double

    /// Creates a backtest.
    public init(features: [FeatureName], parameters: HyperParameters, valSize: Double) {
        self.features = features
        self.parameters = parameters
        self.valSize = valSize
    }

    /// Runs the backtest.
    ///
    /// - Parameters:
    ///   - bars: the series, strictly ascending by session.
    ///   - model: how to fit the model (`ModelFitting(modelType:fitter:)`).
    ///   - progress: called before each fold's refit with the fraction done and a message; returning `false`
    ///     stops the run.
    /// - Throws: `ForecastError` `.cancelled` when `progress` returned `false`; `.invalidParameter`,
    ///   `.insufficientData` (fewer test origins than `maxHorizon`, or a horizon with fewer than 30 training rows
    ///   at the first fold), `.numericalFailure`, or the fitter's error.
    public func run(
        bars: [CleanBar], model: ModelFitting, stop: StopSignal = .never, progress: (_ fraction: Double, _ message: String) -> Bool
    ) throws -> BacktestResult {
        try self.validate()
        let maxHorizon = self.parameters.maxHorizon
        let series = try SupervisedSeries(bars: bars, features: self.features, maxHorizon: maxHorizon)
        let n = series.count
        let usable = series.completeRows.filter { $0 <= n - 2 }
        guard let firstUsable = usable.first, usable.count >= 2 else {
            throw ForecastError(
                .insufficientData, "\(n) sessions give \(usable.count) usable rows (every feature defined and a next close)"
            )
        }
        let testCount = min(Int((Double(usable.count) * self.valSize).rounded(.up)), usable.count - 1)
        guard testCount >= maxHorizon else {
            throw ForecastError(
                .insufficientData,
                "the test window has \(testCount) origins (val_size \(self.valSize) of \(usable.count) usable rows); at least max_horizon = \(maxHorizon) are needed: give more data, raise val_size or lower max_horizon"
            )
        }
        let origins = Array(usable.suffix(testCount))
        let refitEvery = self.parameters.refitEvery
        let foldCount = (origins.count + refitEvery - 1) / refitEvery
        var engine = HorizonModelEngine(series: series, fitting: model, parameters: self.parameters, stop: stop)
        var predicted = [[Double]](repeating: [], count: maxHorizon)
        var drift = [[Double]](repeating: [], count: maxHorizon)
        var folds: [BacktestFold] = []
        folds.reserveCapacity(foldCount)
        let columns = series.columns
        var batch: [Double] = []
        for fold in 0..<foldCount {
            let start = fold * refitEvery
            let end = min(start + refitEvery, origins.count)
            let origin = origins[start]
            let message = "backtest fold \(fold + 1)/\(foldCount): refit at \(series.sessions[origin])"
            guard progress(Double(fold) / Double(foldCount), message) else {
                throw ForecastError(.cancelled, "cancelled at backtest fold \(fold + 1) of \(foldCount)")
            }
            let models = try engine.fit(origin: origin)
            let driftModels = engine.driftRegressors(origin: origin)
            let counts = engine.trainingCounts(origin: origin)
            batch.removeAll(keepingCapacity: true)
            for index in start..<end { batch.append(contentsOf: series.matrix.row(origins[index])) }
            for h in 1...maxHorizon {
                let values = models[h - 1].predict(rows: batch, columns: columns)
                guard values.count == end - start, values.allSatisfy(\.isFinite) else {
                    throw ForecastError(.numericalFailure, "the horizon-\(h) model gave a non-finite forecast in fold \(fold + 1)")
                }
                for (offset, index) in (start..<end).enumerated() where origins[index] + h <= n - 1 {
                    predicted[h - 1].append(values[offset])
                    drift[h - 1].append(driftModels[h - 1].value)
                }
            }
            folds.append(
                BacktestFold(
                    index: fold, originRows: origins[start]...origins[end - 1], firstOrigin: series.sessions[origin],
                    lastTrainingRows: counts.map { series.completeRows[$0 - 1] }, trainingCounts: counts
                )
            )
        }
        if let empty = predicted.firstIndex(where: \.isEmpty) {
            throw ForecastError(.insufficientData, "horizon \(empty + 1) has no test point with a known close")
        }
        return self.assemble(
            series: series, origins: origins, predicted: predicted, drift: drift, folds: folds,
            usableCount: usable.count, firstUsable: firstUsable
        )
    }

    /// Checks the parameters.
    func validate() throws {
        let maxHorizon = self.parameters.maxHorizon
        guard (1...Self.maximumHorizon).contains(maxHorizon) else {
            throw ForecastError(.invalidParameter, "max_horizon must be in 1…\(Self.maximumHorizon), got \(maxHorizon)")
        }
        guard self.parameters.refitEvery >= 1 else {
            throw ForecastError(.invalidParameter, "refit_every must be at least 1, got \(self.parameters.refitEvery)")
        }
        guard self.valSize > 0, self.valSize < 1 else {
            throw ForecastError(.invalidParameter, "val_size must be in (0, 1), got \(self.valSize)")
        }
        guard !self.features.isEmpty else { throw ForecastError(.invalidParameter, "at least one feature is needed") }
    }

    /// Points, honest intervals and metrics from the per-horizon predictions (aligned with `origins`).
    private func assemble(
        series: SupervisedSeries, origins: [Int], predicted: [[Double]], drift: [[Double]], folds: [BacktestFold],
        usableCount: Int, firstUsable: Int
    ) -> BacktestResult {
        let maxHorizon = self.parameters.maxHorizon
        let closes = series.closes
        func residuals(_ forecasts: [[Double]]) -> [[Double]] {
            forecasts.enumerated().map { index, values in
                values.enumerated().map { i, value in
                    log(closes[origins[i] + index + 1] / closes[origins[i]]) - value
                }
            }
        }
        let naive = predicted.map { [Double](repeating: 0, count: $0.count) }
        let modelWidths = Self.honestHalfWidths(origins: origins, residuals: residuals(predicted))
        let naiveWidths = Self.honestHalfWidths(origins: origins, residuals: residuals(naive))
        let driftWidths = Self.honestHalfWidths(origins: origins, residuals: residuals(drift))
        var points: [[BacktestPoint]] = []
        var metrics: (model: [HorizonMetrics], naive: [HorizonMetrics], drift: [HorizonMetrics]) = ([], [], [])
        for h in 1...maxHorizon {
            let count = predicted[h - 1].count
            let rows = origins.prefix(count)
            let originCloses = rows.map { closes[$0] }
            let actualCloses = rows.map { closes[$0 + h] }
            points.append(
                rows.enumerated().map { i, row in
                    BacktestPoint(
                        originRow: row, origin: series.sessions[row], target: series.sessions[row + h],
                        originClose: closes[row], actualClose: closes[row + h], predictedLogReturn: predicted[h - 1][i],
                        driftLogReturn: drift[h - 1][i], halfWidth80: modelWidths[h - 1][i]?.0,
                        halfWidth95: modelWidths[h - 1][i]?.1
                    )
                }
            )
            func score(_ forecasts: [[Double]], _ widths: [[(Double, Double)?]]) -> HorizonMetrics? {
                HorizonMetrics.score(
                    horizon: h, originCloses: originCloses, actualCloses: actualCloses,
                    predictedLogReturns: forecasts[h - 1], halfWidths: widths[h - 1]
                )
            }
            // Every horizon has at least one point (test origins ≥ maxHorizon), so scoring cannot fail.
            if let model = score(predicted, modelWidths), let naive = score(naive, naiveWidths),
                let drift = score(drift, driftWidths)
            {
                metrics.model.append(model)
                metrics.naive.append(naive)
                metrics.drift.append(drift)
            }
        }
        let window = BacktestWindow(
            dataStart: series.sessions[0], dataEnd: series.sessions[series.count - 1], sessions: series.count,
            firstUsable: series.sessions[firstUsable], usableRows: usableCount,
            testStart: series.sessions[origins[0]], testEnd: series.sessions[origins[origins.count - 1]],
            testOrigins: origins.count
        )
        return BacktestResult(
            points: points, folds: folds, window: window, model: metrics.model, naive: metrics.naive, drift: metrics.drift
        )
    }

    /// Per horizon and test point: the (80 %, 95 %) half-widths from the absolute residuals of earlier points of
    /// that horizon realised by the point's origin, made non-decreasing in `h` at each origin; `nil` until
    /// `ConformalInterval.minimumResiduals` residuals exist.
    ///
    /// - Parameters:
    ///   - origins: bar indices of the test origins, ascending.
    ///   - residuals: `residuals[h − 1][i]` for origin `i` (a prefix of `origins` per horizon).
    static func honestHalfWidths(origins: [Int], residuals: [[Double]]) -> [[(Double, Double)?]] {
        let maxHorizon = residuals.count
        var sorted = [[Double]](repeating: [], count: maxHorizon)
        var released = [Int](repeating: 0, count: maxHorizon)
        var result = residuals.map { [(Double, Double)?](repeating: nil, count: $0.count) }
        var widths80 = [Double?](repeating: nil, count: maxHorizon)
        var widths95 = [Double?](repeating: nil, count: maxHorizon)
        for (i, origin) in origins.enumerated() {
            for index in 0..<maxHorizon {
                let h = index + 1
                while released[index] < residuals[index].count, origins[released[index]] + h <= origin {
                    ConformalInterval.insertSorted(abs(residuals[index][released[index]]), into: &sorted[index])
                    released[index] += 1
                }
                if sorted[index].count >= ConformalInterval.minimumResiduals {
                    widths80[index] = ConformalInterval.halfWidth(sortedAbsoluteResiduals: sorted[index], coverage: ConformalInterval.levels.low)
                    widths95[index] = ConformalInterval.halfWidth(sortedAbsoluteResiduals: sorted[index], coverage: ConformalInterval.levels.high)
                } else {
                    widths80[index] = nil
                    widths95[index] = nil
                }
            }
            let envelope80 = ConformalInterval.monotoneEnvelope(widths80)
            let envelope95 = ConformalInterval.monotoneEnvelope(widths95)
            for index in 0..<maxHorizon where i < residuals[index].count {
                if let low = envelope80[index], let high = envelope95[index] { result[index][i] = (low, high) }
            }
        }
        return result
    }
}
