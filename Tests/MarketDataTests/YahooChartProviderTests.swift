import AsyncHTTPClient
import Foundation
import MarketData
import PredictionCore
import Testing
import TestSupport

@Suite struct YahooChartProviderTests {
    private let aapl = instrument("AAPL", "NASDAQ")

    private func provider(_ server: FakeHTTPServer, _ client: HTTPClient) -> YahooChartProvider {
        YahooChartProvider(httpClient: client, baseURL: server.baseURL, rateLimiter: nil)
    }

    @Test func parsesDatesPricesAdjustedCloseAndEvents() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(body: try providerFixture("yahoo-chart-aapl.json")), path: "/v8/finance/chart/AAPL")
            let series = try await self.provider(server, client).fetch(FetchRequest(instrument: self.aapl))

            #expect(series.rows.count == 11)
            #expect(series.rows.map(\.row) == [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12])
            #expect(
                series.rows.first?.bar
                    == PriceBar(
                        session: day("2020-08-05"), open: 109.38, high: 110.39, low: 108.9, close: 110.06,
                        volume: 121_776_800, sourceAdjustedClose: 108.67))
            #expect(series.rows.last?.bar.session == day("2020-09-02"))
            #expect(series.rows.map(\.bar.session).contains(day("2020-08-31")))
            #expect(
                series.actions == [
                    CorporateAction(session: day("2020-08-07"), kind: .dividend, value: 0.205),
                    CorporateAction(session: day("2020-08-31"), kind: .split, value: 4.0),
                ])
        }
    }

    @Test func nullRowBecomesAnUnparseableIssue() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(body: try providerFixture("yahoo-chart-aapl.json")), path: "/v8/finance/chart/AAPL")
            let series = try await self.provider(server, client).fetch(FetchRequest(instrument: self.aapl))
            let issue = try #require(series.issues.first)
            #expect(series.issues.count == 1)
            #expect(issue.row == 6)
            #expect(issue.session == day("2020-08-12"))
            #expect(issue.reason == .unparseable)
            #expect(issue.detail == "null open, high, low, close, volume")
        }
    }

    @Test func sendsTheChartQuery() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(body: try providerFixture("yahoo-chart-aapl.json")), path: "/v8/finance/chart/AAPL")
            server.enqueue(.init(body: try providerFixture("yahoo-chart-aapl.json")), path: "/v8/finance/chart/AAPL")
            let provider = self.provider(server, client)
            _ = try await provider.fetch(FetchRequest(instrument: self.aapl))
            let recent = try await provider.fetch(FetchRequest(instrument: self.aapl, since: day("2020-08-31")))

            let requests = server.receivedRequests
            #expect(requests.count == 2)
            #expect(requests.allSatisfy { $0.method == "GET" && $0.path == "/v8/finance/chart/AAPL" })
            #expect(requests[0].uri.contains("events=div%2Csplits"))
            #expect(requests[0].query["interval"] == "1d")
            #expect(requests[0].query["events"] == "div,splits")
            #expect(requests[0].query["includeAdjustedClose"] == "true")
            #expect(requests[0].query["period1"] == "-2208988800")
            let period2 = try #require(requests[0].query["period2"].flatMap { Int64($0) })
            #expect(abs(Double(period2) - Date().timeIntervalSince1970) < 3_600)
            #expect(requests[1].query["period1"] == String(Int64(day("2020-08-30").dayNumber) * 86_400))
            #expect(requests[0].headers["user-agent"]?.isEmpty == false)

            #expect(recent.rows.map(\.bar.session) == [day("2020-08-31"), day("2020-09-01"), day("2020-09-02")])
            #expect(recent.actions == [CorporateAction(session: day("2020-08-31"), kind: .split, value: 4.0)])
        }
    }

    @Test func indexSymbolIsPercentEncodedInThePath() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(body: try providerFixture("yahoo-chart-aapl.json")), path: "/v8/finance/chart/^GSPC")
            _ = try await self.provider(server, client).fetch(FetchRequest(instrument: instrument("^GSPC", "US")))
            #expect(server.receivedRequests.first?.uri.hasPrefix("/v8/finance/chart/%5EGSPC?") == true)
        }
    }

    @Test func notFoundErrorDocument() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(
                .init(status: 404, body: try providerFixture("yahoo-not-found.json")), path: "/v8/finance/chart/NOPE")
            let error = await #expect(throws: ProviderError.self) {
                try await self.provider(server, client).fetch(FetchRequest(instrument: instrument("NOPE", "US")))
            }
            #expect(error?.code == .notFound)
            #expect(error?.message.contains("No data found") == true)
            #expect(error?.isTransient == false)
        }
    }

    @Test func notFoundWithoutAChartBody() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(status: 404, body: "<html>gone</html>"), path: "/v8/finance/chart/NOPE")
            let error = await #expect(throws: ProviderError.self) {
                try await self.provider(server, client).fetch(FetchRequest(instrument: instrument("NOPE", "US")))
            }
            #expect(error?.code == .notFound)
        }
    }

    @Test func emptyResultIsNotFound() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(body: try providerFixture("yahoo-empty.json")), path: "/v8/finance/chart/AAPL")
            let error = await #expect(throws: ProviderError.self) {
                try await self.provider(server, client).fetch(FetchRequest(instrument: self.aapl))
            }
            #expect(error?.code == .notFound)
            #expect(error?.message.contains("no rows") == true)
        }
    }

    @Test func nonJSONSuccessIsMalformed() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(body: "<html>consent page</html>"), path: "/v8/finance/chart/AAPL")
            let error = await #expect(throws: ProviderError.self) {
                try await self.provider(server, client).fetch(FetchRequest(instrument: self.aapl))
            }
            #expect(error?.code == .malformed)
        }
    }

    /// 2330.TW bars are stamped 09:00 Asia/Taipei = 01:00 UTC: the session is the Taipei date.
    @Test func taipeiSeriesKeepsItsLocalDates() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(body: try providerFixture("yahoo-chart-2330tw.json")), path: "/v8/finance/chart/2330.TW")
            let series = try await self.provider(server, client).fetch(FetchRequest(instrument: instrument("2330.TW", "TW")))
            #expect(
                series.rows.map(\.bar.session)
                    == ["2024-03-01", "2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07"].map(day))
            #expect(series.rows.first?.bar.close == 699)
            #expect(series.issues.isEmpty)
        }
    }

    @Test func rateLimitedResponseCarriesRetryAfterAndTheNextCallSucceeds() async throws {
        try await withServerAndClient { server, client in
            let path = "/v8/finance/chart/AAPL"
            server.enqueue(.init(status: 429, headers: [("Retry-After", "7")], body: "Too Many Requests"), path: path)
            server.enqueue(.init(body: try providerFixture("yahoo-chart-aapl.json")), path: path)
            let provider = self.provider(server, client)
            let error = await #expect(throws: ProviderError.self) { try await provider.fetch(FetchRequest(instrument: self.aapl)) }
            #expect(error?.code == .rateLimited)
            #expect(error?.retryAfterSeconds == 7)
            #expect(error?.isTransient == true)
            let series = try await provider.fetch(FetchRequest(instrument: self.aapl))
            #expect(series.rows.count == 11)
            #expect(server.receivedRequests.count == 2)
        }
    }

    @Test func truncatedBodyIsTransient() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(
                .init(body: try providerFixture("yahoo-chart-aapl.json"), delivery: .truncated(afterBytes: 200)),
                path: "/v8/finance/chart/AAPL")
            let error = await #expect(throws: ProviderError.self) {
                try await self.provider(server, client).fetch(FetchRequest(instrument: self.aapl))
            }
            #expect(error?.code == .truncated)
            #expect(error?.isTransient == true)
        }
    }

    @Test func serverErrorIsUnavailable() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.init(status: 503, body: "maintenance"), path: "/v8/finance/chart/AAPL")
            let error = await #expect(throws: ProviderError.self) {
                try await self.provider(server, client).fetch(FetchRequest(instrument: self.aapl))
            }
            #expect(error?.code == .unavailable)
            #expect(error?.isTransient == true)
        }
    }
}
