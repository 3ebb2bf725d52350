#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Accuracy of one model at one horizon over the backtest's test points. JSON keys are snake_case; absent values
/// are `null`.
///
/// Price errors compare `ĉ = c₀·e^ŷ` with the realised close (adjusted); "naive" is the last close (`ŷ = 0`) on the
/// same points. Directional accuracy counts a point as right when "predicted up" (`ŷ > 0`) equals "went up"
/// (`r > 0`); it means something only next to `upRate` (always predicting "up" scores `upRate`, the naive forecast
/// — never "up" — scores `1 − upRate`).
public struct HorizonMetrics: Hashable, Sendable, Codable {
    /// Sessions ahead.
    public var horizon: Int
    /// Test points scored.
    public var n: Int
    /// Root mean squared price error.
    public var rmse: Double
    /// Mean absolute price error.
    public var mae: Double
    /// Mean absolute percentage price error, in percent.
    public var mape: Double
    /// MAE ÷ MAE of the naive forecast on the same points (< 1 beats naive); `nil` when naive is exact everywhere.
    public var mase: Double?
    /// Theil's U: RMSE ÷ RMSE of the naive forecast on the same points; `nil` when naive is exact everywhere.
    public var theilU: Double?
    /// Share of points whose direction (up / not up) was predicted right.
    public var directionalAccuracy: Double
    /// Share of points where the close went up: the baseline `directionalAccuracy` must be compared with.
    public var upRate: Double
    /// Diebold–Mariano p-value against naive (squared log-return errors, HLN-corrected); `nil` when undefined
    /// (e.g. the model is the naive forecast).
    public var dmPValue: Double?
    /// Points that had an interval (their interval used only residuals known at their origin).
    public var intervalCount: Int
    /// Share of those points inside the 80 % interval; `nil` without intervals.
    public var coverage80: Double?
    /// Share of those points inside the 95 % interval; `nil` without intervals.
    public var coverage95: Double?

    /// Creates metrics from values.
    public init(
        horizon: Int, n: Int, rmse: Double, mae: Double, mape: Double, mase: Double?, theilU: Double?,
        directionalAccuracy: Double, upRate: Double, dmPValue: Double?, intervalCount: Int, coverage80: Double?,
        coverage95: Double?
    ) {
        self.horizon = horizon
        self.n = n
        self.rmse = rmse
        self.mae = mae
        self.mape = mape
        self.mase = mase
        self.theilU = theilU
        self.directionalAccuracy = directionalAccuracy
        self.upRate = upRate
        self.dmPValue = dmPValue
        self.intervalCount = intervalCount
        self.coverage80 = coverage80
        self.coverage95 = coverage95
    }

    private enum CodingKeys: String, CodingKey {
        case horizon, n, rmse, mae, mape, mase, theilU = "theil_u", directionalAccuracy = "directional_accuracy"
        case upRate = "up_rate", dmPValue = "dm_p_value", intervalCount = "interval_count"
        case coverage80 = "coverage_80", coverage95 = "coverage_95"
    }

    /// Encodes every key, writing `null` for absent values.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(self.horizon, forKey: .horizon)
        try c.encode(self.n, forKey: .n)
        try c.encode(self.rmse, forKey: .rmse)
        try c.encode(self.mae, forKey: .mae)
        try c.encode(self.mape, forKey: .mape)
        try c.encode(self.mase, forKey: .mase)
        try c.encode(self.theilU, forKey: .theilU)
        try c.encode(self.directionalAccuracy, forKey: .directionalAccuracy)
        try c.encode(self.upRate, forKey: .upRate)
        try c.encode(self.dmPValue, forKey: .dmPValue)
        try c.encode(self.intervalCount, forKey: .intervalCount)
        try c.encode(self.coverage80, forKey: .coverage80)
        try c.encode(self.coverage95, forKey: .coverage95)
    }

    /// Scores forecasts of one horizon.
    ///
    /// - Parameters:
    ///   - originCloses: `c₀` of each point (adjusted, > 0).
    ///   - actualCloses: the realised close `h` sessions later (adjusted, > 0).
    ///   - predictedLogReturns: `ŷ` of each point.
    ///   - halfWidths: the (80 %, 95 %) log-return half-widths of each point's interval, `nil` where it had none.
    /// - Returns: `nil` without points or when the arrays differ in length.
    public static func score(
        horizon: Int, originCloses: [Double], actualCloses: [Double], predictedLogReturns: [Double],
        halfWidths: [(Double, Double)?]
    ) -> HorizonMetrics? {
        let n = originCloses.count
        guard n > 0, actualCloses.count == n, predictedLogReturns.count == n, halfWidths.count == n else { return nil }
        var squared = 0.0, absolute = 0.0, percentage = 0.0, naiveSquared = 0.0, naiveAbsolute = 0.0
        var rightDirection = 0, ups = 0, intervals = 0, inside80 = 0, inside95 = 0
        var modelErrors: [Double] = []
        var naiveErrors: [Double] = []
        modelErrors.reserveCapacity(n)
        naiveErrors.reserveCapacity(n)
        for i in 0..<n {
            let origin = originCloses[i]
            let actual = actualCloses[i]
            let predicted = predictedLogReturns[i]
            let error = origin * exp(predicted) - actual
            let naiveError = origin - actual
            squared += error * error
            absolute += abs(error)
            percentage += abs(error) / abs(actual)
            naiveSquared += naiveError * naiveError
            naiveAbsolute += abs(naiveError)
            let realised = log(actual / origin)
            if realised > 0 { ups += 1 }
            if (predicted > 0) == (realised > 0) { rightDirection += 1 }
            modelErrors.append(realised - predicted)
            naiveErrors.append(realised)
            if let (half80, half95) = halfWidths[i] {
                intervals += 1
                let residual = abs(realised - predicted)
                if residual <= half80 { inside80 += 1 }
                if residual <= half95 { inside95 += 1 }
            }
        }
        let count = Double(n)
        let rmse = (squared / count).squareRoot()
        let naiveRMSE = (naiveSquared / count).squareRoot()
        return HorizonMetrics(
            horizon: horizon, n: n, rmse: rmse, mae: absolute / count, mape: 100 * percentage / count,
            mase: naiveAbsolute > 0 ? absolute / naiveAbsolute : nil,
            theilU: naiveRMSE > 0 ? rmse / naiveRMSE : nil,
            directionalAccuracy: Double(rightDirection) / count, upRate: Double(ups) / count,
            dmPValue: DieboldMariano.test(errors1: modelErrors, errors2: naiveErrors, horizon: horizon)?.pValue,
            intervalCount: intervals,
            coverage80: intervals > 0 ? Double(inside80) / Double(intervals) : nil,
            coverage95: intervals > 0 ? Double(inside95) / Double(intervals) : nil
        )
    }
}
