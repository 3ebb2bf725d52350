/// A fitted ridge model: `ŷ = intercept + Σ coefficients[i] × (x[i] − means[i]) / scales[i]`
/// (coefficients of the standardised columns, as in `RegressorArtifact.linear`).
public struct RidgeRegressor: HorizonRegressor, Hashable {
    /// The mean training target (the unpenalised intercept).
    public let intercept: Double
    /// Coefficients of the standardised columns.
    public let coefficients: [Double]
    /// Training column means.
    public let means: [Double]
    /// Training column standard deviations (ddof 0; 1 for a constant column).
    public let scales: [Double]
    /// The penalty the model was fitted with.
    public let alpha: Double
    /// `coefficients[i] / scales[i]`: the weight of the raw (centred) column.
    let weights: [Double]

    /// Rebuilds a model from artifact values.
    ///
    /// - Throws: `ForecastError` `.invalidArtifact` when the arrays differ in length, a value is not finite or a
    ///   scale is not positive.
    public init(intercept: Double, coefficients: [Double], means: [Double], scales: [Double], alpha: Double) throws {
        guard coefficients.count == means.count, means.count == scales.count else {
            throw ForecastError(
                .invalidArtifact,
                "linear model arrays differ in length (coefficients \(coefficients.count), means \(means.count), scales \(scales.count))"
            )
        }
        guard intercept.isFinite, alpha.isFinite, (coefficients + means).allSatisfy(\.isFinite),
            scales.allSatisfy({ $0.isFinite && $0 > 0 })
        else { throw ForecastError(.invalidArtifact, "linear model has a non-finite value or a non-positive scale") }
        self.init(validatedIntercept: intercept, coefficients: coefficients, means: means, scales: scales, alpha: alpha)
    }

    /// A model from values already known to be consistent (the solver's output).
    init(validatedIntercept intercept: Double, coefficients: [Double], means: [Double], scales: [Double], alpha: Double) {
        self.intercept = intercept
        self.coefficients = coefficients
        self.means = means
        self.scales = scales
        self.alpha = alpha
        self.weights = zip(coefficients, scales).map { $0 / $1 }
    }

    /// Number of feature columns.
    public var columns: Int { self.coefficients.count }

    /// Predicted log return for one row (`columns` values).
    public func predict(_ row: [Double]) -> Double {
        precondition(row.count == self.columns, "row has \(row.count) values, model has \(self.columns) columns")
        return self.predict(row, offset: 0)
    }

    /// Predicted log returns for many rows (row-major, `columns` values each).
    public func predict(rows: [Double], columns: Int) -> [Double] {
        precondition(columns == self.columns && (columns == 0 || rows.count % columns == 0), "rows do not match the model")
        let count = columns == 0 ? 0 : rows.count / columns
        return (0..<count).map { self.predict(rows, offset: $0 * columns) }
    }

    /// Prediction for the row starting at `offset` of `values`.
    func predict(_ values: [Double], offset: Int) -> Double {
        var sum = self.intercept
        for i in 0..<self.weights.count { sum += self.weights[i] * (values[offset + i] - self.means[i]) }
        return sum
    }

    /// The model as artifact data.
    public func artifact() throws -> RegressorArtifact {
        .linear(
            intercept: self.intercept, coefficients: self.coefficients, means: self.means, scales: self.scales,
            alpha: self.alpha
        )
    }
}
