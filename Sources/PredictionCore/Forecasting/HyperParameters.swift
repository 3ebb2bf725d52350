/// Hyper-parameters of a model; fields a model family does not use are ignored (and reported as such).
/// JSON names follow the original API and XGBoost (`n_estimators`, `max_depth`, …).
public struct HyperParameters: Hashable, Sendable, Codable {
    /// Trees (xgboost: boosting rounds; random_forest: trees in the one parallel forest). Defaults to `100`.
    public var nEstimators: Int = 100
    /// Tree depth. Defaults to `6` (random_forest: `8`).
    public var maxDepth: Int = 6
    /// Shrinkage (xgboost only). Defaults to `0.1`.
    public var learningRate: Double = 0.1
    /// Row subsampling per tree. Defaults to `1.0` (random_forest: `0.8`).
    public var subsample: Double = 1.0
    /// Column subsampling per split node. Defaults to `1.0` (random_forest: `0.8`).
    public var colsampleByNode: Double = 1.0
    /// Ridge penalties tried by time-ordered validation (linear_regression). Defaults to 10⁻⁴ … 10³.
    public var ridgeAlphas: [Double] = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1000]
    /// Longest horizon (sessions) the model is trained for; forecasts further out are refused. Defaults to `30`.
    public var maxHorizon: Int = 30
    /// Walk-forward refit cadence in sessions. Defaults to `20`.
    public var refitEvery: Int = 20
    /// Seed of every random choice (deterministic training). Defaults to `42`.
    public var seed: UInt64 = 42
    /// Threads XGBoost may use (set explicitly: OpenMP would otherwise oversubscribe). Defaults to `1`.
    public var threads: Int = 1

    /// The defaults of a model family.
    public init(for type: ModelType = .xgboost) {
        if type == .randomForest {
            self.maxDepth = 8
            self.subsample = 0.8
            self.colsampleByNode = 0.8
        }
    }

    private enum CodingKeys: String, CodingKey {
        case nEstimators = "n_estimators", maxDepth = "max_depth", learningRate = "learning_rate", subsample
        case colsampleByNode = "colsample_bynode", ridgeAlphas = "ridge_alphas", maxHorizon = "max_horizon"
        case refitEvery = "refit_every", seed, threads
    }

    /// Decodes, keeping the default of every field that is absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        self.nEstimators = try c.decodeIfPresent(Int.self, forKey: .nEstimators) ?? self.nEstimators
        self.maxDepth = try c.decodeIfPresent(Int.self, forKey: .maxDepth) ?? self.maxDepth
        self.learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? self.learningRate
        self.subsample = try c.decodeIfPresent(Double.self, forKey: .subsample) ?? self.subsample
        self.colsampleByNode = try c.decodeIfPresent(Double.self, forKey: .colsampleByNode) ?? self.colsampleByNode
        self.ridgeAlphas = try c.decodeIfPresent([Double].self, forKey: .ridgeAlphas) ?? self.ridgeAlphas
        self.maxHorizon = try c.decodeIfPresent(Int.self, forKey: .maxHorizon) ?? self.maxHorizon
        self.refitEvery = try c.decodeIfPresent(Int.self, forKey: .refitEvery) ?? self.refitEvery
        self.seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? self.seed
        self.threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? self.threads
    }
}
