/// A fitted regressor for one horizon: maps a feature row to the predicted log return over that horizon.
/// Implementations are immutable after fitting and safe to call from any thread.
public protocol HorizonRegressor: Sendable {
    /// Predicted log return for one feature row.
    func predict(_ row: [Double]) -> Double
    /// Predicted log returns for many rows (row-major, `columns` values each).
    func predict(rows: [Double], columns: Int) -> [Double]
    /// The regressor as data (never code) for the model artifact.
    func artifact() throws -> RegressorArtifact
}

/// Fits a `HorizonRegressor` from a row-major feature matrix and its targets. CPU-bound and synchronous:
/// callers run it off Swift's cooperative pool.
public protocol RegressorFitter: Sendable {
    /// Fits on `rows` (row-major, `columns` values per row, `targets.count` rows), checking `stop` between iterations.
    func fit(rows: [Double], columns: Int, targets: [Double], parameters: HyperParameters, stop: StopSignal) throws -> any HorizonRegressor
}

extension RegressorFitter {
    /// Fits without a way to stop.
    public func fit(rows: [Double], columns: Int, targets: [Double], parameters: HyperParameters) throws -> any HorizonRegressor {
        try self.fit(rows: rows, columns: columns, targets: targets, parameters: parameters, stop: .never)
    }
}

/// A regressor as stored in a model artifact: plain data, loadable without executing anything.
public enum RegressorArtifact: Hashable, Sendable, Codable {
    /// A constant prediction (naive: 0, drift: h × mean return).
    case constant(Double)
    /// Ridge: `ŷ = intercept + Σ coefficients[i] × (x[i] − means[i]) / scales[i]`.
    case linear(intercept: Double, coefficients: [Double], means: [Double], scales: [Double], alpha: Double)
    /// An XGBoost model in XGBoost's own JSON format (loadable by the Python xgboost package too).
    case xgboost(json: String)
}
