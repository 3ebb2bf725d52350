import struct Foundation.Date
import PredictionCore

/// A stored prediction (single or one point of a multi-day forecast), and its score once the target session's close
/// is known: `actualClose` and `scoredAt` are both `nil` (unscored) or both set (scored), never one without the other.
public struct PredictionRecord: Hashable, Sendable {
    public var id: Int64
    public var instrument: InstrumentKey
    public var targetDate: SessionDate
    public var originDate: SessionDate
    /// Sessions from origin to target.
    public var horizon: Int
    public var predictedClose: Double
    public var lower80: Double
    public var upper80: Double
    public var lower95: Double
    public var upper95: Double
    /// Close at the origin (the naive forecast), for scoring against naive.
    public var originClose: Double
    public var modelID: Int64
    /// The forecast task, for multi-day points.
    public var taskID: String?
    public var predictedAt: Date
    /// The target session's close, once scored.
    public var actualClose: Double?
    /// When the prediction was scored.
    public var scoredAt: Date?

    public init(
        id: Int64, instrument: InstrumentKey, targetDate: SessionDate, originDate: SessionDate, horizon: Int, predictedClose: Double,
        lower80: Double, upper80: Double, lower95: Double, upper95: Double, originClose: Double, modelID: Int64, taskID: String?,
        predictedAt: Date, actualClose: Double? = nil, scoredAt: Date? = nil
    ) {
        self.id = id
        self.instrument = instrument
        self.targetDate = targetDate
        self.originDate = originDate
        self.horizon = horizon
        self.predictedClose = predictedClose
        self.lower80 = lower80
        self.upper80 = upper80
        self.lower95 = lower95
        self.upper95 = upper95
        self.originClose = originClose
        self.modelID = modelID
        self.taskID = taskID
        self.predictedAt = predictedAt
        self.actualClose = actualClose
        self.scoredAt = scoredAt
    }

    /// Whether the prediction has been scored.
    public var isScored: Bool { self.scoredAt != nil }
}

/// The actual close of one prediction's target session, for `PredictionStore.scorePredictions(_:at:)`.
public struct PredictionScore: Hashable, Sendable {
    /// The prediction's id.
    public var id: Int64
    /// The target session's close (finite or infinite, never NaN).
    public var actualClose: Double

    public init(id: Int64, actualClose: Double) {
        self.id = id
        self.actualClose = actualClose
    }
}
