import Foundation
import Logging
import PredictionCore
import ServiceLifecycle
import Storage

/// Starts the daily ETL of every tracked ticker at a configured local time.
///
/// Several instances may share one database; each scheduled day is a slot (`etl-daily:YYYY-MM-DD`) that the store
/// lets exactly one instance claim, so exactly one instance runs the schedule each day. An instance that starts after
/// the scheduled time and finds the day's slot unclaimed runs it (catch-up).
public actor ETLScheduler: Service {
    /// Schedule settings.
    public struct Configuration: Sendable {
        /// Whether the daily run happens at all. Defaults to `true`.
        public var enabled = true
        /// Local time of the daily run, `HH:MM`. Defaults to `18:30` (after the US close).
        public var hour = 18
        /// Minute of the daily run.
        public var minute = 30
        /// Time zone the time is in. Defaults to `America/New_York`.
        public var timeZone = TimeZone(identifier: "America/New_York") ?? .gmt
        /// How often the clock is checked. Defaults to 30 s.
        public var checkInterval: Duration = .seconds(30)

        /// The defaults.
        public init() {}
    }

    nonisolated let logger: Logger
    nonisolated let configuration: Configuration
    private let pipeline: MarketDataPipeline
    private let runs: any ETLRunStore
    private nonisolated let tickers: any TrackedTickerStore
    private let instance: String
    private let now: @Sendable () -> Date
    private let readiness: ReadinessGate?

    /// Creates the scheduler; `instance` names this process in schedule claims.
    public init(
        pipeline: MarketDataPipeline, runs: any ETLRunStore, tickers: any TrackedTickerStore, instance: String, configuration: Configuration, logger: Logger,
        readiness: ReadinessGate? = nil, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.readiness = readiness
        self.pipeline = pipeline
        self.runs = runs
        self.tickers = tickers
        self.instance = instance
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    /// Checks the clock every `checkInterval` until graceful shutdown.
    public func run() async throws {
        guard self.configuration.enabled else {
            try? await gracefulShutdown()
            return
        }
        try await self.readiness?.wait()
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.configuration.checkInterval) }
            } catch {
                return
            }
            do {
                try await self.tick()
            } catch {
                self.logger.error("scheduled ETL failed to start", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }

    /// Starts today's runs when the scheduled time has passed and no instance has claimed today yet.
    /// Returns the runs started (empty when it was not time, or another instance had claimed the day).
    @discardableResult
    public func tick() async throws -> [ETLRun] {
        guard let day = self.dueDay() else { return [] }
        guard try await self.runs.claimScheduleSlot("etl-daily:\(day)", instance: self.instance) else { return [] }
        var started: [ETLRun] = []
        for tracked in try await self.tickers.trackedTickers() {
            started.append(try await self.pipeline.submit(tracked.instrument, source: tracked.source, trigger: .schedule))
        }
        self.logger.info("scheduled ETL started", metadata: ["day": "\(day)", "runs": "\(started.count)"])
        return started
    }

    // MARK: The tracked-ticker list

    /// The tickers the daily run fetches, ordered by ticker then exchange.
    public nonisolated func trackedTickers() async throws -> [TrackedTicker] {
        try await self.tickers.trackedTickers()
    }

    /// Adds a ticker to the daily run, or changes its source; returns the stored entry and whether it is new.
    public nonisolated func track(_ ticker: TrackedTicker) async throws -> (ticker: TrackedTicker, isNew: Bool) {
        let isNew = try await self.tickers.track(ticker)
        let stored = try await self.tickers.trackedTickers().first { $0.instrument == ticker.instrument } ?? ticker
        return (stored, isNew)
    }

    /// Removes a ticker from the daily run (its stored data stays); `false` when it was not tracked.
    public nonisolated func untrack(_ instrument: InstrumentKey) async throws -> Bool {
        try await self.tickers.untrack(instrument)
    }

    /// The local date whose run is due now, or `nil` before the scheduled time.
    private func dueDay() -> SessionDate? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = self.configuration.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: self.now())
        guard let year = parts.year, let month = parts.month, let day = parts.day, let hour = parts.hour, let minute = parts.minute
        else { return nil }
        guard (hour, minute) >= (self.configuration.hour, self.configuration.minute) else { return nil }
        return SessionDate(year: year, month: month, day: day)
    }
}
