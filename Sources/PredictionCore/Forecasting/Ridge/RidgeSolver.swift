/// Ridge regression on standardised columns from `RidgeStatistics`, with the penalty chosen by time-ordered
/// validation. Shared by `RidgeFitter` (one fit from rows) and the walk-forward backtest (incremental statistics),
/// so both give the same model for the same rows.
///
/// Model: columns standardised with the training means and population standard deviations (ddof 0; a constant
/// column keeps scale 1), target centred; `(ZᵀZ + αI) β = Zᵀ(y − ȳ)` solved by Cholesky (LAPACK `dposv`); the
/// intercept `ȳ` is not penalised. This is scikit-learn's `StandardScaler` + `Ridge(alpha)`.
enum RidgeSolver {
    /// Share of the training rows (the most recent ones) held out to choose α.
    static let validationShare = 0.2

    /// Rows of a training window of `count` rows that α is fitted on before being scored on the rest (the first 80 %).
    static func fittingCount(of count: Int) -> Int {
        Int((Double(count) * (1 - self.validationShare)).rounded(.down))
    }

    /// The ridge fit of one α, or `nil` when the system is not positive definite (or `statistics` is empty).
    static func fit(_ statistics: RidgeStatistics, alpha: Double) -> RidgeRegressor? {
        let p = statistics.columns
        let n = statistics.count
        guard n > 0 else { return nil }
        let count = Double(n)
        let meanY = statistics.sumY / count
        var scales = [Double](repeating: 1, count: p)
        for i in 0..<p {
            let centred = statistics.crossX[i * p + i] - statistics.sumX[i] * statistics.sumX[i] / count
            let scale = (max(centred, 0) / count).squareRoot()
            scales[i] = scale > 1e-12 && scale.isFinite ? scale : 1
        }
        var coefficients = [Double](repeating: 0, count: p)
        if p > 0 {
            var matrix = [Double](repeating: 0, count: p * p)
            for i in 0..<p {
                for j in i..<p {
                    let centred = statistics.crossX[i * p + j] - statistics.sumX[i] * statistics.sumX[j] / count
                    let value = centred / (scales[i] * scales[j]) + (i == j ? alpha : 0)
                    matrix[i * p + j] = value
                    matrix[j * p + i] = value
                }
                coefficients[i] = (statistics.crossXY[i] - statistics.sumX[i] * meanY) / scales[i]
            }
            guard matrix.allSatisfy(\.isFinite), coefficients.allSatisfy(\.isFinite),
                SymmetricSolver.solvePositiveDefinite(&matrix, &coefficients, dimension: p),
                coefficients.allSatisfy(\.isFinite)
            else { return nil }
        }
        let means = (0..<p).map { statistics.shift[$0] + statistics.sumX[$0] / count }
        return RidgeRegressor(
            validatedIntercept: meanY, coefficients: coefficients, means: means, scales: scales, alpha: alpha
        )
    }

    /// Validation sum of squared errors of `model` on a block of rows accumulated with the same shift.
    static func validationError(of model: RidgeRegressor, on block: RidgeStatistics) -> Double {
        // ŷ = ȳ + Σ wᵢ (xᵢ − meanᵢ) = a + Σ wᵢ (xᵢ − shiftᵢ) with a = ȳ − Σ wᵢ (meanᵢ − shiftᵢ).
        var a = model.intercept
        let weights = model.weights
        for i in weights.indices { a -= weights[i] * (model.means[i] - block.shift[i]) }
        return block.sumOfSquaredErrors(intercept: a, weights: weights)
    }

    /// Most decades the grid is extended beyond its largest α.
    static let maxExtensionDecades = 12

    /// Chooses α: each candidate is fitted on `fitting` (the first 80 % of the window) and scored on
    /// `full − fitting`; the lowest validation error wins (the first listed on a tie). When the best α is the grid's
    /// largest, the grid is extended by factors of 10 while the error keeps falling by more than one part in a million,
    /// at most `maxExtensionDecades` times, so the choice is interior unless the data want almost no fit at all (noise).
    /// The small end needs no extension: on standardised features α = 10⁻⁴ is already ordinary least squares to within
    /// that relative size. When the window is too short to hold rows out (fewer than 2 fitting rows or no validation
    /// row), the largest α is used.
    static func chooseAlpha(fitting: RidgeStatistics, full: RidgeStatistics, alphas: [Double]) -> Double {
        precondition(!alphas.isEmpty, "no ridge alphas")
        guard alphas.count > 1 else { return alphas[0] }
        let largest = alphas.max() ?? alphas[0]
        guard fitting.count >= 2, full.count > fitting.count else { return largest }
        let block = full.subtracting(fitting)
        func score(_ alpha: Double) -> Double? {
            guard let model = self.fit(fitting, alpha: alpha) else { return nil }
            let error = self.validationError(of: model, on: block)
            return error.isFinite ? error : nil
        }
        var best: (alpha: Double, error: Double)?
        for alpha in alphas {
            guard let error = score(alpha) else { continue }
            if let current = best, error >= current.error { continue }
            best = (alpha, error)
        }
        guard var chosen = best else { return largest }
        if chosen.alpha == largest, largest > 0 {
            for _ in 0..<Self.maxExtensionDecades {
                let next = chosen.alpha * 10
                guard let error = score(next), error < chosen.error * (1 - 1e-6) else { break }
                chosen = (next, error)
            }
        }
        return chosen.alpha
    }

    /// Chooses α, then fits it on the whole window; if that system is not positive definite, the next larger
    /// candidate α is used.
    ///
    /// - Throws: `ForecastError` `.numericalFailure` when no candidate α gives a solvable system,
    ///   `.insufficientData` when the window is empty.
    static func fitChoosingAlpha(
        fitting: RidgeStatistics, full: RidgeStatistics, alphas: [Double]
    ) throws -> RidgeRegressor {
        guard full.count > 0 else { throw ForecastError(.insufficientData, "ridge regression needs at least one training row") }
        let chosen = self.chooseAlpha(fitting: fitting, full: full, alphas: alphas)
        if let model = self.fit(full, alpha: chosen) { return model }
        for alpha in alphas.filter({ $0 > chosen }).sorted() {
            if let model = self.fit(full, alpha: alpha) { return model }
        }
        throw ForecastError(
            .numericalFailure, "ridge regression: the normal equations are not positive definite for any alpha in \(alphas)"
        )
    }
}
