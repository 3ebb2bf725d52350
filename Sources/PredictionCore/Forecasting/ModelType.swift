/// The forecasting model families. Every model predicts the log return of the close over `h` sessions and is
/// turned back into a price as `last_close × exp(ŷ)`.
public enum ModelType: String, Hashable, Sendable, Codable, CaseIterable {
    /// Last close (ŷ = 0): the baseline every report compares against.
    case naive
    /// Random walk with drift: ŷ = h × mean daily log return of the training window.
    case drift
    /// Ridge regression solved with LAPACK; the penalty is chosen by time-ordered validation.
    case linearRegression = "linear_regression"
    /// Gradient-boosted trees through libxgboost.
    case xgboost
    /// XGBoost's random-forest mode (`num_parallel_tree`, row/column subsampling, one round).
    case randomForest = "random_forest"
}
