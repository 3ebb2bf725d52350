#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A regressor that predicts the same log return for every row: the `naive` (0, "tomorrow = today") and `drift`
/// (`h × mean one-session log return`) baselines.
public struct ConstantRegressor: HorizonRegressor, Hashable {
    /// The predicted log return.
    public let value: Double

    /// Creates the regressor.
    public init(value: Double) {
        self.value = value
    }

    /// `value`, whatever the row.
    public func predict(_ row: [Double]) -> Double { self.value }

    /// `value` for each of the `rows.count / columns` rows.
    public func predict(rows: [Double], columns: Int) -> [Double] {
        [Double](repeating: self.value, count: columns > 0 ? rows.count / columns : 0)
    }

    /// `.constant(value)`.
    public func artifact() throws -> RegressorArtifact { .constant(self.value) }
}

/// Fits the naive baseline: a constant log return of 0 (the forecast is the last close), whatever the data.
public struct NaiveFitter: RegressorFitter {
    /// Creates the fitter.
    public init() {}

    /// `ConstantRegressor(value: 0)`.
    public func fit(rows: [Double], columns: Int, targets: [Double], parameters: HyperParameters, stop: StopSignal) throws -> any HorizonRegressor {
        ConstantRegressor(value: 0)
    }
}

/// The drift baseline (random walk with drift): for horizon `h`, `ŷ = h × μ` where `μ` is the mean one-session log
/// return of the training window, i.e. `(ln c[last] − ln c[first]) / (sessions − 1)` on the adjusted close.
///
/// It needs one-session returns, not the `h`-session targets a `RegressorFitter` sees, so it is computed from the
/// closes directly; the backtest and the trainer use it for the `drift` model and as a baseline of every report.
public enum DriftEstimate {
    /// `μ` over the closes `closes[range]` (adjusted, positive): mean of `ln(c[i] / c[i−1])` for `i` in the range
    /// after its first index; 0 for fewer than two closes.
    public static func meanLogReturn(closes: [Double], range: Range<Int>) -> Double {
        guard range.count >= 2, let first = closes[range].first, let last = closes[range].last, first > 0, last > 0
        else { return 0 }
        let mean = (log(last) - log(first)) / Double(range.count - 1)
        return mean.isFinite ? mean : 0
    }

    /// The drift regressor of horizon `h` for a mean one-session return `μ`.
    public static func regressor(meanLogReturn: Double, horizon: Int) -> ConstantRegressor {
        ConstantRegressor(value: Double(horizon) * meanLogReturn)
    }
}
