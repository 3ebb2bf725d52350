import Foundation
import MarketData
import PredictionCore
import Testing
import TestSupport

@Suite struct CSVFileProviderTests {
    @Test func readsAFileAndNamesTheSource() async throws {
        let url = Fixtures.url("goog.csv")
        let provider = CSVFileProvider(fileURL: url)
        #expect(provider.sourceName == "csv:\(url.path)")
        let series = try await provider.fetch(FetchRequest(instrument: instrument("GOOG", "NASDAQ")))
        #expect(series.rows.count == 2148)
        #expect(series.issues.isEmpty)
    }

    @Test func appliesSince() async throws {
        let provider = CSVFileProvider(fileURL: Fixtures.url("goog.csv"))
        let series = try await provider.fetch(FetchRequest(instrument: instrument("GOOG", "NASDAQ"), since: day("2013-01-01")))
        #expect(series.rows.first.map { $0.bar.session >= day("2013-01-01") } == true)
        #expect(series.rows.count < 2148)
    }

    @Test func missingFileIsUnreadable() async throws {
        let provider = CSVFileProvider(fileURL: URL(fileURLWithPath: "/nonexistent/stockcast/prices.csv"))
        let error = await #expect(throws: ProviderError.self) {
            try await provider.fetch(FetchRequest(instrument: instrument("GOOG", "NASDAQ")))
        }
        #expect(error?.code == .unreadable)
        #expect(error?.isTransient == false)
    }

    @Test func directoryIsUnreadable() async throws {
        let provider = CSVFileProvider(fileURL: URL(fileURLWithPath: NSTemporaryDirectory()))
        let error = await #expect(throws: ProviderError.self) {
            try await provider.fetch(FetchRequest(instrument: instrument("GOOG", "NASDAQ")))
        }
        #expect(error?.code == .unreadable)
    }

    @Test func fileOverTheSizeLimitIsRefused() async throws {
        let provider = CSVFileProvider(fileURL: Fixtures.url("goog.csv"), maxFileBytes: 1_000)
        let error = await #expect(throws: ProviderError.self) {
            try await provider.fetch(FetchRequest(instrument: instrument("GOOG", "NASDAQ")))
        }
        #expect(error?.code == .unreadable)
        #expect(error?.message.contains("1000-byte limit") == true)
    }
}
