/// What a training reports about its walk-forward backtest: per-horizon metrics of the model and of the naive and
/// drift baselines on the same points, the data window, the fold count and notes (e.g. that `shuffle` was ignored).
/// JSON keys are snake_case; this is the `metrics` JSON the registry stores.
public struct BacktestReport: Hashable, Sendable, Codable {
    /// The model family evaluated.
    public var modelType: ModelType
    /// Feature columns, in order.
    public var features: [FeatureName]
    /// Horizons evaluated: `1…maxHorizon`, one direct model each.
    public var maxHorizon: Int
    /// Share of the usable rows scored.
    public var valSize: Double
    /// Refit cadence in test sessions.
    public var refitEvery: Int
    /// Number of refits.
    public var foldCount: Int
    /// The data and test window.
    public var window: BacktestWindow
    /// The model's metrics, index `h − 1`.
    public var model: [HorizonMetrics]
    /// The naive forecast's metrics on the same points.
    public var naive: [HorizonMetrics]
    /// The drift forecast's metrics on the same points.
    public var drift: [HorizonMetrics]
    /// Plain-language notes about how the evaluation was done.
    public var notes: [String]

    /// Creates a report.
    public init(
        modelType: ModelType, features: [FeatureName], maxHorizon: Int, valSize: Double, refitEvery: Int,
        foldCount: Int, window: BacktestWindow, model: [HorizonMetrics], naive: [HorizonMetrics],
        drift: [HorizonMetrics], notes: [String]
    ) {
        self.modelType = modelType
        self.features = features
        self.maxHorizon = maxHorizon
        self.valSize = valSize
        self.refitEvery = refitEvery
        self.foldCount = foldCount
        self.window = window
        self.model = model
        self.naive = naive
        self.drift = drift
        self.notes = notes
    }

    /// The model's metrics at horizon `h`, if evaluated.
    public func modelMetrics(horizon h: Int) -> HorizonMetrics? {
        self.model.first { $0.horizon == h }
    }

    private enum CodingKeys: String, CodingKey {
        case modelType = "model_type", features, maxHorizon = "max_horizon", valSize = "val_size"
        case refitEvery = "refit_every", foldCount = "fold_count", window, model, naive, drift, notes
    }
}

/// The result of `ForecastTrainer.train`: the model to store and its evaluation.
public struct TrainingOutcome: Sendable {
    /// The trained model as data.
    public var artifact: ModelArtifact
    /// The walk-forward evaluation.
    public var report: BacktestReport

    /// Creates an outcome.
    public init(artifact: ModelArtifact, report: BacktestReport) {
        self.artifact = artifact
        self.report = report
    }
}
