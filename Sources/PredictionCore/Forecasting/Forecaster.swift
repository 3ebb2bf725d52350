#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A loaded model that forecasts: one direct regressor per horizon, so each future session gets its own forecast
/// and its own interval (the original repeated one value for every day).
///
/// Immutable and `Sendable`: load once, call `forecast` from any thread.
public struct Forecaster: Sendable {
    /// The artifact the forecaster was loaded from.
    public let artifact: ModelArtifact
    /// One regressor per horizon, index `h − 1`.
    private let regressors: [any HorizonRegressor]

    /// Loads an artifact (XGBoost regressors through `XGBoostRegressor(modelJSON:)`).
    ///
    /// - Throws: `ForecastError` `.invalidArtifact` when a regressor cannot be loaded or does not take the
    ///   artifact's feature columns.
    public init(artifact: ModelArtifact) throws {
        guard artifact.formatVersion == ModelArtifact.currentFormatVersion else {
            throw ForecastError(.invalidArtifact, "model artifact format \(artifact.formatVersion) is not supported")
        }
        let horizons = artifact.regressors.count
        guard horizons >= 1, artifact.halfWidths80.count == horizons, artifact.halfWidths95.count == horizons else {
            throw ForecastError(.invalidArtifact, "a model artifact needs one regressor and two half-widths per horizon")
        }
        let columns = artifact.features.count
        self.regressors = try artifact.regressors.enumerated().map { index, regressor in
            try Self.regressor(from: regressor, columns: columns, horizon: index + 1)
        }
        self.artifact = artifact
    }

    /// Longest horizon this model forecasts.
    public var maxHorizon: Int { self.regressors.count }

    /// Forecasts the closes `horizons` sessions after `origin`.
    ///
    /// - Parameters:
    ///   - bars: the series up to at least the origin, ascending by session (later bars are ignored). The origin
    ///     needs the 20 sessions before it for the features.
    ///   - calendar: the exchange's calendar; must be the one the model was trained with. Target dates are its
    ///     sessions.
    ///   - origin: the last session to use; defaults to the last bar.
    ///   - horizons: sessions ahead, within `1…maxHorizon`.
    /// - Returns: one point per horizon, in order.
    /// - Throws: `ForecastError` `.horizonOutOfRange`, `.calendarMismatch`, `.unknownOrigin` (not a bar's session),
    ///   `.insufficientData` (a feature undefined at the origin) or `.numericalFailure`.
    public func forecast(
        bars: [CleanBar], calendar: any TradingCalendar, origin: SessionDate? = nil, horizons: ClosedRange<Int>
    ) throws -> [ForecastPoint] {
        guard horizons.lowerBound >= 1, horizons.upperBound <= self.maxHorizon else {
            throw ForecastError(
                .horizonOutOfRange,
                "horizons \(horizons.lowerBound)…\(horizons.upperBound) are outside 1…\(self.maxHorizon) sessions, the range this model was trained for"
            )
        }
        guard calendar.identifier == self.artifact.calendarIdentifier else {
            throw ForecastError(
                .calendarMismatch,
                "the model counts sessions in calendar \(self.artifact.calendarIdentifier), not \(calendar.identifier)"
            )
        }
        let index = try self.originIndex(bars: bars, origin: origin)
        let lookback = self.artifact.features.map(\.lookback).max() ?? 0
        for i in max(index - lookback, 0)..<index where !(bars[i].session < bars[i + 1].session) {
            throw ForecastError(.invalidParameter, "bars must be ascending by session (\(bars[i + 1].session) follows \(bars[i].session))")
        }
        guard let row = FeatureBuilder.row(bars: bars, at: index, features: self.artifact.features) else {
            throw ForecastError(
                .insufficientData,
                "a feature is undefined at \(bars[index].session): forecasting needs \(lookback) earlier sessions with indicators"
            )
        }
        let originBar = bars[index]
        let close = originBar.bar.close
        let targets = calendar.sessions(after: originBar.session, count: horizons.upperBound)
        return try horizons.map { h in
            let predicted = self.regressors[h - 1].predict(row)
            guard predicted.isFinite else {
                throw ForecastError(.numericalFailure, "the horizon-\(h) model gave a non-finite forecast")
            }
            let half80 = self.artifact.halfWidths80[h - 1]
            let half95 = self.artifact.halfWidths95[h - 1]
            return ForecastPoint(
                horizon: h, targetDate: targets[h - 1], originDate: originBar.session, originClose: close,
                predictedClose: close * exp(predicted), lower80: close * exp(predicted - half80),
                upper80: close * exp(predicted + half80), lower95: close * exp(predicted - half95),
                upper95: close * exp(predicted + half95)
            )
        }
    }

    /// Index of the origin bar: the last bar, or the bar of `origin` (binary search; bars ascending).
    private func originIndex(bars: [CleanBar], origin: SessionDate?) throws -> Int {
        guard let last = bars.indices.last else { throw ForecastError(.insufficientData, "no bars to forecast from") }
        guard let origin else { return last }
        var low = 0
        var high = bars.count
        while low < high {
            let middle = (low + high) / 2
            if bars[middle].session < origin { low = middle + 1 } else { high = middle }
        }
        guard low < bars.count, bars[low].session == origin else {
            throw ForecastError(.unknownOrigin, "\(origin) is not a session of the given bars")
        }
        return low
    }

    /// The regressor of one horizon from its artifact data.
    static func regressor(from artifact: RegressorArtifact, columns: Int, horizon: Int) throws -> any HorizonRegressor {
        switch artifact {
        case .constant(let value):
            guard value.isFinite else { throw ForecastError(.invalidArtifact, "horizon \(horizon): constant is not finite") }
            return ConstantRegressor(value: value)
        case .linear(let intercept, let coefficients, let means, let scales, let alpha):
            let model = try RidgeRegressor(
                intercept: intercept, coefficients: coefficients, means: means, scales: scales, alpha: alpha
            )
            guard model.columns == columns else {
                throw ForecastError(.invalidArtifact, "horizon \(horizon): linear model has \(model.columns) columns, the artifact \(columns) features")
            }
            return model
        case .xgboost(let json):
            let model: XGBoostRegressor
            do {
                model = try XGBoostRegressor(modelJSON: json)
            } catch let error as XGBoostError {
                throw ForecastError(.invalidArtifact, "horizon \(horizon): \(error.message)")
            }
            guard model.featureCount == columns else {
                throw ForecastError(.invalidArtifact, "horizon \(horizon): XGBoost model has \(model.featureCount) features, the artifact \(columns)")
            }
            return model
        }
    }
}
