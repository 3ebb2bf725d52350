/// Fits XGBoost regressors through libxgboost's C API: gradient-boosted trees, or XGBoost's random-forest mode.
///
/// Every parameter XGBoost uses is set explicitly (`booster` gbtree, `objective` reg:squarederror, `tree_method`
/// hist, `nthread`, `seed`, `max_depth`, `subsample`, `colsample_bynode`, `eta`, `lambda`, `base_score`), so a fit
/// depends only on its inputs: the same rows, targets and parameters give the same model JSON, byte for byte.
///
/// - Gradient boosting: `eta` = `learningRate`, `nEstimators` rounds of `XGBoosterUpdateOneIter`, `lambda` 1
///   (XGBoost's default).
/// - Random forest (XGBoost's documented RF mode, as its `XGBRFRegressor`): one round growing `num_parallel_tree` =
///   `nEstimators` trees, `eta` 1, rows and columns subsampled by `subsample` and `colsample_bynode`, `lambda` 10⁻⁵.
///
/// `base_score` is the mean target: libxgboost 1.7 would otherwise start every model from 0.5, far from any log
/// return, which a random forest's single round can never correct (XGBoost ≥ 2.0 estimates the same intercept itself).
///
/// The fit is CPU-bound and synchronous; callers run it off Swift's cooperative pool. The training matrix and booster
/// are freed before `fit` returns: the returned regressor is loaded from the fitted model's JSON, so it holds no
/// training state and predicts exactly as the same model loaded from its artifact.
public struct XGBoostFitter: RegressorFitter {
    /// The model family.
    public enum Mode: Hashable, Sendable {
        /// `n_estimators` boosting rounds of one tree each, shrunk by `learning_rate`.
        case gradientBoosting
        /// One round of `n_estimators` parallel trees on subsampled rows and columns, averaged.
        case randomForest
    }

    /// Most trees accepted (rounds, or trees of the forest).
    public static let maximumEstimators = 10_000
    /// Deepest tree accepted.
    public static let maximumDepth = 30
    /// Most threads accepted for `nthread`.
    public static let maximumThreads = 256
    /// Most feature values accepted in one fit (rows × columns).
    public static let maximumValues = 100_000_000

    /// The model family this fitter trains.
    public let mode: Mode

    /// A fitter for `mode`.
    public init(mode: Mode) {
        self.mode = mode
    }

    /// Fits on `rows` (row-major, `columns` values per row, NaN = missing) and `targets` (one per row), checking
    /// `stop` before every boosting round.
    public func fit(
        rows: [Double], columns: Int, targets: [Double], parameters: HyperParameters, stop: StopSignal
    ) throws -> any HorizonRegressor {
        try self.fitRegressor(rows: rows, columns: columns, targets: targets, parameters: parameters, stop: stop)
    }

    /// `fit` with the concrete result type. Throws `XGBoostError` for inconsistent input, out-of-range parameters or a
    /// failed library call, `ForecastError` `.cancelled` when `stop` is raised between rounds.
    public func fitRegressor(
        rows: [Double], columns: Int, targets: [Double], parameters: HyperParameters, stop: StopSignal = .never
    ) throws -> XGBoostRegressor {
        try Self.validate(parameters)
        let (features, labels) = try Self.trainingData(rows: rows, columns: columns, targets: targets)
        let matrix = try XGBoostMatrix(features: features, rows: labels.count, columns: columns, labels: labels)
        // The booster is created over the matrix and freed inside this closure, while the matrix is kept alive.
        let json = try withExtendedLifetime(matrix) {
            let booster = try XGBoostBooster(training: matrix)
            let baseScore = labels.reduce(0.0) { $0 + Double($1) } / Double(labels.count)
            for (name, value) in self.boosterParameters(parameters, baseScore: baseScore) {
                try booster.setParameter(name, value)
            }
            let rounds = self.mode == .gradientBoosting ? parameters.nEstimators : 1
            for round in 0..<rounds {
                try stop.check("before boosting round \(round + 1) of \(rounds)")
                try booster.updateOneIteration(round, on: matrix)
            }
            return try booster.modelJSON()
        }
        return try XGBoostRegressor(modelJSON: json, threads: parameters.threads)
    }

