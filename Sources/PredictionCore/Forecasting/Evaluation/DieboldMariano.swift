/// The Diebold–Mariano test of equal forecast accuracy, with the Harvey–Leybourne–Newbold small-sample correction.
///
/// For loss differentials `d_t = L(e1_t) − L(e2_t)` of two forecasts of the same `n` points at horizon `h`:
/// `DM = d̄ / √V` with `V = (γ₀ + 2 Σ_{k=1}^{h−1} γ_k) / n`, `γ_k = (1/n) Σ_{t>k} (d_t − d̄)(d_{t−k} − d̄)` (the HAC
/// variance with `h − 1` lags, rectangular kernel; if it is not positive, `γ₀ / n` is used); then
/// `DM* = DM × √((n + 1 − 2h + h(h − 1)/n) / n)` and the two-sided p-value from Student's t with `n − 1` degrees
/// of freedom. Checked against an independent numpy/scipy computation (fixture `forecasting/diebold-mariano.json`).
public enum DieboldMariano {
    /// The corrected statistic and its two-sided p-value.
    public struct Result: Hashable, Sendable {
        /// `DM*` (negative when the first forecast has the lower loss).
        public var statistic: Double
        /// Two-sided p-value of "equal accuracy".
        public var pValue: Double
    }

    /// Squared-error test of `errors1` against `errors2` (same points, same order).
    ///
    /// - Returns: `nil` when there are fewer than 2 points, the counts differ, a value is not finite, or the loss
    ///   differential has no variance (e.g. identical forecasts).
    public static func test(errors1: [Double], errors2: [Double], horizon: Int) -> Result? {
        guard errors1.count == errors2.count else { return nil }
        let differentials = zip(errors1, errors2).map { $0 * $0 - $1 * $1 }
        return self.test(lossDifferentials: differentials, horizon: horizon)
    }

    /// The test on precomputed loss differentials.
    public static func test(lossDifferentials d: [Double], horizon: Int) -> Result? {
        let n = d.count
        guard n >= 2, horizon >= 1, d.allSatisfy(\.isFinite) else { return nil }
        let count = Double(n)
        let mean = d.reduce(0, +) / count
        func autocovariance(_ lag: Int) -> Double {
            var sum = 0.0
            for t in lag..<n { sum += (d[t] - mean) * (d[t - lag] - mean) }
            return sum / count
        }
        let gamma0 = autocovariance(0)
        guard gamma0 > 0 else { return nil }
        var longRun = gamma0
        for lag in stride(from: 1, to: min(horizon, n), by: 1) { longRun += 2 * autocovariance(lag) }
        let variance = (longRun > 0 ? longRun : gamma0) / count
        let h = Double(horizon)
        let correction = ((count + 1 - 2 * h + h * (h - 1) / count) / count).squareRoot()
        let statistic = mean / variance.squareRoot() * (correction.isFinite ? correction : 1)
        guard statistic.isFinite else { return nil }
        return Result(statistic: statistic, pValue: StudentT.twoSidedPValue(statistic, degreesOfFreedom: count - 1))
    }
}
