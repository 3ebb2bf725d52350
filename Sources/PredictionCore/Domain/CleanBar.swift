/// Technical indicators of one session, computed over the full stored history of the series (so re-running
/// the ETL gives identical values). `nil` where the window is not yet full.
///
/// Definitions (the original's, ORIGINAL.md §2.4, applied to the adjusted close):
/// MA5/MA10 = simple moving averages; EMA12/EMA26 = exponential, `adjust=False`, seeded with the first close;
/// MACD = EMA12 − EMA26; MACD_signal = EMA9 of MACD (`adjust=False`); MACD_hist = MACD − signal;
/// BB_middle = SMA20, BB_upper/lower = middle ± 2 × sample std (ddof 1) of the last 20 closes;
/// VOL_MA10 = SMA10 of volume. Ours: RSI14 (Wilder: first averages are the simple mean of the first 14 gains and
/// losses, then `avg = (13 × avg + x) / 14`); log return = ln(close / previous close); volatility20 = sample std
/// (ddof 1) of the last 20 log returns, not annualised.
public struct IndicatorSet: Hashable, Sendable, Codable {
    public var ma5: Double?
    public var ma10: Double?
    public var ema12: Double?
    public var ema26: Double?
    public var macd: Double?
    public var macdSignal: Double?
    public var macdHist: Double?
    public var bbUpper: Double?
    public var bbMiddle: Double?
    public var bbLower: Double?
    public var volMA10: Double?
    public var rsi14: Double?
    public var logReturn: Double?
    public var volatility20: Double?

    /// All indicators unset.
    public init() {}

    /// The indicator values in storage column order (see `IndicatorSet.columnNames`).
    public var values: [Double?] {
        [
            self.ma5, self.ma10, self.ema12, self.ema26, self.macd, self.macdSignal, self.macdHist,
            self.bbUpper, self.bbMiddle, self.bbLower, self.volMA10, self.rsi14, self.logReturn, self.volatility20,
        ]
    }

    /// Rebuilds a set from values in `columnNames` order.
    public init(values: [Double?]) {
        precondition(values.count == IndicatorSet.columnNames.count)
        (self.ma5, self.ma10, self.ema12, self.ema26, self.macd, self.macdSignal, self.macdHist) =
            (values[0], values[1], values[2], values[3], values[4], values[5], values[6])
        (self.bbUpper, self.bbMiddle, self.bbLower, self.volMA10, self.rsi14, self.logReturn, self.volatility20) =
            (values[7], values[8], values[9], values[10], values[11], values[12], values[13])
    }

    /// The set with every non-finite value unset: an indicator is a finite number or absent, never ±∞ or NaN.
    public func droppingNonFinite() -> IndicatorSet {
        IndicatorSet(values: self.values.map { value in value.flatMap { $0.isFinite ? $0 : nil } })
    }

    /// Storage column names, in `values` order.
    public static let columnNames = [
        "ma5", "ma10", "ema12", "ema26", "macd", "macd_signal", "macd_hist",
        "bb_upper", "bb_middle", "bb_lower", "vol_ma10", "rsi14", "log_return", "volatility20",
    ]

    /// The original's JSON names (`MA5`, `MACD_signal`, …) plus ours, in `values` order.
    public static let apiNames = [
        "MA5", "MA10", "EMA12", "EMA26", "MACD", "MACD_signal", "MACD_hist",
        "BB_upper", "BB_middle", "BB_lower", "VOL_MA10", "RSI14", "log_return", "volatility20",
    ]
}

/// A cleaned bar: the raw prices, the split/dividend adjustment factor derived from corporate actions, and
/// indicators computed on the adjusted close.
public struct CleanBar: Hashable, Sendable {
    /// The raw bar (unadjusted prices, as stored).
    public var bar: PriceBar
    /// Multiply a raw price by this to get the adjusted price (1 when no later split or dividend).
    public var adjustmentFactor: Double
    /// Indicators at this session.
    public var indicators: IndicatorSet
    /// `true` when validation flagged this session (e.g. a > 50 % move without a split); kept, not rejected.
    public var flagged: Bool

    /// Creates a cleaned bar.
    public init(bar: PriceBar, adjustmentFactor: Double, indicators: IndicatorSet, flagged: Bool) {
        self.bar = bar
        self.adjustmentFactor = adjustmentFactor
        self.indicators = indicators
        self.flagged = flagged
    }

    /// The session.
    public var session: SessionDate { self.bar.session }
    /// Adjusted close = close × factor.
    public var adjustedClose: Double { self.bar.close * self.adjustmentFactor }
}
