import struct Foundation.Date
import Logging
import Metrics
import MarketData
import PredictionCore
import ServiceLifecycle
import Storage

/// Runs ETL runs (fetch → validate → upsert raw → clean + indicators → store), serialised per instrument.
///
/// Runs are persisted as `pending` before they are queued, so nothing submitted is lost on a crash: at start the
/// pipeline marks runs that were `running` as `failed` ("interrupted", retryable) and queues every `pending` run again.
/// At most `maxConcurrentRuns` run at once and never two of one instrument. On graceful shutdown the pipeline takes no
/// new runs; in-flight runs stop at the next step boundary and are recorded as interrupted; queued runs stay `pending`
/// for the next start.
public actor MarketDataPipeline: Service {
    /// Pipeline settings.
    public struct Configuration: Sendable {
        /// Runs executed at the same time (different instruments). Defaults to `2`.
        public var maxConcurrentRuns: Int = 2
        /// Runs waiting in the queue; more submissions get `queueFull`. Defaults to `10_000`.
        public var maxQueuedRuns: Int = 10_000
        /// Retry policy of transient step failures.
        public var retry = RetryPolicy()
        /// Close-to-close move above which a bar without a split is flagged. Defaults to `0.5` (50 %).
        public var largeMoveThreshold: Double = 0.5
        /// Sessions re-fetched before the last stored session on incremental HTTP runs. Defaults to `30`.
        public var overlapSessions: Int = 30
        /// Issues stored per run report (counts stay exact). Defaults to `10_000`.
        public var maxStoredIssues: Int = 10_000
        /// Buffer of each event subscriber (newest kept). Defaults to `256`.
        public var eventBufferSize: Int = 256
        /// This instance's name, recorded as the owner of the runs it accepts. Defaults to `local`.
        public var instance = "local"
        /// Whether other instances share the store (PostgreSQL): recovery at start then touches only this instance's
        /// runs, and the runs of an instance that stopped sending heartbeats are adopted. Defaults to `false` (SQLite:
        /// every run is this process's).
        public var sharedStore = false
        /// How often this instance records its heartbeat and looks for runs to adopt (shared store). Defaults to 5 s.
        public var heartbeatInterval: Duration = .seconds(5)
        /// How long without a heartbeat before an instance's runs are adopted. Defaults to 30 s.
        public var adoptAfter: Duration = .seconds(30)

        /// The defaults.
        public init() {}
    }

    /// Lifecycle of the pipeline service.
    private enum State {
        case idle
        case running
        case stopping
    }

    nonisolated let logger: Logger
    nonisolated let configuration: Configuration
    private let runs: any ETLRunStore
    private let prices: any PriceStore
    private let providers: any ProviderCatalog
    private let today: @Sendable () -> SessionDate
    private let readiness: ReadinessGate?

    private var state = State.idle
    private var queue: [(id: Int64, instrument: InstrumentKey)] = []
    private var queuedIDs: Set<Int64> = []
    private var activeInstruments: Set<InstrumentKey> = []
    private var executingIDs: Set<Int64> = []
    /// `true` once start-up recovery has queued the stored `pending` runs.
    private var recovered = false
    /// Whether start-up recovery is done (runs stored `pending` before it are this pipeline's to queue until then).
    public var hasRecovered: Bool { self.recovered }
    private var runningCount = 0
    private var finishWaiters: [Int64: [CheckedContinuation<ETLRun, any Error>]] = [:]
    private var subscribers: [Int: AsyncStream<ETLRunEvent>.Continuation] = [:]
    private var nextSubscriberID = 0
    private let wake: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)

    /// Creates the pipeline; no work happens until `run()`.
    public init(
        runs: any ETLRunStore, prices: any PriceStore, providers: any ProviderCatalog, configuration: Configuration = .init(), logger: Logger,
        readiness: ReadinessGate? = nil, today: @escaping @Sendable () -> SessionDate = MarketDataPipeline.defaultToday
    ) {
        self.readiness = readiness
        self.runs = runs
        self.prices = prices
        self.providers = providers
        self.configuration = configuration
        self.logger = logger
        self.today = today
        self.wake = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// UTC date plus one day (so exchanges east of UTC are never "in the future").
    @Sendable public static func defaultToday() -> SessionDate {
        let days = Int32((Date().timeIntervalSince1970 / 86_400).rounded(.down))
        return SessionDate(dayNumber: days + 1)
    }

    // MARK: Service

    /// Waits for the readiness gate (migrations), recovers interrupted runs, then executes queued runs until
    /// graceful shutdown.
    public func run() async throws {
        guard case .idle = self.state else { return }
        try await self.readiness?.wait()
        guard case .idle = self.state else { return }
        self.state = .running
        try await self.recover()
        await withDiscardingTaskGroup { group in
            if self.configuration.sharedStore {
                group.addTask { await self.beatAndAdopt() }
            }
            for await _ in self.wake.stream.cancelOnGracefulShutdown() {
                while let next = self.dequeue() {
                    group.addTask { await self.execute(next.id, instrument: next.instrument) }
                }
            }
            // Graceful shutdown: running runs stop at their next step boundary; the group waits for them.
            self.state = .stopping
        }
        for (_, continuation) in self.subscribers { continuation.finish() }
        self.subscribers.removeAll()
        let waiters = self.finishWaiters
        self.finishWaiters.removeAll()
        for (_, list) in waiters {
            for waiter in list { waiter.resume(throwing: PipelineError(.shuttingDown, "the server is shutting down")) }
        }
    }

    // MARK: Submitting

    /// Records a new `pending` run and queues it. Returns the stored run.
    public func submit(_ instrument: InstrumentKey, source: String, trigger: ETLTrigger, retryOf: Int64? = nil) async throws -> ETLRun {
        guard case .stopping = self.state else {
            guard self.queue.count < self.configuration.maxQueuedRuns else {
                throw PipelineError(.queueFull, "the ETL queue holds \(self.queue.count) runs, its limit; try again later")
            }
            let run = try await self.runs.createRun(NewETLRun(instrument: instrument, source: source, trigger: trigger, retryOf: retryOf, owner: self.configuration.instance))
            self.enqueue(run)
            self.publish(ETLRunEvent(run: run, step: nil))
            return run
        }
        throw PipelineError(.shuttingDown, "the server is shutting down and takes no new ETL runs")
    }

    /// Queues a new run with the same instrument and source as a failed run.
    public func retry(runID: Int64) async throws -> ETLRun {
        guard let failed = try await self.runs.run(id: runID) else {
            throw PipelineError(.runNotFound, "no ETL run with id \(runID)")
        }
        guard failed.status == .failed else {
            throw PipelineError(.notRetryable, "ETL run \(runID) is \(failed.status.rawValue); only failed runs can be retried")
        }
        return try await self.submit(failed.instrument, source: failed.source, trigger: .retry, retryOf: runID)
    }

    /// Waits until run `id` is completed or failed and returns it.
    ///
    /// A run that is queued or executing here (or pending before start-up recovery has queued it) is waited for; one that is not (it finished while the store was read,
    /// or another instance owns it) is read again and returned when finished, else `runNotLocal` is thrown.
    public func waitUntilFinished(_ id: Int64) async throws -> ETLRun {
        guard let run = try await self.runs.run(id: id) else {
            throw PipelineError(.runNotFound, "no ETL run with id \(id)")
        }
        if run.status == .completed || run.status == .failed { return run }
        // No suspension between this check and registering the waiter: `execute` resumes waiters only after it has
        // stored the final state and before it leaves `executingIDs`, so a run seen here is always resumed.
        if self.queuedIDs.contains(id) || self.executingIDs.contains(id) || (!self.recovered && run.status == .pending) {
            return try await withCheckedThrowingContinuation { continuation in
                self.finishWaiters[id, default: []].append(continuation)
            }
        }
        guard let latest = try await self.runs.run(id: id) else { throw PipelineError(.runNotFound, "no ETL run with id \(id)") }
        if latest.status == .completed || latest.status == .failed { return latest }
        throw PipelineError(.runNotLocal, "ETL run \(id) is \(latest.status.rawValue) and not queued on this instance")
    }

    /// A stream of run and step changes, newest `eventBufferSize` kept when the reader is slow. Ends on shutdown.
    public func events() -> AsyncStream<ETLRunEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: ETLRunEvent.self, bufferingPolicy: .bufferingNewest(self.configuration.eventBufferSize)
        )
        let id = self.nextSubscriberID
        self.nextSubscriberID += 1
        self.subscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.removeSubscriber(id) } }
        return stream
    }

    /// Number of runs waiting and running.
    public var load: (queued: Int, running: Int) { (self.queue.count, self.runningCount) }

    // MARK: Internals

    private func removeSubscriber(_ id: Int) {
        self.subscribers[id] = nil
    }

    private func publish(_ event: ETLRunEvent) {
        for (_, continuation) in self.subscribers { continuation.yield(event) }
    }

    /// Shared store: records this instance's heartbeat and adopts the runs of instances that stopped beating (their
    /// running runs are failed "interrupted", as a restart would; their pending runs are queued here), until shutdown.
    private nonisolated func beatAndAdopt() async {
        let (instance, interval, adoptAfter) = (self.configuration.instance, self.configuration.heartbeatInterval, self.configuration.adoptAfter)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let now = Date()
                try await self.runs.recordHeartbeat(instance: instance, at: now)
                let (failed, adopted) = try await self.runs.adoptRuns(
                    instance: instance, staleBefore: now.addingTimeInterval(-adoptAfter.timeInterval),
                    reason: "interrupted: the instance running it stopped; retry it")
                await self.adopted(failed: failed, pending: adopted)
            } catch {
                self.logger.warning("heartbeat or run adoption failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    private func adopted(failed: [ETLRun], pending: [ETLRun]) {
        for run in failed {
            Self.count(run, outcome: "interrupted")
            self.publish(ETLRunEvent(run: run, step: nil))
            self.logger.warning("failed the run of a stopped instance", metadata: ["run": "\(run.id)", "owner": "\(run.owner ?? "-")"])
        }
        for run in pending where !self.queuedIDs.contains(run.id) && !self.executingIDs.contains(run.id) {
            self.logger.notice("adopted a queued run of a stopped instance", metadata: ["run": "\(run.id)"])
            self.enqueue(run)
        }
    }

    private func enqueue(_ run: ETLRun) {
        guard !self.queuedIDs.contains(run.id) else { return }
        self.queuedIDs.insert(run.id)
        self.queue.append((run.id, run.instrument))
        self.wake.continuation.yield()
    }

    private func dequeue() -> (id: Int64, instrument: InstrumentKey)? {
        guard case .running = self.state, self.runningCount < self.configuration.maxConcurrentRuns else { return nil }
        guard let index = self.queue.firstIndex(where: { !self.activeInstruments.contains($0.instrument) }) else { return nil }
        let next = self.queue.remove(at: index)
        self.queuedIDs.remove(next.id)
        self.executingIDs.insert(next.id)
        self.activeInstruments.insert(next.instrument)
        self.runningCount += 1
        return next
    }

    /// Marks runs left `running` by a crash as failed and queues the `pending` ones again (on a shared store only this
    /// instance's own: another instance's runs are its to recover). A failed run that stored
    /// its raw bars but not the clean ones gets a `repair` run that rebuilds them (raw bars without clean bars would
    /// otherwise stay invisible until someone retried by hand); it is queued, not executed inline, so a repair that
    /// itself kills the process is never resumed blindly.
    private func recover() async throws {
        let (shared, instance) = (self.configuration.sharedStore, self.configuration.instance)
        for stale in try await self.runs.runs(matching: ETLRunFilter(status: .running), before: nil, limit: 10_000)
        where !shared || stale.owner == instance {
            var run = stale
            run.status = .failed
            run.error = "interrupted: the server stopped while this run was in progress; retry it"
            run.finishedAt = Date()
            try await self.runs.updateRun(run)
            Self.count(run, outcome: "interrupted")
            self.logger.warning("marked interrupted ETL run as failed", metadata: ["run": "\(run.id)"])
            let steps = try await self.runs.steps(ofRun: run.id)
            let rawStored = steps.contains { $0.name == .upsertRaw && $0.status == .completed }
            let cleanStored = steps.contains { $0.name == .store && $0.status == .completed }
            if rawStored, !cleanStored, run.trigger != .repair {
                let repair = try await self.runs.createRun(
                    NewETLRun(
                        instrument: run.instrument, source: ETLRunExecutor.rebuildSource, trigger: .repair, retryOf: run.id,
                        owner: self.configuration.instance))
                self.logger.notice("queued a repair of the clean bars", metadata: ["run": "\(repair.id)", "interrupted": "\(run.id)"])
            }
        }
        let pending = try await self.runs.runs(matching: ETLRunFilter(status: .pending), before: nil, limit: self.configuration.maxQueuedRuns)
        for run in pending.reversed() where !shared || run.owner == instance { self.enqueue(run) }
        self.recovered = true
    }

    private func execute(_ id: Int64, instrument: InstrumentKey) async {
        defer { self.finished(id, instrument: instrument) }
        do {
            // Starting and finishing are durable: an outage of the store delays them, it does not drop the run.
            let runs = self.runs
            guard
                let run = try await DurableWrite.perform("start of ETL run \(id)", logger: self.logger, {
                    guard var run = try await runs.run(id: id), run.status == .pending else { return ETLRun?.none }
                    run.status = .running
                    run.startedAt = Date()
                    try await runs.updateRun(run)
                    return run
                })
            else { return }
            self.publish(ETLRunEvent(run: run, step: nil))
            let started = run
            let executor = ETLRunExecutor(
                runs: self.runs, prices: self.prices, providers: self.providers, retry: self.configuration.retry,
                largeMoveThreshold: self.configuration.largeMoveThreshold, overlapSessions: self.configuration.overlapSessions,
                maxStoredIssues: self.configuration.maxStoredIssues, logger: self.logger,
                isStopping: { await self.isStopping }, onStep: { step in await self.stepChanged(step, of: started) }, today: self.today
            )
            let done = await executor.execute(run)
            try await DurableWrite.perform("end of ETL run \(id)", logger: self.logger) { try await runs.updateRun(done) }
            Self.count(done, outcome: done.status.rawValue)
            self.logger.info(
                "ETL run finished",
                metadata: ["run": "\(id)", "instrument": "\(instrument)", "status": "\(done.status.rawValue)",
                           "inserted": "\(done.counts.inserted)", "updated": "\(done.counts.updated)", "rejected": "\(done.counts.rejected)"]
            )
            self.publish(ETLRunEvent(run: done, step: nil))
            for waiter in self.finishWaiters.removeValue(forKey: id) ?? [] { waiter.resume(returning: done) }
        } catch {
            self.logger.error("ETL run could not be recorded", metadata: ["run": "\(id)", "error": "\(String(reflecting: error))"])
            for waiter in self.finishWaiters.removeValue(forKey: id) ?? [] { waiter.resume(throwing: error) }
        }
    }

    /// `etl_runs_total{outcome}` and `etl_rows_total{action}`, counted where the run is executed.
    private static func count(_ run: ETLRun, outcome: String) {
        Counter(label: "etl_runs_total", dimensions: [("outcome", outcome)]).increment()
        for (action, rows) in [("inserted", run.counts.inserted), ("updated", run.counts.updated), ("rejected", run.counts.rejected),
                               ("flagged", run.counts.flagged)] where rows > 0 {
            Counter(label: "etl_rows_total", dimensions: [("action", action)]).increment(by: rows)
        }
    }

    private var isStopping: Bool {
        if case .stopping = self.state { return true }
        return false
    }

    private func stepChanged(_ step: ETLStep, of run: ETLRun) {
        self.publish(ETLRunEvent(run: run, step: step))
    }

    private func finished(_ id: Int64, instrument: InstrumentKey) {
        self.executingIDs.remove(id)
        for waiter in self.finishWaiters.removeValue(forKey: id) ?? [] {
            waiter.resume(throwing: PipelineError(.runNotFound, "ETL run \(id) was not executed (it was no longer pending)"))
        }
        self.activeInstruments.remove(instrument)
        self.runningCount -= 1
        self.wake.continuation.yield()
    }
}

/// A change of a run (status) or of one of its steps, for progress displays and live streams.
public struct ETLRunEvent: Sendable, Hashable {
    /// The run as of the event.
    public var run: ETLRun
    /// The step that changed, or `nil` when the run itself changed.
    public var step: ETLStep?
}
