import Actors
import Foundation
import Logging
import MarketData
import PredictionCore
import ServiceLifecycle
import Storage

/// A provider whose answers a test scripts: a queue of results (errors or series), then the last one forever.
/// It records every fetch, and can hold fetches at a gate until the test opens it.
actor ScriptedProvider: MarketDataProvider {
    nonisolated let sourceName = "yahoo"
    private var script: [Result<FetchedSeries, ProviderError>]
    private(set) var fetches: [FetchRequest] = []
    private var gate: ReadinessGate?
    private var active: [InstrumentKey: Int] = [:]
    private(set) var maxActivePerInstrument = 0

    init(_ script: [Result<FetchedSeries, ProviderError>], holdAt gate: ReadinessGate? = nil) {
        self.script = script
        self.gate = gate
    }

    func fetch(_ request: FetchRequest) async throws -> FetchedSeries {
        self.fetches.append(request)
        self.active[request.instrument, default: 0] += 1
        self.maxActivePerInstrument = max(self.maxActivePerInstrument, self.active[request.instrument] ?? 0)
        defer { self.active[request.instrument, default: 1] -= 1 }
        if let gate { try await gate.wait() }
        for _ in 0..<20 { await Task.yield() }
        let next = self.script.count > 1 ? self.script.removeFirst() : self.script[0]
        return try next.get()
    }
}

/// Serves every source with one provider.
struct SingleProviderCatalog: ProviderCatalog {
    let provider: any MarketDataProvider
    func provider(for source: SourceSpec) throws -> any MarketDataProvider { self.provider }
}

enum PipelineFixtures {
    /// `count` sessions of the US calendar from 2024-01-02 with a gentle random-free price path.
    static func series(count: Int, start: SessionDate = SessionDate("2024-01-02")!, price: Double = 100) -> FetchedSeries {
        let calendar = TradingCalendars.calendar(for: ExchangeCode("NYSE")!)
        var sessions = [start]
        sessions += calendar.sessions(after: start, count: count - 1)
        let rows = sessions.enumerated().map { index, session in
            let close = price + Double(index % 7) - 3
            return NumberedBar(row: index + 2, bar: PriceBar(session: session, open: close - 0.5, high: close + 1, low: close - 1, close: close, volume: 1000 + Int64(index)))
        }
        return FetchedSeries(rows: rows)
    }

    static let instrument = InstrumentKey(ticker: TickerSymbol("ACME")!, exchange: ExchangeCode("NYSE")!)

    /// A SQLite store in a fresh temporary directory, migrated.
    static func store() async throws -> (SQLiteStore, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stockcast-actors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = SQLiteStore(path: dir.appendingPathComponent("db.sqlite").path, logger: Logger(label: "test"))
        try await store.migrate()
        return (store, dir)
    }

    /// Opens the store of an existing fixture directory again (a restart).
    static func reopen(_ dir: URL) async throws -> SQLiteStore {
        let store = SQLiteStore(path: dir.appendingPathComponent("db.sqlite").path, logger: Logger(label: "test"))
        try await store.migrate()
        return store
    }

    /// Runs `body` with the store and pipeline services running, then shuts them down gracefully.
    static func withPipeline<T: Sendable>(
        provider: any MarketDataProvider, store: SQLiteStore, configuration: MarketDataPipeline.Configuration = fastConfiguration,
        _ body: @escaping @Sendable (MarketDataPipeline, ServiceGroup) async throws -> T
    ) async throws -> T {
        let pipeline = MarketDataPipeline(
            runs: store, prices: store, providers: SingleProviderCatalog(provider: provider), configuration: configuration, logger: Logger(label: "test"),
            today: { SessionDate("2030-01-01")! }
        )
        // The store is not part of the group: tests keep using it after the pipeline stopped, and close it themselves.
        let group = ServiceGroup(services: [pipeline], gracefulShutdownSignals: [], cancellationSignals: [], logger: Logger(label: "test"))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            tasks.addTask {
                defer { Task { await group.triggerGracefulShutdown() } }
                return try await body(pipeline, group)
            }
            var result: T?
            for try await value in tasks where value != nil { result = value }
            return result!
        }
    }

    static var fastConfiguration: MarketDataPipeline.Configuration {
        var configuration = MarketDataPipeline.Configuration()
        configuration.retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1))
        return configuration
    }
}
