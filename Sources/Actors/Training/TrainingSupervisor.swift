import Foundation
import Logging
import Metrics
import PredictionCore
import ServiceLifecycle
import Storage

/// Background tasks (replaces Celery + Flower): training of registered models and multi-day forecasts.
///
/// Tasks are persisted before they are queued, so they survive restarts; at start, tasks left `running` by a crash
/// become `failed` ("interrupted") and `pending` tasks are queued again. Concurrency and the queue are bounded
/// (`queueFull` beyond). Transitions go through `TaskLifecycle`; the CPU work runs on `ComputeQueue` and checks its
/// `TaskControl` between boosting rounds, horizons and folds (a `StopSignal`), which is how `cancel` and a shutdown
/// stop it within a fraction of a second.
public actor TrainingSupervisor: Service {
    /// Supervisor settings.
    public struct Configuration: Sendable {
        /// Tasks running at once. Defaults to `1` (training saturates a core; these machines have 2).
        public var maxConcurrentTasks = 1
        /// Tasks waiting; more submissions get `queueFull` (HTTP 429). Defaults to `100`.
        public var maxQueuedTasks = 100
        /// How often running progress is written to the store. Defaults to 250 ms.
        public var progressInterval: Duration = .milliseconds(250)

        /// The defaults.
        public init() {}
    }

    /// A multi-day forecast request.
    public struct ForecastRequest: Codable, Sendable {
        public var ticker: String
        public var exchange: String
        public var days: Int
        public var modelID: Int64?

        public init(instrument: InstrumentKey, days: Int, modelID: Int64?) {
            self.ticker = instrument.ticker.rawValue
            self.exchange = instrument.exchange.rawValue
            self.days = days
            self.modelID = modelID
        }

        enum CodingKeys: String, CodingKey {
            case ticker, exchange, days
            case modelID = "model_id"
        }
    }

    private enum State { case idle, running, stopping }

    nonisolated let logger: Logger
    nonisolated let configuration: Configuration
    private nonisolated let store: any TaskStore
    private let prices: any PriceStore
    private let registry: ModelRegistry
    private let hub: PredictionHub
    private let readiness: ReadinessGate?
    private var state = State.idle
    private var queue: [String] = []
    private var controls: [String: TaskControl] = [:]
    private var running = 0
    private var waiters: [String: [CheckedContinuation<TaskRecord, any Error>]] = [:]
    private let wake = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    private let bus: any EventBus
    private let instance: String
    /// The instrument of each queued or running task, for its events (entries leave when the task ends).
    private var instruments: [String: InstrumentKey] = [:]

    /// Creates the supervisor over its task records (`tasks`) and the cleaned bars models train on (`prices`); every
    /// task change is published on `task_events` through `bus`.
    public init(
        tasks: any TaskStore, prices: any PriceStore, registry: ModelRegistry, hub: PredictionHub, bus: any EventBus = InProcessEventBus(),
        instance: String = "local", configuration: Configuration = .init(), logger: Logger, readiness: ReadinessGate? = nil
    ) {
        self.store = tasks
        self.prices = prices
        self.bus = bus
        self.instance = instance
        self.registry = registry
        self.hub = hub
        self.configuration = configuration
        self.logger = logger
        self.readiness = readiness
    }

    // MARK: Service

    /// Recovers tasks a crash interrupted, then runs queued tasks until graceful shutdown.
    public func run() async throws {
        guard case .idle = self.state else { return }
        try await self.readiness?.wait()
        self.state = .running
        try await self.recover()
        await withDiscardingTaskGroup { group in
            for await _ in self.wake.stream.cancelOnGracefulShutdown() {
                while let next = self.dequeue() {
                    group.addTask { await self.execute(next) }
                }
            }
            self.state = .stopping
            for (_, control) in self.controls { control.cancel() }
        }
        for (_, list) in self.waiters {
            for waiter in list { waiter.resume(throwing: RegistryError(.shuttingDown, "the server is shutting down")) }
        }
        self.waiters.removeAll()
    }

    // MARK: API

    /// Queues the training of a registered model.
    public func submitTraining(modelID: Int64) async throws -> TaskRecord {
        let model = try await self.registry.model(modelID)
        guard model.status != .training else { throw RegistryError(.conflict, "model \(modelID) is already training") }
        return try await self.submit(kind: .train, payload: "{\"model_id\":\(modelID)}", modelID: modelID)
    }

    /// Queues a multi-day forecast.
    public func submitForecast(_ request: ForecastRequest) async throws -> TaskRecord {
        let payload = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        return try await self.submit(kind: .forecast, payload: payload, modelID: request.modelID)
    }

    /// A task; `taskNotFound` for an unknown id (never "pending").
    public func task(_ id: String) async throws -> TaskRecord {
        guard let task = try await self.store.task(id: id) else { throw RegistryError(.taskNotFound, "no task with id \(id)") }
        return task
    }

    /// Tasks newest first, filtered, created strictly before the task `cursor` when given, at most `limit`.
    public nonisolated func tasks(state: TaskState?, kind: TaskKind?, before cursor: String?, limit: Int) async throws -> [TaskRecord] {
        try await self.store.tasks(state: state, kind: kind, before: cursor, limit: limit)
    }

    /// Cancels a task: a pending one at once, a running one at its next fold (its state says `running` with a
    /// "cancelling" message until then). Final tasks are a conflict.
    public func cancel(_ id: String) async throws -> TaskRecord {
        var lifecycle = TaskLifecycle(try await self.task(id))
        if lifecycle.record.state == .running, self.controls[id]?.isCancelled == true {
            return lifecycle.record
        }
        switch lifecycle.apply(.requestCancel) {
        case .failure(let rejection): throw RegistryError(.conflict, rejection.description)
        case .success(let action):
            try await self.save(lifecycle.record)
            if action == .persistAndSignalCancel { self.controls[id]?.cancel() }
            if lifecycle.record.state == .cancelled {
                self.queue.removeAll { $0 == id }
                Self.countFinished(lifecycle.record, outcome: "cancelled")
                self.updateLoadGauges()
                self.resumeWaiters(lifecycle.record)
            }
            return lifecycle.record
        }
    }

    /// Deletes the record of a task that has ended; a pending or running task is a conflict (cancel it first).
    public func delete(_ id: String) async throws {
        if try await self.store.deleteFinishedTask(id: id) { return }
        let task = try await self.task(id)
        throw RegistryError(.conflict, "task \(id) is \(task.state.rawValue); cancel it first (POST /api/tasks/\(id)/cancel), then delete it")
    }

    /// Waits until task `id` has ended and returns it (tests and the CLI).
    public func waitUntilFinished(_ id: String) async throws -> TaskRecord {
        let task = try await self.task(id)
        if task.state.isFinal { return task }
        if self.queue.contains(id) || self.controls[id] != nil || self.state == .idle {
            return try await withCheckedThrowingContinuation { self.waiters[id, default: []].append($0) }
        }
        let latest = try await self.task(id)
        guard latest.state.isFinal else { throw RegistryError(.conflict, "task \(id) is \(latest.state.rawValue) on another instance") }
        return latest
    }

    /// Tasks queued and running here.
    public var load: (queued: Int, running: Int) { (self.queue.count, self.running) }

    // MARK: Internals

    private func submit(kind: TaskKind, payload: String, modelID: Int64?) async throws -> TaskRecord {
        guard self.state != .stopping else { throw RegistryError(.shuttingDown, "the server is shutting down and takes no new tasks") }
        guard self.queue.count < self.configuration.maxQueuedTasks else {
            throw RegistryError(.queueFull, "the task queue holds \(self.queue.count) tasks, its limit; try again later")
        }
        let task = TaskRecord(id: UUID().uuidString.lowercased(), kind: kind, state: .pending, message: "queued", payloadJSON: payload, modelID: modelID, createdAt: Date())
        try await self.store.createTask(task)
        self.queue.append(task.id)
        await self.publish(task)
        self.updateLoadGauges()
        self.wake.continuation.yield()
        return task
    }

    private func dequeue() -> String? {
        guard case .running = self.state, self.running < self.configuration.maxConcurrentTasks, !self.queue.isEmpty else { return nil }
        self.running += 1
        let id = self.queue.removeFirst()
        self.controls[id] = TaskControl()
        self.updateLoadGauges()
        return id
    }

    private func recover() async throws {
        for task in try await self.store.tasks(state: .running, kind: nil, before: nil, limit: 10_000) {
            var lifecycle = TaskLifecycle(task)
            if case .success = lifecycle.apply(.interrupted) {
                try await self.save(lifecycle.record)
                Self.countFinished(lifecycle.record, outcome: "interrupted")
                self.resumeWaiters(lifecycle.record)
                if task.kind == .train, let modelID = task.modelID { try await self.registry.failTraining(modelID, error: "interrupted") }
                self.logger.warning("marked interrupted task as failed", metadata: ["task": "\(task.id)"])
            }
        }
        let pending = try await self.store.tasks(state: .pending, kind: nil, before: nil, limit: self.configuration.maxQueuedTasks)
        for task in pending.reversed() where !self.queue.contains(task.id) { self.queue.append(task.id) }
        self.wake.continuation.yield()
    }

    private func execute(_ id: String) async {
        let control = self.controls[id] ?? TaskControl()
        var lifecycle: TaskLifecycle
        do {
            // Durable: an outage of the store delays the start; the task is never dropped while it is pending.
            let store = self.store
            guard
                let started = try await DurableWrite.perform("start of task \(id)", logger: self.logger, {
                    guard let record = try await store.task(id: id) else { return TaskLifecycle?.none }
                    var lifecycle = TaskLifecycle(record)
                    guard case .success = lifecycle.apply(.start) else { return TaskLifecycle?.none }
                    try await store.updateTask(lifecycle.record)
                    return lifecycle
                })
            else { return self.finish(id, nil) }
            lifecycle = started
            await self.publish(lifecycle.record)
        } catch {
            self.logger.error("task could not start", metadata: ["task": "\(id)", "error": "\(error)"])
            return self.finish(id, nil)
        }
        let outcome: TaskLifecycle.Event
        let started = lifecycle.record
        do {
            let result = try await withThrowingTaskGroup(of: String?.self) { group in
                group.addTask { try await self.perform(started, control: control) }
                group.addTask {
                    // Progress writer: persists what the work reports, while it runs.
                    var seen = 0
                    while !Task.isCancelled {
                        try await Task.sleep(for: self.configuration.progressInterval)
                        let snapshot = control.snapshot
                        if snapshot.version != seen {
                            seen = snapshot.version
                            await self.progress(id, snapshot.fraction, snapshot.message)
                        }
                    }
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
            outcome = .complete(resultJSON: result ?? "{}", message: "completed")
        } catch where self.state == .stopping {
            // Stopped by a graceful shutdown, not by its user: say so, as a crash's recovery would.
            outcome = .fail("interrupted: the server shut down while this task ran; submit it again")
        } catch let error as ForecastError where error.code == .cancelled || control.isCancelled {
            outcome = control.isCancelled ? .stopped : .fail(error.message)
        } catch {
            outcome = control.isCancelled ? .stopped : .fail(Self.describe(error))
        }
        do {
            let store = self.store
            lifecycle = try await DurableWrite.perform("end of task \(id)", logger: self.logger) {
                guard let record = try await store.task(id: id) else { throw RegistryError(.taskNotFound, "task \(id) disappeared") }
                var lifecycle = TaskLifecycle(record)
                _ = lifecycle.apply(outcome)
                try await store.updateTask(lifecycle.record)
                return lifecycle
            }
            await self.publish(lifecycle.record)
            if lifecycle.record.kind == .train, let modelID = lifecycle.record.modelID, lifecycle.record.state != .completed {
                let registry = self.registry
                let reason = lifecycle.record.error ?? lifecycle.record.state.rawValue
                try await DurableWrite.perform("model \(modelID) training state", logger: self.logger) {
                    try await registry.failTraining(modelID, error: reason)
                }
            }
            self.logger.info("task finished", metadata: ["task": "\(id)", "kind": "\(lifecycle.record.kind.rawValue)", "state": "\(lifecycle.record.state.rawValue)"])
            self.finish(id, lifecycle.record)
        } catch {
            self.logger.error("task result could not be stored", metadata: ["task": "\(id)", "error": "\(error)"])
            self.finish(id, nil)
        }
    }

    /// Collaborators for the work extension.
    var registryForWork: ModelRegistry { self.registry }
    var pricesForWork: any PriceStore { self.prices }
    var hubForWork: PredictionHub { self.hub }

    /// Persists a partial result (forecast points so far).
    func partial(_ id: String, json: String, fraction: Double, message: String) async {
        guard var lifecycle = try? await self.store.task(id: id).map(TaskLifecycle.init) else { return }
        if case .success = lifecycle.apply(.partial(resultJSON: json, fraction: fraction, message: message)) {
            try? await self.save(lifecycle.record)
        }
    }

    private func progress(_ id: String, _ fraction: Double, _ message: String) async {
        guard var lifecycle = try? await self.store.task(id: id).map(TaskLifecycle.init) else { return }
        if case .success = lifecycle.apply(.progress(fraction, message: message)) {
            try? await self.save(lifecycle.record)
        }
    }

    private func finish(_ id: String, _ record: TaskRecord?) {
        self.controls[id] = nil
        self.instruments[id] = nil
        self.running -= 1
        self.updateLoadGauges()
        if let record, record.state.isFinal { Self.countFinished(record, outcome: record.state.rawValue) }
        if let record { self.resumeWaiters(record) }
        self.wake.continuation.yield()
    }

    private func resumeWaiters(_ record: TaskRecord) {
        for waiter in self.waiters.removeValue(forKey: record.id) ?? [] { waiter.resume(returning: record) }
    }

    /// Persists a task change and publishes it.
    private func save(_ record: TaskRecord) async throws {
        try await self.store.updateTask(record)
        await self.publish(record)
    }

    private func publish(_ record: TaskRecord) async {
        let instrument = await self.instrument(of: record)
        self.bus.publish(BusEvent(TaskEvent(record, instrument: instrument), origin: self.instance))
        if record.state.isFinal { self.instruments[record.id] = nil }
    }

    private func instrument(of record: TaskRecord) async -> InstrumentKey? {
        if let known = self.instruments[record.id] { return known }
        var found: InstrumentKey?
        switch record.kind {
        case .forecast:
            if let request = try? JSONDecoder().decode(ForecastRequest.self, from: Data(record.payloadJSON.utf8)),
                let ticker = TickerSymbol(request.ticker), let exchange = ExchangeCode(request.exchange)
            {
                found = InstrumentKey(ticker: ticker, exchange: exchange)
            }
        case .train:
            if let id = record.modelID { found = try? await self.registry.model(id).instrument }
        }
        if !record.state.isFinal { self.instruments[record.id] = found }
        return found
    }

    private func updateLoadGauges() {
        Gauge(label: "task_queue_depth").record(self.queue.count)
        Gauge(label: "tasks_running").record(self.running)
    }

    /// `training_tasks_total{kind, outcome}` and `training_task_duration_seconds{kind}`, counted where tasks run.
    private static func countFinished(_ record: TaskRecord, outcome: String) {
        Counter(label: "training_tasks_total", dimensions: [("kind", record.kind.rawValue), ("outcome", outcome)]).increment()
        if let started = record.startedAt, let finished = record.finishedAt {
            Timer(label: "training_task_duration_seconds", dimensions: [("kind", record.kind.rawValue)])
                .recordNanoseconds(Int64(max(0, finished.timeIntervalSince(started)) * 1e9))
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as RegistryError: error.message
        case let error as ForecastError: error.message
        case let error as StorageError: error.message
        default: String(describing: error)
        }
    }
}
