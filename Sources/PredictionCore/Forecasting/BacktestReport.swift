#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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
    /// The one-session-ahead backtest forecasts against the actual closes, the last `backtestPointLimit` of them
    /// (for predicted-vs-actual and residual charts); `nil` in reports stored before it existed.
    public var backtest: [BacktestSeriesPoint]?

    /// Most points kept in `backtest`.
    public static let backtestPointLimit = 250

    /// Creates a report.
    public init(
        modelType: ModelType, features: [FeatureName], maxHorizon: Int, valSize: Double, refitEvery: Int,
        foldCount: Int, window: BacktestWindow, model: [HorizonMetrics], naive: [HorizonMetrics],
        drift: [HorizonMetrics], notes: [String], backtest: [BacktestSeriesPoint]? = nil
    ) {
        self.backtest = backtest
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
        case refitEvery = "refit_every", foldCount = "fold_count", window, model, naive, drift, notes, backtest
    }
}

/// One h = 1 backtest forecast in prices (JSON keys snake_case).
public struct BacktestSeriesPoint: Hashable, Sendable, Codable {
    public var targetDate: SessionDate
    public var actualClose: Double
    public var predictedClose: Double
    /// 95 % interval, when enough residuals existed at the origin.
    public var lower95: Double?
    public var upper95: Double?

    public init(_ point: BacktestPoint) {
        self.targetDate = point.target
        self.actualClose = point.actualClose
        self.predictedClose = point.originClose * exp(point.predictedLogReturn)
        self.lower95 = point.halfWidth95.map { self.predictedClose * exp(-$0) }
        self.upper95 = point.halfWidth95.map { self.predictedClose * exp($0) }
    }

    private enum CodingKeys: String, CodingKey {
        case targetDate = "target_date", actualClose = "actual_close", predictedClose = "predicted_close"
        case lower95 = "lower_95", upper95 = "upper_95"
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
