/// One daily bar exactly as the source gave it (unadjusted prices). Raw bars are never overwritten by adjusted ones.
public struct PriceBar: Hashable, Sendable, Codable {
    /// The trading session, in the exchange's calendar.
    public var session: SessionDate
    /// Opening price.
    public var open: Double
    /// Highest price.
    public var high: Double
    /// Lowest price.
    public var low: Double
    /// Closing price (unadjusted).
    public var close: Double
    /// Shares (or index units) traded.
    public var volume: Int64
    /// The source's own adjusted close, when it gives one (Yahoo's "Adj Close"); kept for reference only.
    public var sourceAdjustedClose: Double?

    /// Creates a bar.
    public init(
        session: SessionDate, open: Double, high: Double, low: Double, close: Double, volume: Int64,
        sourceAdjustedClose: Double? = nil
    ) {
        self.session = session
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.sourceAdjustedClose = sourceAdjustedClose
    }
}

/// A bar together with the line (1-based, header = line 1) or array index it came from, so that every
/// rejected or flagged row can be reported by position.
public struct NumberedBar: Hashable, Sendable {
    /// Line number in the source file, or position in the source's arrays (1-based).
    public var row: Int
    /// The parsed bar.
    public var bar: PriceBar

    /// Creates a numbered bar.
    public init(row: Int, bar: PriceBar) {
        self.row = row
        self.bar = bar
    }
}

/// A dividend or split, kept as an event; adjusted prices are derived from these, never stored over raw prices.
public struct CorporateAction: Hashable, Sendable, Codable {
    /// What happened.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// Cash dividend; `value` is the amount per share, effective on the ex-date `session`.
        case dividend
        /// Stock split; `value` is new shares per old share (2.0 for a 2-for-1, 0.1 for a 1-for-10 reverse split).
        case split
    }

    /// The session on which the event takes effect (ex-date).
    public var session: SessionDate
    /// Dividend or split.
    public var kind: Kind
    /// Amount per share (dividend) or ratio (split); always > 0.
    public var value: Double

    /// Creates an event.
    public init(session: SessionDate, kind: Kind, value: Double) {
        self.session = session
        self.kind = kind
        self.value = value
    }
}
