import Actors
import Foundation
import Logging
import PredictionCore
import Storage

/// First start of an empty store: copies the bundled sample data (real daily OHLCV, see
/// `Resources/SampleData/PROVENANCE.md`) into `<data_dir>/import/sample/`, tracks it and runs it through the same ETL
/// pipeline as any other source, so a fresh `make run` shows real data at once.
///
/// Runs once the server listens, so a start that fails to bind leaves nothing behind. A sample run that a stop or a
/// crash interrupted (its instrument still has no data, its last bootstrap run failed, nothing of it is queued) is
/// queued again at the next start.
enum SampleDataBootstrap {
    /// The bundled series: file, ticker, exchange.
    static let series: [(file: String, ticker: String, exchange: String)] = [
        ("goog.csv", "GOOG", "NASDAQ"),
        ("gspc.csv", "^GSPC", "NYSE"),
    ]

    /// Queues the sample runs the store needs; returns them.
    @discardableResult
    static func ingestIfNeeded(_ parts: ServiceParts, importDirectory: URL, logger: Logger) async throws -> [ETLRun] {
        let (runs, pipeline) = (parts.storage.runs, parts.pipeline)
        let datasets = try await parts.storage.prices.datasets()
        let tracked = try await parts.scheduler.trackedTickers()
        let history = try await runs.runs(matching: ETLRunFilter(), before: nil, limit: 1)
        if datasets.isEmpty, tracked.isEmpty, history.isEmpty {
            return try await self.ingestFirstTime(parts, importDirectory: importDirectory, logger: logger)
        }
        var resumed: [ETLRun] = []
        for entry in self.series {
            guard let instrument = self.instrument(entry), !datasets.contains(where: { $0.instrument == instrument }),
                let latest = try await runs.runs(matching: ETLRunFilter(instrument: instrument), before: nil, limit: 1).first,
                latest.trigger == .bootstrap, latest.status == .failed
            else { continue }
            resumed.append(try await pipeline.submit(instrument, source: latest.source, trigger: .bootstrap, retryOf: latest.id))
        }
        if !resumed.isEmpty {
            logger.notice("sample data runs were interrupted; queued again", metadata: ["runs": "\(resumed.map(\.id))"])
        }
        return resumed
    }

    private static func ingestFirstTime(_ parts: ServiceParts, importDirectory: URL, logger: Logger) async throws -> [ETLRun] {
        let target = importDirectory.appendingPathComponent("sample")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        var runs: [ETLRun] = []
        for entry in self.series {
            guard let bundled = Bundle.module.url(forResource: "SampleData/\(entry.file)", withExtension: nil), let instrument = self.instrument(entry)
            else {
                logger.warning("bundled sample file missing", metadata: ["file": "\(entry.file)"])
                continue
            }
            let copy = target.appendingPathComponent(entry.file)
            if !FileManager.default.fileExists(atPath: copy.path) {
                try FileManager.default.copyItem(at: bundled, to: copy)
            }
            // Relative to the import directory: no server path in what the API shows.
            let source = "csv:sample/\(entry.file)"
            _ = try await parts.scheduler.track(TrackedTicker(instrument: instrument, source: source, addedAt: Date()))
            runs.append(try await parts.pipeline.submit(instrument, source: source, trigger: .bootstrap))
        }
        logger.notice("first start: ingesting bundled sample data", metadata: ["runs": "\(runs.map(\.id))"])
        return runs
    }

    private static func instrument(_ entry: (file: String, ticker: String, exchange: String)) -> InstrumentKey? {
        guard let ticker = TickerSymbol(entry.ticker), let exchange = ExchangeCode(entry.exchange) else { return nil }
        return InstrumentKey(ticker: ticker, exchange: exchange)
    }
}
