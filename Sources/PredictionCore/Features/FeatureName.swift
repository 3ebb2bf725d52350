/// One model input column, computed at a forecast origin from that session and earlier ones only.
///
/// Every feature is scale-free (a return, a ratio minus one, a z-score or a bounded oscillator), so a model trained
/// on one price level applies at another. Prices are the adjusted close (`CleanBar.adjustedClose`); the stored
/// indicators of `CleanBar` are used where they exist (they are computed on the adjusted close), the lags and the
/// volume statistics are computed here. With `c` the adjusted close, `v` the raw volume and `t` the origin:
public enum FeatureName: String, Hashable, Sendable, Codable, CaseIterable {
    /// `ln(c[t] / c[t−1])`: the log return of the origin session (lag 1 = the latest return).
    case returnLag1 = "return_lag_1"
    /// `ln(c[t−1] / c[t−2])`.
    case returnLag2 = "return_lag_2"
    /// `ln(c[t−2] / c[t−3])`.
    case returnLag3 = "return_lag_3"
    /// `ln(c[t−4] / c[t−5])`.
    case returnLag5 = "return_lag_5"
    /// `ln(c[t−9] / c[t−10])`.
    case returnLag10 = "return_lag_10"
    /// `ln(c[t−19] / c[t−20])`.
    case returnLag20 = "return_lag_20"
    /// `c / SMA5 − 1` (stored MA5).
    case closeToSMA5 = "close_to_sma5"
    /// `c / SMA10 − 1` (stored MA10).
    case closeToSMA10 = "close_to_sma10"
    /// `c / SMA20 − 1` (stored BB_middle, which is the SMA20).
    case closeToSMA20 = "close_to_sma20"
    /// `c / EMA12 − 1` (stored EMA12).
    case closeToEMA12 = "close_to_ema12"
    /// `c / EMA26 − 1` (stored EMA26).
    case closeToEMA26 = "close_to_ema26"
    /// `RSI14 / 100` (stored Wilder RSI14), in 0…1.
    case rsi14
    /// `MACD / c`.
    case macdNorm = "macd_norm"
    /// `MACD_signal / c`.
    case macdSignalNorm = "macd_signal_norm"
    /// `MACD_hist / c`.
    case macdHistNorm = "macd_hist_norm"
    /// Bollinger %b: `(c − BB_lower) / (BB_upper − BB_lower)`; 0.5 when the band has zero width.
    case bollingerPercentB = "bollinger_pct_b"
    /// Sample standard deviation of the last 20 one-session log returns (stored volatility20, not annualised).
    case volatility20 = "volatility_20"
    /// `(v[t] − mean) / std` over the 20 sessions ending at `t` (sample std); 0 when the volume did not vary.
    case volumeZScore20 = "volume_zscore_20"
    /// Day of the week of the origin as one number: 0 = Monday … 4 = Friday (5, 6 for weekend sessions).
    case dayOfWeek = "day_of_week"
    /// `open / close − 1` of the origin session (raw prices; the adjustment factor cancels).
    case openToClose = "open_to_close"
    /// `high / close − 1` of the origin session.
    case highToClose = "high_to_close"
    /// `low / close − 1` of the origin session.
    case lowToClose = "low_to_close"
    /// `c / BB_upper − 1`.
    case closeToBBUpper = "close_to_bb_upper"
    /// `c / BB_lower − 1`.
    case closeToBBLower = "close_to_bb_lower"
    /// `v / VOL_MA10 − 1` (stored VOL_MA10); 0 when VOL_MA10 is 0.
    case volumeToMA10 = "volume_to_ma10"

    /// The index of the oldest session this feature reads, counted back from the origin (0 = the origin only).
    /// A feature is defined from row `lookback` onward at the earliest; the stored indicators add their own
    /// warm-up (`nil` values), which `FeatureBuilder` reports as undefined.
    public var lookback: Int {
        switch self {
        case .returnLag1: 1
        case .returnLag2: 2
        case .returnLag3: 3
        case .returnLag5: 5
        case .returnLag10: 10
        case .returnLag20, .volatility20: 20
        case .volumeZScore20, .closeToSMA20, .bollingerPercentB, .closeToBBUpper, .closeToBBLower: 19
        case .rsi14: 14
        case .closeToSMA10, .volumeToMA10: 9
        case .closeToSMA5: 4
        case .closeToEMA12, .closeToEMA26, .macdNorm, .macdSignalNorm, .macdHistNorm: 0
        case .dayOfWeek, .openToClose, .highToClose, .lowToClose: 0
        }
    }
}
