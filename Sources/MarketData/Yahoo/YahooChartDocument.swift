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
        var result: [Result]?
        var error: ChartError?
    }

    /// `chart.error`, e.g. `{"code": "Not Found", "description": "No data found, symbol may be delisted"}`.
    struct ChartError: Decodable, Sendable {
        var code: String?
        var description: String?
    }

    /// `chart.result[i]`.
    struct Result: Decodable, Sendable {
        var meta: Meta?
        var timestamp: [Int64]?
        var events: Events?
        var indicators: Indicators?
    }

    /// `meta`: the exchange's time zone (IANA name and current UTC offset in seconds).
    struct Meta: Decodable, Sendable {
        var symbol: String?
        var exchangeTimezoneName: String?
        var gmtoffset: Int?
    }

    /// `events`: dividends and splits keyed by their timestamp as a string.
    struct Events: Decodable, Sendable {
        var dividends: [String: Dividend]?
        var splits: [String: Split]?
    }

    /// One dividend: amount per share, ex-date timestamp.
    struct Dividend: Decodable, Sendable {
        var amount: Double?
        var date: Int64?
    }

    /// One split: `numerator` new shares for `denominator` old (also as text in `splitRatio`, `"4:1"`).
    struct Split: Decodable, Sendable {
        var date: Int64?
        var numerator: Double?
        var denominator: Double?
        var splitRatio: String?
    }

    /// `indicators`: parallel arrays, one entry per timestamp.
    struct Indicators: Decodable, Sendable {
        var quote: [Quote]?
        var adjclose: [AdjustedClose]?
    }

    /// `indicators.quote[0]`.
    struct Quote: Decodable, Sendable {
        var open: [Double?]?
        var high: [Double?]?
        var low: [Double?]?
        var close: [Double?]?
        var volume: [Double?]?
    }

    /// `indicators.adjclose[0]`.
    struct AdjustedClose: Decodable, Sendable {
        var adjclose: [Double?]?
    }
}
