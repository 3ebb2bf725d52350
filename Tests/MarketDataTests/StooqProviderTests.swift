import AsyncHTTPClient
import Foundation
import MarketData
import PredictionCore
import Testing
import TestSupport

@Suite struct StooqProviderTests {
    private func provider(_ server: FakeHTTPServer, _ client: HTTPClient) -> StooqProvider {
        StooqProvider(httpClient: client, baseURL: server.baseURL, rateLimiter: nil)
    }

    @Test func parsesTheCSVDownload() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(body: try providerFixture("stooq-aapl.csv")), path: "/q/d/l/")
            let series = try await self.provider(server, client).fetch(FetchRequest(instrument: instrument("AAPL", "NASDAQ")))
            #expect(series.issues.isEmpty)
            #expect(series.rows.map(\.row) == [2, 3, 4, 5, 6])
            #expect(
                series.rows.first?.bar
                    == PriceBar(session: day("2024-01-02"), open: 187.15, high: 188.44, low: 183.885, close: 185.64, volume: 82_488_674))
            #expect(series.rows.last?.bar.session == day("2024-01-08"))

            let request = try #require(server.receivedRequests.first)
            #expect(request.query == ["s": "aapl.us", "i": "d"])
        }
    }

    @Test func sinceAddsTheDateRangeAndFilters() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(body: try providerFixture("stooq-aapl.csv")), path: "/q/d/l/")
            let series = try await self.provider(server, client).fetch(
                FetchRequest(instrument: instrument("AAPL", "NASDAQ"), since: day("2024-01-04")))
            #expect(series.rows.map(\.bar.session) == [day("2024-01-04"), day("2024-01-05"), day("2024-01-08")])
            let query = try #require(server.receivedRequests.first?.query)
            #expect(query["d1"] == "20240104")
            #expect(query["d2"].map { $0.count == 8 && $0 > "20240104" } == true)
        }
    }

    @Test func urlWithAFixedClock() {
        let provider = StooqProvider(client: ProviderHTTPClient(source: "stooq", httpClient: HTTPClient.shared), baseURL: "https://stooq.com/")
        let now = Date(timeIntervalSince1970: 1_718_000_000)  // 2024-06-10T06:13:20Z
        #expect(
            provider.url(for: FetchRequest(instrument: instrument("^GSPC", "US"), since: day("2024-06-03")), now: now)
                == "https://stooq.com/q/d/l/?s=%5Espx&i=d&d1=20240603&d2=20240611")
        #expect(provider.url(for: FetchRequest(instrument: instrument("MSFT", "NYSE")), now: now) == "https://stooq.com/q/d/l/?s=msft.us&i=d")
    }

    @Test(arguments: [
        ("AAPL", "NASDAQ", "aapl.us"),
        ("BRK-B", "NYSE", "brk-b.us"),
        ("SPY", "NYSEARCA", "spy.us"),
        ("MSFT", "US", "msft.us"),
        ("^GSPC", "US", "^spx"),
        ("^GSPC", "NYSE", "^spx"),
        ("^DJI", "US", "^dji"),
        ("2330.TW", "TW", "2330.tw"),
        ("7203.JP", "TSE", "7203.jp"),
        ("AAPL.US", "US", "aapl.us"),
    ])
    func mapsSymbols(ticker: String, exchange: String, expected: String) {
        #expect(StooqProvider.stooqSymbol(for: instrument(ticker, exchange)) == expected)
    }

    @Test func indexSymbolIsSentEncoded() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(body: try providerFixture("stooq-aapl.csv")), path: "/q/d/l/")
            _ = try await self.provider(server, client).fetch(FetchRequest(instrument: instrument("^GSPC", "US")))
            let request = try #require(server.receivedRequests.first)
            #expect(request.uri == "/q/d/l/?s=%5Espx&i=d")
            #expect(request.query["s"] == "^spx")
        }
    }

    @Test(arguments: ["stooq-nodata.txt", ""])
    func noDataIsNotFound(fixture: String) async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(body: fixture.isEmpty ? "" : try providerFixture(fixture)), path: "/q/d/l/")
            let error = await #expect(throws: ProviderError.self) {
                try await self.provider(server, client).fetch(FetchRequest(instrument: instrument("ZZZZ", "US")))
            }
            #expect(error?.code == .notFound)
            #expect(error?.message.contains("zzzz.us") == true)
        }
    }

    @Test func dailyLimitIsRateLimited() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(body: "Exceeded the daily hits limit"), path: "/q/d/l/")
            let error = await #expect(throws: ProviderError.self) {
                try await self.provider(server, client).fetch(FetchRequest(instrument: instrument("AAPL", "US")))
            }
            #expect(error?.code == .rateLimited)
        }
    }

    @Test func htmlInsteadOfCSVIsMalformed() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(body: "<html><body>Maintenance</body></html>"), path: "/q/d/l/")
            let error = await #expect(throws: ProviderError.self) {
                try await self.provider(server, client).fetch(FetchRequest(instrument: instrument("AAPL", "US")))
            }
            #expect(error?.code == .malformed)
        }
    }
}
