import Actors
import AsyncHTTPClient
import Foundation
import Logging
import MarketData
import NIOCore

/// Binds sources to the real providers: CSV files on disk, the Yahoo chart API and Stooq's CSV download, each HTTP
/// source with its own token bucket (`providers.requests_per_second`, `providers.burst`) shared by every run.
///
/// A relative `csv:` path is a file inside `<data_dir>/import/` (what the API stores); an absolute one is read as given
/// (the CLI, run by the machine's user).
struct LiveProviderCatalog: ProviderCatalog {
    let yahoo: YahooChartProvider
    let stooq: StooqProvider
    let importDirectory: URL

    init(configuration: AppConfiguration, httpClient: HTTPClient) {
        self.importDirectory = configuration.importDirectory
        let http = ProviderHTTPClient.Configuration(requestTimeout: .seconds(Int64(configuration.providerTimeoutSeconds)))
        func bucket() -> TokenBucket {
            TokenBucket(capacity: configuration.providerBurst, refillPerSecond: configuration.providerRequestsPerSecond)
        }
        self.yahoo = YahooChartProvider(
            httpClient: httpClient, baseURL: configuration.yahooBaseURL, rateLimiter: bucket(), configuration: http,
            logger: Logger(label: "stockcast.marketdata.yahoo")
        )
        self.stooq = StooqProvider(
            client: ProviderHTTPClient(
                source: "stooq", httpClient: httpClient, rateLimiter: bucket(), configuration: http, logger: Logger(label: "stockcast.marketdata.stooq")
            ),
            baseURL: configuration.stooqBaseURL
        )
    }

    func provider(for source: SourceSpec) throws -> any MarketDataProvider {
        switch source {
        case .csv(let path):
            CSVFileProvider(
                fileURL: path.hasPrefix("/") ? URL(fileURLWithPath: path) : self.importDirectory.appendingPathComponent(path), displayName: path)
        case .yahoo: self.yahoo
        case .stooq: self.stooq
        }
    }
}
