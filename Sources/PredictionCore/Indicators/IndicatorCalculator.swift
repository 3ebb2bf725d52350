#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Computes `IndicatorSet`s over a whole series, exactly as documented on `IndicatorSet` (the original system's
/// pandas definitions plus RSI14, log return and volatility20).
///
/// Cost is O(n): every window has a fixed length (≤ 26), and each windowed mean and standard deviation is summed
/// afresh over its window, which keeps long series free of the drift a running sum accumulates. Agreement with
/// pandas to a relative 1e-9 is checked by `IndicatorCalculatorTests` against a generated fixture.
public enum IndicatorCalculator {
    /// Span of the fast EMA.
    public static let fastSpan = 12
    /// Span of the slow EMA.
    public static let slowSpan = 26
    /// Span of the MACD signal EMA.
    public static let signalSpan = 9
    /// Window of the Bollinger bands (and of `volatility20`).
    public static let bandWindow = 20
    /// Width of the Bollinger bands in standard deviations.
    public static let bandWidth = 2.0
    /// RSI period (Wilder).
    public static let rsiPeriod = 14

    /// One `IndicatorSet` per input index.
    ///
    /// - Parameters:
    ///   - closes: adjusted closes, oldest first; expected positive and finite (validated bars).
    ///   - volumes: volumes of the same sessions; must have the same count as `closes`.
    /// - Returns: the indicators of each session; a value is `nil` until its window is full (MA5 from index 4,
    ///   MA10/VOL_MA10 from 9, BB from 19, RSI14 from 14, log return from 1, volatility20 from 20; the EMAs and
    ///   MACD, seeded with the first value, from 0). A value that is not finite (only possible for inputs outside
    ///   `PlausibleRange`, which validation rejects) is `nil` too: this function never returns ±∞ or NaN.
    public static func compute(closes: [Double], volumes: [Double]) -> [IndicatorSet] {
        precondition(closes.count == volumes.count, "closes (\(closes.count)) and volumes (\(volumes.count)) differ")
        let count = closes.count
        guard count > 0 else { return [] }

        let ema12 = self.exponentialAverage(closes, span: self.fastSpan)
        let ema26 = self.exponentialAverage(closes, span: self.slowSpan)
        let macd = zip(ema12, ema26).map { $0 - $1 }
        let signal = self.exponentialAverage(macd, span: self.signalSpan)
        let rsi = self.wilderRSI(closes, period: self.rsiPeriod)
        var logReturns: [Double] = []
        logReturns.reserveCapacity(max(count - 1, 0))
        for index in 1..<max(count, 1) { logReturns.append(log(closes[index] / closes[index - 1])) }

        var result: [IndicatorSet] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            var set = IndicatorSet()
            set.ma5 = self.trailingMean(closes, endingAt: index, window: 5)
            set.ma10 = self.trailingMean(closes, endingAt: index, window: 10)
            set.ema12 = ema12[index]
            set.ema26 = ema26[index]
            set.macd = macd[index]
            set.macdSignal = signal[index]
            set.macdHist = macd[index] - signal[index]
            if let (mean, std) = self.trailingMeanAndSampleStd(closes, endingAt: index, window: self.bandWindow) {
                set.bbMiddle = mean
                set.bbUpper = mean + self.bandWidth * std
                set.bbLower = mean - self.bandWidth * std
            }
            set.volMA10 = self.trailingMean(volumes, endingAt: index, window: 10)
            set.rsi14 = rsi[index]
            if index >= 1 {
                set.logReturn = logReturns[index - 1]
                // The last 20 log returns are those of indices index-19 ... index, i.e. logReturns[index-20 ..< index].
                set.volatility20 = self.trailingMeanAndSampleStd(
                    logReturns, endingAt: index - 1, window: self.bandWindow
                )?.std
            }
            result.append(set.droppingNonFinite())
        }
        return result
    }

    /// EMA with `adjust=False`: `y[0] = x[0]`, `y[t] = (1 − α) y[t−1] + α x[t]`, `α = 2 / (span + 1)`.
    static func exponentialAverage(_ values: [Double], span: Int) -> [Double] {
        guard let first = values.first else { return [] }
        let alpha = 2.0 / Double(span + 1)
        var result: [Double] = []
        result.reserveCapacity(values.count)
        var average = first
        result.append(average)
        for value in values.dropFirst() {
            average = (1 - alpha) * average + alpha * value
            result.append(average)
        }
        return result
    }

    /// Mean of `values[end − window + 1 ... end]`, or `nil` when fewer than `window` values end there.
    static func trailingMean(_ values: [Double], endingAt end: Int, window: Int) -> Double? {
        guard end + 1 >= window, end < values.count else { return nil }
        var sum = 0.0
        for index in (end + 1 - window)...end { sum += values[index] }
        return sum / Double(window)
    }

    /// Mean and sample standard deviation (ddof 1, two-pass) of the `window` values ending at `end`.
    static func trailingMeanAndSampleStd(
        _ values: [Double], endingAt end: Int, window: Int
    ) -> (mean: Double, std: Double)? {
        guard window >= 2, let mean = self.trailingMean(values, endingAt: end, window: window) else { return nil }
        var squares = 0.0
        for index in (end + 1 - window)...end {
            let deviation = values[index] - mean
            squares += deviation * deviation
        }
        return (mean, (squares / Double(window - 1)).squareRoot())
    }

    /// Wilder's RSI: the first average gain/loss is the simple mean of the changes at indices 1...period (so the
    /// first RSI is at index `period`), then `avg = ((period − 1) × avg + x) / period`; an average loss of 0 gives 100.
    static func wilderRSI(_ closes: [Double], period: Int) -> [Double?] {
        var result = [Double?](repeating: nil, count: closes.count)
        guard closes.count > period else { return result }
        func rsi(_ gain: Double, _ loss: Double) -> Double {
            loss == 0 ? 100 : 100 - 100 / (1 + gain / loss)
        }
        var gainSum = 0.0
        var lossSum = 0.0
        for index in 1...period {
            let change = closes[index] - closes[index - 1]
            if change > 0 { gainSum += change } else { lossSum -= change }
        }
        var averageGain = gainSum / Double(period)
        var averageLoss = lossSum / Double(period)
        result[period] = rsi(averageGain, averageLoss)
        let weight = Double(period - 1)
        for index in (period + 1)..<max(closes.count, period + 1) {
            let change = closes[index] - closes[index - 1]
            averageGain = (weight * averageGain + max(change, 0)) / Double(period)
            averageLoss = (weight * averageLoss + max(-change, 0)) / Double(period)
            result[index] = rsi(averageGain, averageLoss)
        }
        return result
    }
}
