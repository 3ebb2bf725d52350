import Foundation
import PredictionCore
import Storage
import Testing

/// Raw-bar ingest throughput, run on demand: `STOCKCAST_STORAGE_BENCH=1` (sizes from
/// `STOCKCAST_STORAGE_BENCH_TICKERS` × `STOCKCAST_STORAGE_BENCH_BARS`, default 500 × 5000). Build in release for
/// meaningful numbers: `swift test -c release -Xswiftc -enable-testing --filter UpsertThroughputTests`.
@Suite(
    .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["STOCKCAST_STORAGE_BENCH"] == "1", "set STOCKCAST_STORAGE_BENCH=1"))
struct UpsertThroughputTests {
    private static func size(_ name: String, _ fallback: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap(Int.init) ?? fallback
    }

    private static func ingest(_ store: any StockCastStore, label: String) async throws {
        let tickers = size("STOCKCAST_STORAGE_BENCH_TICKERS", 500)
        let barsPerTicker = size("STOCKCAST_STORAGE_BENCH_BARS", 5000)
        let bars = TestData.bars(count: barsPerTicker, from: TestData.day("2000-01-03"))
        let clock = ContinuousClock()
        var total = UpsertCounts()
        let insertTime = try await clock.measure {
            for index in 0..<tickers {
                let counts = try await store.upsertRawBars(
                    bars, for: TestData.instrument("T\(index)"), source: "bench", runID: Int64(index))
                total.inserted += counts.inserted
            }
        }
        #expect(total.inserted == tickers * barsPerTicker)
        let unchangedTime = try await clock.measure {
            for index in 0..<min(tickers, 50) {
                let counts = try await store.upsertRawBars(
                    bars, for: TestData.instrument("T\(index)"), source: "bench", runID: Int64(index))
                total.unchanged += counts.unchanged
            }
        }
        let cleanTickers = min(tickers, 100)
        let clean = TestData.cleanBars(bars)
        let cleanTime = try await clock.measure {
            for index in 0..<cleanTickers {
                let counts = try await store.upsertCleanBars(clean, for: TestData.instrument("T\(index)"))
                total.updated += counts.inserted
            }
        }
        #expect(total.updated == cleanTickers * barsPerTicker)
        var summaries: [DatasetSummary] = []
        let datasetsTime = try await clock.measure {
            summaries = try await store.datasets()
        }
        #expect(summaries.count == cleanTickers)
        let rows = Double(tickers * barsPerTicker)
        let seconds = Double(insertTime.components.seconds) + Double(insertTime.components.attoseconds) / 1e18
        let unchangedSeconds =
            Double(unchangedTime.components.seconds) + Double(unchangedTime.components.attoseconds) / 1e18
        let unchangedRows = Double(min(tickers, 50) * barsPerTicker)
        let cleanSeconds = Double(cleanTime.components.seconds) + Double(cleanTime.components.attoseconds) / 1e18
        let cleanRows = Double(cleanTickers * barsPerTicker)
        print(
            "\(label): inserted \(Int(rows)) raw bars in \(String(format: "%.2f", seconds)) s = "
                + "\(Int(rows / seconds)) rows/s; re-upsert (all unchanged) \(Int(unchangedRows / unchangedSeconds)) rows/s; "
                + "clean bars \(Int(cleanRows / cleanSeconds)) rows/s; datasets() over \(Int(cleanRows)) clean bars: \(datasetsTime)")
    }

    @Test func sqliteRawUpsert() async throws {
        try await StoreHarness.withSQLiteStore { store in try await Self.ingest(store, label: "sqlite") }
    }

    @Test(.enabled(if: StoreHarness.postgresURL != nil, "STOCKCAST_TEST_POSTGRES_URL is not set"))
    func postgresRawUpsert() async throws {
        try await StoreHarness.withPostgresStore { store in try await Self.ingest(store, label: "postgres") }
    }
}
