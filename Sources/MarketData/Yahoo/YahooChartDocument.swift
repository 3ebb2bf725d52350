/// The JSON of Yahoo's `v8/finance/chart` endpoint, only the parts we read.
///
/// ```json
/// {"chart": {"result": [{"meta": {"exchangeTimezoneName": "America/New_York", "gmtoffset": -14400, ...},
///                        "timestamp": [1598880600, ...],
///                        "events": {"dividends": {"1596807000": {"amount": 0.205, "date": 1596807000}},
///                                   "splits": {"1598880600": {"date": 1598880600, "numerator": 4,
///                                                             "denominator": 1, "splitRatio": "4:1"}}},
///                        "indicators": {"quote": [{"open": [...], "high": [...], "low": [...], "close": [...],
///                                                  "volume": [...]}],
///                                       "adjclose": [{"adjclose": [...]}]}}],
///            "error": null}}
/// ```
/// Array entries may be `null` (a session Yahoo has no prices for); every field is optional here so that one
/// missing piece becomes a row issue or a clear error rather than a decoding failure of the whole document.
struct YahooChartDocument: Decodable, Sendable {
    /// The top-level `chart` object.
    var chart: Chart

    /// `chart`: one result or an error.
    struct Chart: Decodable, Sendable {
        /// The results (one per requested symbol), `null` on error.
        var result: [Result]?
        /// The error, `null` on success.
        var error: ChartError?
    }

    /// `chart.error`, e.g. `{"code": "Not Found", "description": "No data found, symbol may be delisted"}`.
    struct ChartError: Decodable, Sendable {
        /// Machine-readable code, e.g. `Not Found`.
        var code: String?
        /// Human-readable explanation.
        var description: String?
    }

    /// `chart.result[i]`.
    struct Result: Decodable, Sendable {
        /// Symbol and exchange metadata.
        var meta: Meta?
        /// Unix time of each session (Yahoo stamps daily bars at the session open).
        var timestamp: [Int64]?
        /// Dividends and splits in the range.
        var events: Events?
        /// Prices and volumes, parallel to `timestamp`.
        var indicators: Indicators?
    }

    /// `meta`: the exchange's time zone (IANA name and current UTC offset in seconds).
    struct Meta: Decodable, Sendable {
        /// The symbol as Yahoo spells it.
        var symbol: String?
        /// IANA zone of the exchange, e.g. `America/New_York`.
        var exchangeTimezoneName: String?
        /// The exchange's current UTC offset in seconds.
        var gmtoffset: Int?
    }

    /// `events`: dividends and splits keyed by their timestamp as a string.
    struct Events: Decodable, Sendable {
        /// Dividends keyed by timestamp.
        var dividends: [String: Dividend]?
        /// Splits keyed by timestamp.
        var splits: [String: Split]?
    }

    /// One dividend: amount per share, ex-date timestamp.
    struct Dividend: Decodable, Sendable {
        /// Cash per share.
        var amount: Double?
        /// Unix time of the ex-date session.
        var date: Int64?
    }

    /// One split: `numerator` new shares for `denominator` old (also as text in `splitRatio`, `"4:1"`).
    struct Split: Decodable, Sendable {
        /// Unix time of the ex-date session.
        var date: Int64?
        /// New shares.
        var numerator: Double?
        /// Old shares.
        var denominator: Double?
        /// The ratio as text, `new:old`.
        var splitRatio: String?
    }

    /// `indicators`: parallel arrays, one entry per timestamp.
    struct Indicators: Decodable, Sendable {
        /// OHLCV arrays (one element).
        var quote: [Quote]?
        /// Adjusted closes (one element).
        var adjclose: [AdjustedClose]?
    }

    /// `indicators.quote[0]`.
    struct Quote: Decodable, Sendable {
        /// Opening prices.
        var open: [Double?]?
        /// Highs.
        var high: [Double?]?
        /// Lows.
        var low: [Double?]?
        /// Closes (split-adjusted, not dividend-adjusted).
        var close: [Double?]?
        /// Volumes.
        var volume: [Double?]?
    }

    /// `indicators.adjclose[0]`.
    struct AdjustedClose: Decodable, Sendable {
        /// Dividend- and split-adjusted closes.
        var adjclose: [Double?]?
    }
}