    /// The parameters handed to XGBoost, in the order they are set.
    func boosterParameters(_ parameters: HyperParameters, baseScore: Double) -> [(String, String)] {
        var list: [(String, String)] = [
            ("booster", "gbtree"),
            ("objective", "reg:squarederror"),
            ("tree_method", "hist"),
            ("nthread", String(parameters.threads)),
            ("seed", String(Int64(truncatingIfNeeded: parameters.seed))),
            ("max_depth", String(parameters.maxDepth)),
            ("subsample", String(parameters.subsample)),
            ("colsample_bynode", String(parameters.colsampleByNode)),
            ("base_score", String(baseScore)),
        ]
        switch self.mode {
        case .gradientBoosting:
            list += [("eta", String(parameters.learningRate)), ("lambda", "1")]
        case .randomForest:
            list += [("num_parallel_tree", String(parameters.nEstimators)), ("eta", "1"), ("lambda", "1e-05")]
        }
        return list
    }

    /// Checks the parameters this fitter uses against the ranges it accepts.
    static func validate(_ parameters: HyperParameters) throws {
        func require(_ condition: Bool, _ message: String) throws {
            if !condition { throw XGBoostError(.invalidParameter, message) }
        }
        try require(
            (1...Self.maximumEstimators).contains(parameters.nEstimators),
            "n_estimators must be in 1…\(Self.maximumEstimators), got \(parameters.nEstimators)"
        )
        try require(
            (1...Self.maximumDepth).contains(parameters.maxDepth),
            "max_depth must be in 1…\(Self.maximumDepth), got \(parameters.maxDepth)"
        )
        try require(
            parameters.learningRate > 0 && parameters.learningRate <= 1,
            "learning_rate must be in (0, 1], got \(parameters.learningRate)"
        )
        try require(
            parameters.subsample > 0 && parameters.subsample <= 1, "subsample must be in (0, 1], got \(parameters.subsample)"
        )
        try require(
            parameters.colsampleByNode > 0 && parameters.colsampleByNode <= 1,
            "colsample_bynode must be in (0, 1], got \(parameters.colsampleByNode)"
        )
        try require(
            (1...Self.maximumThreads).contains(parameters.threads),
            "threads must be in 1…\(Self.maximumThreads), got \(parameters.threads)"
        )
    }

    /// The features and targets as XGBoost's `Float`s, after checking their shape and values.
    static func trainingData(rows: [Double], columns: Int, targets: [Double]) throws -> (features: [Float], labels: [Float]) {
        guard columns > 0 else {
            throw XGBoostError(.invalidInput, "a fit needs at least one feature column, got \(columns)")
        }
        guard !targets.isEmpty else {
            throw XGBoostError(.invalidInput, "a fit needs at least one row")
        }
        let (expected, overflow) = targets.count.multipliedReportingOverflow(by: columns)
        guard !overflow, expected == rows.count else {
            throw XGBoostError(.invalidInput, "\(rows.count) feature values are not \(targets.count) rows of \(columns) columns")
        }
        guard rows.count <= Self.maximumValues else {
            throw XGBoostError(.invalidInput, "\(rows.count) feature values exceed the limit of \(Self.maximumValues)")
        }
        let labels = targets.map(Float.init)
        if let index = labels.firstIndex(where: { !$0.isFinite }) {
            throw XGBoostError(.invalidInput, "target \(index) is not a finite Float: \(targets[index])")
        }
        let features = rows.map(Float.init)
        if let index = features.firstIndex(where: { $0.isInfinite }) {
            throw XGBoostError(
                .invalidInput, "feature value \(index) (row \(index / columns)) is infinite as a Float: \(rows[index])"
            )
        }
        return (features, labels)
    }
}
