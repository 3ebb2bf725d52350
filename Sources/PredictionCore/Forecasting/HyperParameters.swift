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

    fileprivate enum CodingKeys: String, CodingKey {
        case nEstimators = "n_estimators", maxDepth = "max_depth", learningRate = "learning_rate", subsample
        case colsampleByNode = "colsample_bynode", ridgeAlphas = "ridge_alphas", maxHorizon = "max_horizon"
        case refitEvery = "refit_every", seed, threads
    }

    /// Decodes a stored record (every field present); an absent field keeps the xgboost default. Requests decode
    /// `HyperParameterOverrides` instead and apply them to their model type's defaults.
    public init(from decoder: any Decoder) throws {
        self = try HyperParameterOverrides(from: decoder).applied(to: HyperParameters())
    }
}

/// The hyper-parameters a request names; every other field keeps its model type's default
/// (`overrides.applied(to: HyperParameters(for: type))`), so `{"max_horizon": 10}` on a random_forest changes only the
/// horizon, never its depth or subsampling.
public struct HyperParameterOverrides: Hashable, Sendable, Decodable {
    public var nEstimators: Int?
    public var maxDepth: Int?
    public var learningRate: Double?
    public var subsample: Double?
    public var colsampleByNode: Double?
    public var ridgeAlphas: [Double]?
    public var maxHorizon: Int?
    public var refitEvery: Int?
    public var seed: UInt64?
    public var threads: Int?

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: HyperParameters.CodingKeys.self)
        self.nEstimators = try c.decodeIfPresent(Int.self, forKey: .nEstimators)
        self.maxDepth = try c.decodeIfPresent(Int.self, forKey: .maxDepth)
        self.learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate)
        self.subsample = try c.decodeIfPresent(Double.self, forKey: .subsample)
        self.colsampleByNode = try c.decodeIfPresent(Double.self, forKey: .colsampleByNode)
        self.ridgeAlphas = try c.decodeIfPresent([Double].self, forKey: .ridgeAlphas)
        self.maxHorizon = try c.decodeIfPresent(Int.self, forKey: .maxHorizon)
        self.refitEvery = try c.decodeIfPresent(Int.self, forKey: .refitEvery)
        self.seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
        self.threads = try c.decodeIfPresent(Int.self, forKey: .threads)
    }

    /// `defaults` with every field named here replaced.
    public func applied(to defaults: HyperParameters) -> HyperParameters {
        var p = defaults
        p.nEstimators = self.nEstimators ?? p.nEstimators
        p.maxDepth = self.maxDepth ?? p.maxDepth
        p.learningRate = self.learningRate ?? p.learningRate
        p.subsample = self.subsample ?? p.subsample
        p.colsampleByNode = self.colsampleByNode ?? p.colsampleByNode
        p.ridgeAlphas = self.ridgeAlphas ?? p.ridgeAlphas
        p.maxHorizon = self.maxHorizon ?? p.maxHorizon
        p.refitEvery = self.refitEvery ?? p.refitEvery
        p.seed = self.seed ?? p.seed
        p.threads = self.threads ?? p.threads
        return p
    }
}
