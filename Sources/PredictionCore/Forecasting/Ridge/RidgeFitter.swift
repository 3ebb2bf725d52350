/// Fits `RidgeRegressor`s (the `linear_regression` model family).
///
/// α is chosen from `HyperParameters.ridgeAlphas` by time-ordered validation: each candidate is fitted on the
/// first 80 % of the rows (in the order given, which must be chronological) and scored by squared error on the last
/// 20 %; the best is refitted on all rows. Columns are standardised with the training means and scales, the
/// intercept is not penalised, and the normal equations are solved with LAPACK (see `RidgeSolver`).
public struct RidgeFitter: RegressorFitter {
    /// Creates the fitter.
    public init() {}

    /// Fits on `rows` (row-major, `columns` values per row, chronological).
    ///
    /// - Throws: `ForecastError` `.invalidParameter` for inconsistent shapes, non-finite values or an empty / invalid
    ///   α list, `.insufficientData` without rows, `.numericalFailure` when no α gives a solvable system.
    public func fit(rows: [Double], columns: Int, targets: [Double], parameters: HyperParameters, stop: StopSignal) throws -> any HorizonRegressor {
        try self.fitRidge(rows: rows, columns: columns, targets: targets, alphas: parameters.ridgeAlphas)
    }

    /// `fit` with the concrete result type.
    public func fitRidge(rows: [Double], columns: Int, targets: [Double], alphas: [Double]) throws -> RidgeRegressor {
        try Self.validate(alphas: alphas)
        guard columns >= 0, rows.count == targets.count * columns else {
            throw ForecastError(
                .invalidParameter, "ridge: \(rows.count) values do not form \(targets.count) rows of \(columns) columns"
            )
        }
        guard !targets.isEmpty else { throw ForecastError(.insufficientData, "ridge regression needs at least one training row") }
        guard rows.allSatisfy(\.isFinite), targets.allSatisfy(\.isFinite) else {
            throw ForecastError(.invalidParameter, "ridge: the training rows contain a non-finite value")
        }
        let shift = Array(rows[0..<columns])
        var fitting = RidgeStatistics(columns: columns, shift: shift)
        let fittingCount = RidgeSolver.fittingCount(of: targets.count)
        for index in 0..<fittingCount { fitting.add(rows, offset: index * columns, target: targets[index]) }
        var full = fitting
        for index in fittingCount..<targets.count { full.add(rows, offset: index * columns, target: targets[index]) }
        return try RidgeSolver.fitChoosingAlpha(fitting: fitting, full: full, alphas: alphas)
    }

    /// Checks a candidate α list: not empty, at most 64 values, each finite and ≥ 0.
    static func validate(alphas: [Double]) throws {
        guard !alphas.isEmpty, alphas.count <= 64, alphas.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw ForecastError(
                .invalidParameter, "ridge_alphas must hold 1 to 64 finite values ≥ 0, got \(alphas.prefix(64))"
            )
        }
    }
}
