/// One forecast: the close `horizon` sessions after the origin, with its 80 % and 95 % intervals.
/// JSON keys are snake_case.
public struct ForecastPoint: Hashable, Sendable, Codable {
    /// Sessions ahead of the origin (1 = the next session).
    public var horizon: Int
    /// The session forecast: the `horizon`-th session of the calendar after the origin.
    public var targetDate: SessionDate
    /// The last session the forecast is based on.
    public var originDate: SessionDate
    /// The close of the origin as quoted that day (unadjusted); the forecast return is applied to it.
    public var originClose: Double
    /// `originClose × e^ŷ`.
    public var predictedClose: Double
    /// Lower end of the 80 % interval.
    public var lower80: Double
    /// Upper end of the 80 % interval.
    public var upper80: Double
    /// Lower end of the 95 % interval.
    public var lower95: Double
    /// Upper end of the 95 % interval.
    public var upper95: Double

    /// Creates a point.
    public init(
        horizon: Int, targetDate: SessionDate, originDate: SessionDate, originClose: Double, predictedClose: Double,
        lower80: Double, upper80: Double, lower95: Double, upper95: Double
    ) {
        self.horizon = horizon
        self.targetDate = targetDate
        self.originDate = originDate
        self.originClose = originClose
        self.predictedClose = predictedClose
        self.lower80 = lower80
        self.upper80 = upper80
        self.lower95 = lower95
        self.upper95 = upper95
    }

    private enum CodingKeys: String, CodingKey {
        case horizon, targetDate = "target_date", originDate = "origin_date", originClose = "origin_close"
        case predictedClose = "predicted_close", lower80 = "lower_80", upper80 = "upper_80", lower95 = "lower_95"
        case upper95 = "upper_95"
    }
}
