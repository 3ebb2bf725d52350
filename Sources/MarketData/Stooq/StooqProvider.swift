import AsyncHTTPClient
import Foundation
import Logging
import PredictionCore

/// Daily bars from Stooq's CSV download: `GET {baseURL}/q/d/l/?s={symbol}&i=d`, plus `&d1=YYYYMMDD&d2=YYYYMMDD`
/// when the request has a `since` (d2 is tomorrow in UTC, so no zone's "today" is cut off).
///
/// Stooq answers with `Date,Open,High,Low,Close,Volume` CSV (parsed by `CSVPriceParser`), with the text
/// `No data` (or nothing) for unknown symbols (`.notFound`), and with `Exceeded the daily hits limit` when its
/// daily quota is used up (`.rateLimited`). See `stooqSymbol(for:)` for the symbol mapping.
public struct StooqProvider: MarketDataProvider {
    /// `https://stooq.com`.
    public static let defaultBaseURL = "https://stooq.com"

    /// Exchange codes whose tickers Stooq lists with the `.us` suffix.
    public static let usExchanges: Set<String> = [
        "US", "NYSE", "NASDAQ", "AMEX", "NYSEARCA", "NYSEAMERICAN", "NYSEMKT", "ARCA", "BATS", "CBOE",
        "NMS", "NGM", "NCM", "NYQ", "ASE", "PCX",
    ]

    /// Yahoo-style index tickers whose Stooq names differ from the lower-cased ticker.
    public static let indexSymbols: [String: String] = ["^GSPC": "^spx"]

    /// The HTTP client for this source (rate limiter, timeouts, limits).
    public let client: ProviderHTTPClient
    /// Scheme and host, without a trailing slash.
    public let baseURL: String

    /// `stooq`.
    public var sourceName: String { "stooq" }

    /// Creates a provider over an HTTP client that is already set up for this source.
    public init(client: ProviderHTTPClient, baseURL: String = StooqProvider.defaultBaseURL) {
        self.client = client
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    /// Creates a provider with its own rate limiter (by default a burst of 2, then one request every 2 seconds).
    public init(
        httpClient: HTTPClient, baseURL: String = StooqProvider.defaultBaseURL,
        rateLimiter: TokenBucket? = TokenBucket(capacity: 2, refillPerSecond: 0.5),
        configuration: ProviderHTTPClient.Configuration = ProviderHTTPClient.Configuration(),
        logger: Logger = Logger(label: "stockcast.marketdata.stooq")
    ) {
        self.init(
            client: ProviderHTTPClient(
                source: "stooq", httpClient: httpClient, rateLimiter: rateLimiter, configuration: configuration,
                logger: logger),
            baseURL: baseURL)
    }

    /// Stooq's name for an instrument: known index tickers are translated (`^GSPC` → `^spx`); tickers on a US
    /// exchange get `.us` (`AAPL@NASDAQ` → `aapl.us`); anything else is the lower-cased ticker as given
    /// (`7203.JP@TSE` → `7203.jp`).
    public static func stooqSymbol(for instrument: InstrumentKey) -> String {
        let ticker = instrument.ticker.rawValue
        if let index = self.indexSymbols[ticker] { return index }
        if !ticker.hasPrefix("^"), self.usExchanges.contains(instrument.exchange.rawValue), !ticker.hasSuffix(".US") {
            return ticker.lowercased() + ".us"
        }
        return ticker.lowercased()
    }

    /// The request URL for `request` at time `now`.
    public func url(for request: FetchRequest, now: Date = Date()) -> String {
        var url = "\(self.baseURL)/q/d/l/?s=\(URLText.percentEncoded(Self.stooqSymbol(for: request.instrument)))&i=d"
        if let since = request.since {
            let nowDay = Int32((now.timeIntervalSince1970 / 86_400).rounded(.down))
            let tomorrow = SessionDate(dayNumber: nowDay + 1)
            url += "&d1=\(Self.compact(since))&d2=\(Self.compact(max(tomorrow, since)))"
        }
        return url
    }

    /// Fetches and parses the CSV. Throws `ProviderError`.
    public func fetch(_ request: FetchRequest) async throws -> FetchedSeries {
        let symbol = Self.stooqSymbol(for: request.instrument)
        let response = try await self.client.get(self.url(for: request))
        switch response.status {
        case 200..<300:
            break
        case 404, 410:
            throw ProviderError(.notFound, "stooq does not know \(symbol) (HTTP \(response.status))")
        default:
            throw ProviderError(.unavailable, "stooq refused the request for \(symbol) (HTTP \(response.status))")
        }
        let head = String(decoding: response.body.prefix(64), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if head.isEmpty || head == "no data" {
            throw ProviderError(.notFound, "stooq has no data for \(symbol)")
        }
        if head.hasPrefix("exceeded the daily hits limit") {
            throw ProviderError(.rateLimited, "stooq daily request limit exceeded")
        }
        return try CSVPriceParser(since: request.since).parse(bytes: response.body)
    }

    /// `YYYYMMDD`.
    private static func compact(_ date: SessionDate) -> String {
        String(date.description.filter { $0 != "-" })
    }
}
