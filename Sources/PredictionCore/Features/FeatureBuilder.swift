#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Feature rows of a series, one per session, as a row-major matrix; undefined cells (warm-up, non-finite values)
/// are NaN and their row is not complete.
public struct FeatureMatrix: Hashable, Sendable {
    /// The columns, in order.
    public let features: [FeatureName]
    /// Number of rows (= sessions of the series).
    public let rowCount: Int
    /// `rowCount × features.count` values, row-major.
    public let values: [Double]
    /// Whether every feature of a row is defined (finite).
    public let isComplete: [Bool]

    /// Number of columns.
    public var columnCount: Int { self.features.count }

    /// The values of one row.
    public func row(_ index: Int) -> ArraySlice<Double> {
        self.values[(index * self.columnCount)..<((index + 1) * self.columnCount)]
    }
}

/// Computes `FeatureName` values from `CleanBar`s. Every value at row `t` reads bars `0…t` only (no look-ahead),
/// so a row at a past origin is the same whatever happened later (tested by changing every later bar).
public enum FeatureBuilder {
    /// The matrix of a whole series (bars ascending by session). O(n × features).
    public static func matrix(bars: [CleanBar], features: [FeatureName]) -> FeatureMatrix {
        let columns = features.count
        var values = [Double](repeating: .nan, count: bars.count * columns)
        var complete = [Bool](repeating: true, count: bars.count)
        for t in bars.indices {
            for (column, feature) in features.enumerated() {
                let value = self.value(feature, bars: bars, at: t)
                values[t * columns + column] = value
                if !value.isFinite { complete[t] = false }
            }
        }
        return FeatureMatrix(features: features, rowCount: bars.count, values: values, isComplete: complete)
    }

    /// The row at one session index, or `nil` when a feature is undefined there. O(features) (at most 20 bars
    /// read per feature): this is the serving path.
    public static func row(bars: [CleanBar], at index: Int, features: [FeatureName]) -> [Double]? {
        guard bars.indices.contains(index) else { return nil }
        var row: [Double] = []
        row.reserveCapacity(features.count)
        for feature in features {
            let value = self.value(feature, bars: bars, at: index)
            guard value.isFinite else { return nil }
            row.append(value)
        }
        return row
    }

    /// One feature at row `t`; NaN when undefined (not enough history, an indicator still `nil`, a non-finite result).
    public static func value(_ feature: FeatureName, bars: [CleanBar], at t: Int) -> Double {
        let bar = bars[t]
        let close = bar.adjustedClose
        let indicators = bar.indicators
        func ratio(_ reference: Double?) -> Double {
            guard let reference, reference != 0 else { return .nan }
            return close / reference - 1
        }
        func perClose(_ value: Double?) -> Double {
            guard let value, close != 0 else { return .nan }
            return value / close
        }
        let result: Double
        switch feature {
        case .returnLag1: result = self.lagReturn(bars, t, lag: 1)
        case .returnLag2: result = self.lagReturn(bars, t, lag: 2)
        case .returnLag3: result = self.lagReturn(bars, t, lag: 3)
        case .returnLag5: result = self.lagReturn(bars, t, lag: 5)
        case .returnLag10: result = self.lagReturn(bars, t, lag: 10)
        case .returnLag20: result = self.lagReturn(bars, t, lag: 20)
        case .closeToSMA5: result = ratio(indicators.ma5)
        case .closeToSMA10: result = ratio(indicators.ma10)
        case .closeToSMA20: result = ratio(indicators.bbMiddle)
        case .closeToEMA12: result = ratio(indicators.ema12)
        case .closeToEMA26: result = ratio(indicators.ema26)
        case .rsi14: result = indicators.rsi14.map { $0 / 100 } ?? .nan
        case .macdNorm: result = perClose(indicators.macd)
        case .macdSignalNorm: result = perClose(indicators.macdSignal)
        case .macdHistNorm: result = perClose(indicators.macdHist)
        case .bollingerPercentB:
            if let upper = indicators.bbUpper, let lower = indicators.bbLower {
                result = upper > lower ? (close - lower) / (upper - lower) : 0.5
            } else {
                result = .nan
            }
        case .volatility20: result = indicators.volatility20 ?? .nan
        case .volumeZScore20: result = self.volumeZScore(bars, t, window: 20)
        case .dayOfWeek: result = Double(bar.session.weekday - 1)
        case .openToClose: result = bar.bar.close != 0 ? bar.bar.open / bar.bar.close - 1 : .nan
        case .highToClose: result = bar.bar.close != 0 ? bar.bar.high / bar.bar.close - 1 : .nan
        case .lowToClose: result = bar.bar.close != 0 ? bar.bar.low / bar.bar.close - 1 : .nan
        case .closeToBBUpper: result = ratio(indicators.bbUpper)
        case .closeToBBLower: result = ratio(indicators.bbLower)
        case .volumeToMA10:
            if let average = indicators.volMA10 {
                result = average > 0 ? Double(bar.bar.volume) / average - 1 : 0
            } else {
                result = .nan
            }
        }
        return result.isFinite ? result : .nan
    }

    /// `ln(c[t−lag+1] / c[t−lag])` on the adjusted close.
    static func lagReturn(_ bars: [CleanBar], _ t: Int, lag: Int) -> Double {
        guard t - lag >= 0 else { return .nan }
        let newer = bars[t - lag + 1].adjustedClose
        let older = bars[t - lag].adjustedClose
        guard newer > 0, older > 0 else { return .nan }
        return log(newer / older)
    }

    /// `(v[t] − mean) / std` of the raw volumes of the `window` sessions ending at `t` (two-pass, ddof 1);
    /// 0 when they are all equal.
    static func volumeZScore(_ bars: [CleanBar], _ t: Int, window: Int) -> Double {
        guard t + 1 >= window else { return .nan }
        var sum = 0.0
        for index in (t + 1 - window)...t { sum += Double(bars[index].bar.volume) }
        let mean = sum / Double(window)
        var squares = 0.0
        for index in (t + 1 - window)...t {
            let deviation = Double(bars[index].bar.volume) - mean
            squares += deviation * deviation
        }
        let std = (squares / Double(window - 1)).squareRoot()
        return std > 0 ? (Double(bars[t].bar.volume) - mean) / std : 0
    }
}
