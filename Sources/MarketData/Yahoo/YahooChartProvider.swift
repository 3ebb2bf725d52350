import AsyncHTTPClient
import Foundation
import Logging
import PredictionCore

/// Daily bars from Yahoo Finance's chart API:
/// `GET {baseURL}/v8/finance/chart/{SYMBOL}?period1=…&period2=…&interval=1d&events=div%2Csplits&includeAdjustedClose=true`.
///
/// The ticker is sent as stored (`GOOG`, `2330.TW`, `^GSPC`, percent-encoded); the exchange code is not sent,
/// because Yahoo's suffix is part of the ticker. `period1` is the day before `since` (so sessions of zones ahead of
/// UTC are covered), or 1900-01-01 for the full history; `period2` is now. Parsing is `YahooChartParser`.
/// A 404 whose body is not chart JSON is `.notFound`; other 4xx are `.unavailable` (Yahoo's transient cookie
/// and crumb refusals look like this).
public struct YahooChartProvider: MarketDataProvider {
    /// `https://query1.finance.yahoo.com`.
    public static let defaultBaseURL = "https://query1.finance.yahoo.com"
    /// Unix time of 1900-01-01, used as `period1` for the full history.
    static let fullHistoryStart: Int64 = -2_208_988_800

    /// The HTTP client for this source (rate limiter, timeouts, limits).
    public let client: ProviderHTTPClient
    /// Scheme and host, without a trailing slash.
    public let baseURL: String

    /// `yahoo`.
    public var sourceName: String { "yahoo" }

    /// Creates a provider over an HTTP client that is already set up for this source.
    public init(client: ProviderHTTPClient, baseURL: String = YahooChartProvider.defaultBaseURL) {
        self.client = client
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    /// Creates a provider with its own rate limiter (by default a burst of 4, then one request a second).
    public init(
        httpClient: HTTPClient, baseURL: String = YahooChartProvider.defaultBaseURL,
        rateLimiter: TokenBucket? = TokenBucket(capacity: 4, refillPerSecond: 1),
        configuration: ProviderHTTPClient.Configuration = ProviderHTTPClient.Configuration(),
        logger: Logger = Logger(label: "stockcast.marketdata.yahoo")
    ) {
        self.init(
            client: ProviderHTTPClient(
                source: "yahoo", httpClient: httpClient, rateLimiter: rateLimiter, configuration: configuration,
                logger: logger),
            baseURL: baseURL)
    }

    /// The request URL for `request` at time `now`.
    public func url(for request: FetchRequest, now: Date = Date()) -> String {
        let period1 = request.since.map { Int64($0.dayNumber - 1) * 86_400 } ?? Self.fullHistoryStart
        let period2 = Int64(now.timeIntervalSince1970.rounded(.down))
        let symbol = URLText.percentEncoded(request.instrument.ticker.rawValue)
        return "\(self.baseURL)/v8/finance/chart/\(symbol)?period1=\(period1)&period2=\(period2)"
            + "&interval=1d&events=div%2Csplits&includeAdjustedClose=true"
    }

    /// Fetches and parses the chart. Throws `ProviderError`.
    public func fetch(_ request: FetchRequest) async throws -> FetchedSeries {
        let response = try await self.client.get(self.url(for: request))
        let parsed = Self.parse(response.body, since: request.since)
        let symbol = request.instrument.ticker.rawValue
        switch (response.status, parsed) {
        case (200..<300, _):
            return try parsed.get()
        case (404, .failure(let error)) where error.code == .malformed, (410, .failure(let error)) where error.code == .malformed:
            throw ProviderError(.notFound, "yahoo does not know \(symbol) (HTTP \(response.status))")
        case (404, _), (410, _):
            return try parsed.get()
        case (_, .failure(let error)) where error.code == .notFound:
            // A chart error document explains the refusal better than the status does.
            throw error
        default:
            throw ProviderError(.unavailable, "yahoo refused the request for \(symbol) (HTTP \(response.status))")
        }
    }

    /// Parses a body without throwing, so the caller can decide by status and outcome together.
    private static func parse(_ body: [UInt8], since: SessionDate?) -> Result<FetchedSeries, ProviderError> {
        do {
            return .success(try YahooChartParser(since: since).parse(bytes: body))
        } catch {
            return .failure(error)
        }
    }
}
