import Foundation
import Logging
import Metrics
import PredictionCore
import ServiceLifecycle
import Storage

/// Samples what is not counted where work happens (process CPU, memory and descriptors; data freshness, champion
/// version and model age per ticker) into gauges, and every `publishInterval` publishes the metrics digest on
/// `monitoring_metrics`: the original's keys with real values, computed from the same exposition Prometheus scrapes,
/// plus rates and latency percentiles over the interval. It also hands service levels and freshness to the
/// anomaly detector.
public actor MetricsCollector: Service {
    /// Intervals.
    public struct Configuration: Sendable {
        /// Digest period (`metrics.publish_interval_seconds`). Defaults to 5 s.
        public var publishInterval: Duration = .seconds(5)
        /// Per-ticker gauges are refreshed every this many digests (they need store reads). Defaults to 6 (30 s).
        public var tickerSampleEvery = 6
        public init() {}
    }

    private let tickers: any TrackedTickerStore
    private let prices: any PriceStore
    private let models: any ModelStore
    private let bus: any EventBus
    private let detector: AnomalyDetector?
    private let instance: String
    private let exposition: @Sendable () -> [UInt8]
    private let configuration: Configuration
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let readiness: ReadinessGate?
    private var previous: (samples: MetricSamples, at: ContinuousClock.Instant)?
    private var ticks = 0

    /// - Parameter exposition: renders the process's Prometheus registry (`GET /metrics`).
    public init(
        tickers: any TrackedTickerStore, prices: any PriceStore, models: any ModelStore, bus: any EventBus, detector: AnomalyDetector?, instance: String,
        exposition: @escaping @Sendable () -> [UInt8], configuration: Configuration = .init(), logger: Logger,
        readiness: ReadinessGate? = nil, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.readiness = readiness
        self.tickers = tickers
        self.prices = prices
        self.models = models
        self.bus = bus
        self.detector = detector
        self.instance = instance
        self.exposition = exposition
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    /// Samples and publishes every interval until graceful shutdown.
    public func run() async throws {
        self.sampleProcess()
        try await self.readiness?.wait()
        await self.detector?.refreshActiveGauges()
        while !Task.isShuttingDownGracefully {
            await self.tick()
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.configuration.publishInterval) }
            } catch {
                break
            }
        }
    }

    /// One sampling round (tests call it directly).
    public func tick() async {
        self.sampleProcess()
        if self.ticks % self.configuration.tickerSampleEvery == 0 { await self.sampleTickers() }
        self.ticks += 1
        let digest = self.digest()
        self.bus.publish(BusEvent(MetricsEvent(timestamp: Int(self.now().timeIntervalSince1970), metrics: digest), origin: self.instance))
    }

    private func sampleProcess() {
        let stats = ProcessStats.current()
        Gauge(label: "process_cpu_seconds_total").record(stats.cpuSeconds)
        Gauge(label: "process_resident_memory_bytes").record(stats.residentBytes)
        Gauge(label: "process_open_fds").record(stats.openFileDescriptors)
        Gauge(label: "process_start_time_seconds").record(stats.startTime)
    }

    /// Freshness, champion version and model age per stored ticker; staleness checks for tracked tickers.
    func sampleTickers() async {
        do {
            let now = self.now()
            let tracked = Dictionary(try await self.tickers.trackedTickers().map { ($0.instrument, $0) }, uniquingKeysWith: { a, _ in a })
            let datasets = try await self.prices.datasets()
            for dataset in datasets {
                let ticker = dataset.instrument.ticker.rawValue
                let calendar = TradingCalendars.calendar(for: dataset.instrument.exchange)
                let behind = Self.closedSessions(after: dataset.lastSession, calendar: calendar, now: now)
                Gauge(label: "data_freshness_seconds", dimensions: [("ticker", ticker)]).record(now.timeIntervalSince(Self.close(of: dataset.lastSession)))
                let live = tracked[dataset.instrument].map { AnomalyDetector.isLiveSource($0.source) } ?? false
                Gauge(label: "data_sessions_behind", dimensions: [("ticker", ticker), ("live", String(live))]).record(behind)
                let aliases = try await self.models.aliases(of: dataset.instrument)
                if let id = aliases[.champion], let champion = try await self.models.model(id: id) {
                    Gauge(label: "champion_version", dimensions: [("ticker", ticker)]).record(champion.version)
                    Gauge(label: "model_age_seconds", dimensions: [("ticker", ticker)]).record(champion.trainedAt.map { now.timeIntervalSince($0) } ?? 0)
                } else {
                    Gauge(label: "champion_version", dimensions: [("ticker", ticker)]).record(0)
                    Gauge(label: "model_age_seconds", dimensions: [("ticker", ticker)]).record(0)
                }
                if let tracked = tracked[dataset.instrument] {
                    await self.detector?.checkFreshness(tracked, lastSession: dataset.lastSession, sessionsBehind: behind)
                }
            }
            for (instrument, ticker) in tracked where !datasets.contains(where: { $0.instrument == instrument }) {
                await self.detector?.checkFreshness(ticker, lastSession: nil, sessionsBehind: 0)
            }
        } catch {
            self.logger.warning("ticker metrics could not be sampled", metadata: ["error": "\(error)"])
        }
    }

    /// The digest from the current exposition and, for rates and percentiles, the previous one.
    func digest() -> [String: Double] {
        let samples = MetricSamples(exposition: String(decoding: self.exposition(), as: UTF8.self))
        let at = ContinuousClock.now
        var digest: [String: Double] = [:]
        digest["cpu_usage_seconds_total"] = samples.sum("process_cpu_seconds_total")
        digest["memory_resident_bytes"] = samples.sum("process_resident_memory_bytes")
        digest["open_fds"] = samples.sum("process_open_fds")
        let requests = samples.sum("http_requests_total")
        digest["http_requests_total"] = requests
        digest["http_request_duration_avg"] = Self.ratio(samples.sum("http_request_duration_seconds_sum"), samples.sum("http_request_duration_seconds_count"))
        digest["predict_success_total"] = samples.sum("predictions_total", where: ["outcome": "success"])
        digest["predict_failure_total"] = samples.sum("predictions_total", where: ["outcome": "failure"])
        digest["predict_duration_avg"] = Self.ratio(samples.sum("prediction_duration_seconds_sum"), samples.sum("prediction_duration_seconds_count"))
        digest["websocket_clients"] = samples.sum("websocket_clients")
        digest["websocket_dropped_frames_total"] = samples.sum("websocket_dropped_frames_total")
        digest["tasks_running"] = samples.sum("tasks_running")
        digest["task_queue_depth"] = samples.sum("task_queue_depth")
        digest["kafka_produce_errors_total"] = samples.sum("kafka_produce_errors_total")
        digest["alerts_active"] = samples.sum("alerts_active")
        let serverErrors = samples.sum("http_requests_total", label: "status") { $0.hasPrefix("5") }
        if let previous = self.previous {
            let seconds = max(0.001, (at - previous.at) / .seconds(1))
            let intervalRequests = max(0, requests - previous.samples.sum("http_requests_total"))
            let intervalErrors = max(0, serverErrors - previous.samples.sum("http_requests_total", label: "status") { $0.hasPrefix("5") })
            digest["http_requests_per_second"] = intervalRequests / seconds
            digest["http_errors_per_second"] = intervalErrors / seconds
            let predictions = digest["predict_success_total"]! + digest["predict_failure_total"]!
            let previousPredictions = previous.samples.sum("predictions_total")
            digest["predictions_per_second"] = max(0, predictions - previousPredictions) / seconds
            let current = samples.buckets("http_request_duration_seconds")
            let earlier = previous.samples.buckets("http_request_duration_seconds")
            for (name, q) in [("http_request_duration_p50", 0.5), ("http_request_duration_p95", 0.95), ("http_request_duration_p99", 0.99)] {
                digest[name] = MetricSamples.quantile(q, current: current, previous: earlier) ?? 0
            }
            let p99 = MetricSamples.quantile(0.99, current: current, previous: earlier)
            let detector = self.detector
            Task { await detector?.checkService(requests: intervalRequests, serverErrors: intervalErrors, p99Seconds: p99) }
        } else {
            for name in ["http_requests_per_second", "http_errors_per_second", "predictions_per_second", "http_request_duration_p50",
                         "http_request_duration_p95", "http_request_duration_p99"] {
                digest[name] = 0
            }
        }
        self.previous = (samples, at)
        return digest
    }

    static func ratio(_ numerator: Double, _ denominator: Double) -> Double {
        denominator > 0 ? numerator / denominator : 0
    }

    /// When the session's close happened: 16:00 America/New_York (every exchange we calendar is a US equity market).
    static func close(of session: SessionDate) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/New_York") ?? .gmt
        let components = DateComponents(year: session.year, month: session.month, day: session.day, hour: 16)
        return calendar.date(from: components) ?? Date(timeIntervalSince1970: 0)
    }

    /// Sessions of `calendar` after `last` whose close is in the past.
    static func closedSessions(after last: SessionDate, calendar: any TradingCalendar, now: Date) -> Int {
        var newYork = Calendar(identifier: .gregorian)
        newYork.timeZone = TimeZone(identifier: "America/New_York") ?? .gmt
        let parts = newYork.dateComponents([.year, .month, .day], from: now)
        guard let year = parts.year, let month = parts.month, let day = parts.day,
            let today = SessionDate(year: year, month: month, day: day), today > last
        else { return 0 }
        var count = calendar.sessions(in: last.adding(days: 1)...today).count
        if calendar.isSession(today), now < Self.close(of: today) { count -= 1 }
        return max(0, count)
    }
}
