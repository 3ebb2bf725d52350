import Actors
import Foundation
import Logging
import PredictionCore
import Storage

/// First start of an empty store: copies the bundled sample data (real daily OHLCV, see
/// `Resources/SampleData/PROVENANCE.md`) into `<data_dir>/import/sample/`, tracks it and runs it through the same ETL
/// pipeline as any other source, so a fresh `make run` shows real data at once.
enum SampleDataBootstrap {
    /// The bundled series: file, ticker, exchange.
    static let series: [(file: String, ticker: String, exchange: String)] = [
        ("goog.csv", "GOOG", "NASDAQ"),
        ("gspc.csv", "^GSPC", "NYSE"),
    ]

    /// Queues the sample runs when the store has no runs, datasets or tracked tickers; returns the runs queued.
    @discardableResult
    static func ingestIfEmpty(
        store: any StockCastStore, pipeline: MarketDataPipeline, importDirectory: URL, logger: Logger
    ) async throws -> [ETLRun] {
        let datasets = try await store.datasets()
        let tracked = try await store.trackedTickers()
        let history = try await store.runs(matching: ETLRunFilter(), before: nil, limit: 1)
        guard datasets.isEmpty, tracked.isEmpty, history.isEmpty else { return [] }
        let target = importDirectory.appendingPathComponent("sample")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        var runs: [ETLRun] = []
        for entry in self.series {
            guard let bundled = Bundle.module.url(forResource: "SampleData/\(entry.file)", withExtension: nil),
                let ticker = TickerSymbol(entry.ticker), let exchange = ExchangeCode(entry.exchange)
            else {
                logger.warning("bundled sample file missing", metadata: ["file": "\(entry.file)"])
                continue
            }
            let copy = target.appendingPathComponent(entry.file)
            if !FileManager.default.fileExists(atPath: copy.path) {
                try FileManager.default.copyItem(at: bundled, to: copy)
            }
            let instrument = InstrumentKey(ticker: ticker, exchange: exchange)
            let source = "csv:\(copy.standardizedFileURL.resolvingSymlinksInPath().path)"
            _ = try await store.track(TrackedTicker(instrument: instrument, source: source, addedAt: Date()))
            runs.append(try await pipeline.submit(instrument, source: source, trigger: .bootstrap))
        }
        logger.notice("first start: ingesting bundled sample data", metadata: ["runs": "\(runs.map(\.id))"])
        return runs
    }
}
