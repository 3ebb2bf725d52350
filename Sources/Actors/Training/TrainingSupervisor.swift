import Foundation
import Logging
import Metrics
import PredictionCore
import ServiceLifecycle
import Storage

/// Background tasks (replaces Celery + Flower): training of registered models and multi-day forecasts.
///
/// Tasks are persisted `pending` before they are acknowledged; the store is the queue. Every instance whose role
/// includes work claims pending tasks (`TaskStore.claimTask`: each goes to exactly one claimer), holds a lease renewed by
/// a heartbeat, and writes every change fenced on its attempt, so an owner that lost its lease (paused, partitioned)
/// can no longer change the task. A task whose lease expired (its owner died) is claimed again by any instance, up to
/// `maxAttempts`, then failed with the reason. A cancel from any instance sets a flag the owner sees at its next
/// heartbeat. At start, tasks this process cannot be running any more are failed "interrupted": all `running` ones on
/// an exclusive store (SQLite: one process), only this instance's own on a shared one (PostgreSQL). Concurrency and
/// the queue are bounded (`queueFull` beyond). Transitions go through `TaskLifecycle`; the CPU work runs on
/// `ComputeQueue` and checks its `TaskControl` between boosting rounds, horizons and folds (a `StopSignal`), which is
/// how `cancel` and a shutdown stop it within a fraction of a second.
public actor TrainingSupervisor: Service {
    /// Supervisor settings.
    public struct Configuration: Sendable {
        /// Tasks running at once here. Defaults to `1` (training saturates a core; these machines have 2).
        public var maxConcurrentTasks = 1
        /// Tasks waiting in the store; more submissions get `queueFull` (HTTP 429). Defaults to `100`.
        public var maxQueuedTasks = 100
        /// How often running progress is written to the store. Defaults to 250 ms.
        public var progressInterval: Duration = .milliseconds(250)
        /// Whether this instance runs tasks (role `worker`); `false` only queues them. Defaults to `true`.
        public var claimsWork = true
        /// How long a claim holds without a heartbeat; the heartbeat renews it every sixth of it. Defaults to 30 s.
        public var leaseDuration: Duration = .seconds(30)
        /// Claims of one task before it is failed as abandoned (each claim after the first follows a dead owner).
        /// Defaults to `2`.
        public var maxAttempts = 2
        /// How often the store is asked for work other instances queued or abandoned. Defaults to 1 s.
        public var pollInterval: Duration = .seconds(1)
        /// Whether other processes share the store (PostgreSQL). `false` (SQLite): at start every `running` task is
        /// this process's own, left by a crash. Defaults to `false`.
        public var sharedStore = false

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
    /// The tasks running here: their control and the attempt this instance holds.
    private var controls: [String: (control: TaskControl, attempt: Int)] = [:]
    private let wake = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    private let bus: any EventBus
    private nonisolated let instance: String
    /// The instrument of each task seen here, for its events (entries leave when the task ends).
    private var instruments: [String: InstrumentKey] = [:]
    /// Pending tasks in the store at the last count (the queue-depth gauge).
    private var queued = 0

    /// Creates the supervisor over its task records (`tasks`) and the cleaned bars models train on (`prices`); every
    /// task change is published on `task_events` through `bus`; `instance` names this process in claims.
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

    /// Recovers tasks a crash interrupted, then claims and runs tasks until graceful shutdown.
    public func run() async throws {
        guard case .idle = self.state else { return }
        try await self.readiness?.wait()
        self.state = .running
        try await self.recover()
        let (wake, poll) = (self.wake.continuation, self.configuration.pollInterval)
        await withDiscardingTaskGroup { group in
            // Work queued by other instances, and leases that expired, are found by polling the store.
            group.addTask {
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: poll) }
                    wake.yield()
                }
            }
            for await _ in self.wake.stream.cancelOnGracefulShutdown() {
                while let claimed = await self.claimNext() {
                    group.addTask { await self.execute(claimed) }
                }
            }
            self.state = .stopping
            for (_, entry) in self.controls { entry.control.cancel() }
        }
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
    public nonisolated func task(_ id: String) async throws -> TaskRecord {
        guard let task = try await self.store.task(id: id) else { throw RegistryError(.taskNotFound, "no task with id \(id)") }
        return task
    }

    /// Tasks newest first, filtered, created strictly before the task `cursor` when given, at most `limit`.
    public nonisolated func tasks(state: TaskState?, kind: TaskKind?, before cursor: String?, limit: Int) async throws -> [TaskRecord] {
        try await self.store.tasks(state: state, kind: kind, before: cursor, limit: limit)
    }

    /// Cancels a task: a pending one at once; a running one at its next fold (here) or at its owner's next heartbeat
    /// (on another instance); its state says `running` with a "cancelling" message until then. Final tasks are a
    /// conflict.
    public func cancel(_ id: String) async throws -> TaskRecord {
        var lifecycle = TaskLifecycle(try await self.task(id))
        if lifecycle.record.state == .running, let entry = self.controls[id] {
            if entry.control.isCancelled { return lifecycle.record }
            guard lifecycle.record.attempt == entry.attempt, case .success = lifecycle.apply(.requestCancel) else { return lifecycle.record }
            entry.control.cancel()
            try? await self.save(lifecycle.record)
            return lifecycle.record
        }
        if lifecycle.record.state == .running {
            return try await self.cancelElsewhere(lifecycle.record)
        }
        switch lifecycle.apply(.requestCancel) {
        case .failure(let rejection): throw RegistryError(.conflict, rejection.description)
        case .success:
            do {
                try await self.save(lifecycle.record)
            } catch let error as StorageError where error.code == .superseded {
                // Claimed between the read and the write: it runs now, so its owner must stop it.
                return try await self.cancelElsewhere(try await self.task(id))
            }
            Self.countFinished(lifecycle.record, outcome: "cancelled")
            await self.updateQueueGauge()
            return lifecycle.record
        }
    }

    private func cancelElsewhere(_ record: TaskRecord) async throws -> TaskRecord {
        guard try await self.store.requestTaskCancel(id: record.id) else {
            let latest = try await self.task(record.id)
            throw RegistryError(.conflict, "task \(record.id) is already \(latest.state.rawValue)")
        }
        var asked = record
        asked.cancelRequested = true
        asked.message = "cancelling: stops at its owner's next heartbeat"
        return asked
    }

    /// Deletes the record of a task that has ended; a pending or running task is a conflict (cancel it first).
    public nonisolated func delete(_ id: String) async throws {
        if try await self.store.deleteFinishedTask(id: id) { return }
        let task = try await self.task(id)
        throw RegistryError(.conflict, "task \(id) is \(task.state.rawValue); cancel it first (POST /api/tasks/\(id)/cancel), then delete it")
    }

    /// Waits until task `id` has ended, wherever it runs, and returns it (tests and the CLI).
    public nonisolated func waitUntilFinished(_ id: String, poll: Duration = .milliseconds(50)) async throws -> TaskRecord {
        while true {
            let task = try await self.task(id)
            if task.state.isFinal { return task }
            try await Task.sleep(for: poll)
        }
    }

    /// Tasks running here.
    public var load: (queued: Int, running: Int) { (self.queued, self.controls.count) }

    // MARK: Internals

    private func submit(kind: TaskKind, payload: String, modelID: Int64?) async throws -> TaskRecord {
        guard self.state != .stopping else { throw RegistryError(.shuttingDown, "the server is shutting down and takes no new tasks") }
        let limit = self.configuration.maxQueuedTasks
        let waiting = try await self.store.taskCount(state: .pending)
        guard waiting < limit else {
            throw RegistryError(.queueFull, "the task queue holds \(waiting) tasks, its limit; try again later")
        }
        let task = TaskRecord(id: UUID().uuidString.lowercased(), kind: kind, state: .pending, message: "queued", payloadJSON: payload, modelID: modelID, createdAt: Date())
        try await self.store.createTask(task)
        await self.publish(task)
        self.queued = waiting + 1
        Gauge(label: "task_queue_depth").record(self.queued)
        self.wake.continuation.yield()
        return task
    }

    /// Claims the next task when this instance runs tasks and has a free slot; `nil` otherwise or when none waits.
    private func claimNext() async -> TaskRecord? {
        guard case .running = self.state, self.configuration.claimsWork, self.controls.count < self.configuration.maxConcurrentTasks
        else { return nil }
        let now = Date()
        do {
            for abandoned in try await self.store.failAbandonedTasks(
                now: now, maxAttempts: self.configuration.maxAttempts, reason: Self.abandonedReason(self.configuration.maxAttempts))
            {
                self.logger.warning("task abandoned by its owners", metadata: ["task": "\(abandoned.id)", "attempts": "\(abandoned.attempt)"])
                await self.publish(abandoned)
                Self.countFinished(abandoned, outcome: "failed")
                if abandoned.kind == .train, let modelID = abandoned.modelID { try? await self.registry.failTraining(modelID, error: abandoned.error ?? "abandoned") }
            }
            guard
                let claimed = try await self.store.claimTask(
                    instance: self.instance, now: now, leaseUntil: now + self.configuration.leaseDuration.timeInterval,
                    maxAttempts: self.configuration.maxAttempts)
            else {
                await self.updateQueueGauge()
                return nil
            }
            guard case .running = self.state else { return nil }
            let control = TaskControl()
            // A cancel asked while its previous owner was dying is honoured at once.
            if claimed.cancelRequested { control.cancel() }
            self.controls[claimed.id] = (control, claimed.attempt)
            if claimed.attempt > 1 {
                self.logger.notice("reclaimed a task whose owner stopped renewing its lease", metadata: ["task": "\(claimed.id)", "attempt": "\(claimed.attempt)"])
            }
            Gauge(label: "tasks_running").record(self.controls.count)
            await self.publish(claimed)
            return claimed
        } catch {
            self.logger.warning("could not claim tasks", metadata: ["error": "\(error)"])
            return nil
        }
    }

    static func abandonedReason(_ attempts: Int) -> String {
        "abandoned: its worker stopped (crash or lost connection) on each of \(attempts) attempt\(attempts == 1 ? "" : "s"); submit it again"
    }

    private func recover() async throws {
        let running = try await self.store.tasks(state: .running, kind: nil, before: nil, limit: 10_000)
        for task in running where !self.configuration.sharedStore || task.owner == self.instance {
            var lifecycle = TaskLifecycle(task)
            if case .success = lifecycle.apply(.interrupted) {
                do {
                    try await self.save(lifecycle.record)
                } catch let error as StorageError where error.code == .superseded {
                    continue
                }
                Self.countFinished(lifecycle.record, outcome: "interrupted")
                if task.kind == .train, let modelID = task.modelID { try await self.registry.failTraining(modelID, error: "interrupted") }
                self.logger.warning("marked interrupted task as failed", metadata: ["task": "\(task.id)"])
            }
        }
        self.wake.continuation.yield()
    }

    private func execute(_ started: TaskRecord) async {
        let id = started.id
        let attempt = started.attempt
        let control = self.controls[id]?.control ?? TaskControl()
        let outcome: TaskLifecycle.Event
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
                            await self.progress(id, attempt: attempt, snapshot.fraction, snapshot.message)
                        }
                    }
                    return nil
                }
                group.addTask {
                    // Heartbeat: renews the lease, and carries cancels asked on other instances.
                    try await self.heartbeat(id, attempt: attempt, control: control)
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
            outcome = .complete(resultJSON: result ?? "{}", message: "completed")
        } catch where control.isSuperseded {
            outcome = .stopped
        } catch where self.state == .stopping {
            // Stopped by a graceful shutdown, not by its user: say so, as a crash's recovery would.
            outcome = .fail("interrupted: the server shut down while this task ran; submit it again")
        } catch let error as ForecastError where error.code == .cancelled || control.isCancelled {
            outcome = control.isCancelled ? .stopped : .fail(error.message)
        } catch {
            outcome = control.isCancelled ? .stopped : .fail(Self.describe(error))
        }
        guard !control.isSuperseded else {
            self.logger.warning("task was reclaimed by another instance; its result here is dropped", metadata: ["task": "\(id)", "attempt": "\(attempt)"])
            return self.finish(id, nil)
        }
        do {
            // The model's state first: a client that sees the task ended never sees its model still "training".
            if started.kind == .train, let modelID = started.modelID, !outcome.isCompletion {
                let registry = self.registry
                let (reason, fence) = (outcome.failureReason, self.fence(id, attempt: attempt))
                try await DurableWrite.perform("model \(modelID) training state", logger: self.logger) {
                    try await registry.failTraining(modelID, error: reason, fence: fence)
                }
            }
            let store = self.store
            let instance = self.instance
            let ended = try await DurableWrite.perform("end of task \(id)", logger: self.logger) {
                guard let record = try await store.task(id: id) else { throw RegistryError(.taskNotFound, "task \(id) disappeared") }
                guard record.attempt == attempt, record.owner == instance else { throw StorageError(.superseded, "task \(id) was reclaimed") }
                var lifecycle = TaskLifecycle(record)
                _ = lifecycle.apply(outcome)
                try await store.updateTask(lifecycle.record)
                return lifecycle
            }
            await self.publish(ended.record)
            self.logger.info("task finished", metadata: ["task": "\(id)", "kind": "\(ended.record.kind.rawValue)", "state": "\(ended.record.state.rawValue)"])
            self.finish(id, ended.record)
        } catch let error as StorageError where error.code == .superseded {
            self.logger.warning("task was reclaimed by another instance; its result here is dropped", metadata: ["task": "\(id)", "attempt": "\(attempt)"])
            self.finish(id, nil)
        } catch {
            self.logger.error("task result could not be stored", metadata: ["task": "\(id)", "error": "\(error)"])
            self.finish(id, nil)
        }
    }

    /// Renews the lease every sixth of its duration until cancelled. A cancel asked elsewhere stops the work; a lease
    /// found lost (reclaimed) stops it and fences off every further write. A failed renewal (database outage) is
    /// retried at the next beat: the lease may then expire and the task move to another instance, which fences this one.
    private nonisolated func heartbeat(_ id: String, attempt: Int, control: TaskControl) async throws {
        let lease = self.configuration.leaseDuration
        while !Task.isCancelled {
            try await Task.sleep(for: lease / 6)
            let renewed: Bool?
            do {
                renewed = try await self.store.renewTaskLease(id: id, instance: self.instance, attempt: attempt, until: Date() + lease.timeInterval)
            } catch {
                self.logger.warning("task lease not renewed", metadata: ["task": "\(id)", "error": "\(error)"])
                continue
            }
            switch renewed {
            case .none: control.supersede()
            case .some(true): control.cancel()
            case .some(false): break
            }
        }
    }

    /// What a write on behalf of attempt `attempt` of task `id` run here is fenced on.
    func fence(_ id: String, attempt: Int) -> TaskFence {
        TaskFence(taskID: id, attempt: attempt, instance: self.instance)
    }

    /// Checks that this instance still holds attempt `attempt` of task `id` (renewing its lease), before a result is
    /// registered elsewhere; throws `.superseded` when it does not.
    func ensureLeaseHeld(_ id: String, attempt: Int) async throws {
        let renewed = try await self.store.renewTaskLease(
            id: id, instance: self.instance, attempt: attempt, until: Date() + self.configuration.leaseDuration.timeInterval)
        guard renewed != nil else { throw StorageError(.superseded, "task \(id) was reclaimed by another instance") }
    }

    /// Collaborators for the work extension.
    var registryForWork: ModelRegistry { self.registry }
    var pricesForWork: any PriceStore { self.prices }
    var hubForWork: PredictionHub { self.hub }

    /// Persists a partial result (forecast points so far) of the attempt this instance holds.
    func partial(_ id: String, attempt: Int, json: String, fraction: Double, message: String) async {
        guard var lifecycle = await self.ownLifecycle(id, attempt: attempt) else { return }
        if case .success = lifecycle.apply(.partial(resultJSON: json, fraction: fraction, message: message)) {
            try? await self.save(lifecycle.record)
        }
    }

    private func progress(_ id: String, attempt: Int, _ fraction: Double, _ message: String) async {
        guard var lifecycle = await self.ownLifecycle(id, attempt: attempt) else { return }
        if case .success = lifecycle.apply(.progress(fraction, message: message)) {
            try? await self.save(lifecycle.record)
        }
    }

    /// The stored task when this instance still holds attempt `attempt` of it.
    private func ownLifecycle(_ id: String, attempt: Int) async -> TaskLifecycle? {
        guard let record = try? await self.store.task(id: id), record.attempt == attempt, record.owner == self.instance else { return nil }
        return TaskLifecycle(record)
    }

    private func finish(_ id: String, _ record: TaskRecord?) {
        self.controls[id] = nil
        self.instruments[id] = nil
        Gauge(label: "tasks_running").record(self.controls.count)
        if let record, record.state.isFinal { Self.countFinished(record, outcome: record.state.rawValue) }
        self.wake.continuation.yield()
    }

    /// Counts the pending tasks for the queue-depth gauge.
    private func updateQueueGauge() async {
        guard let pending = try? await self.store.taskCount(state: .pending) else { return }
        self.queued = pending
        Gauge(label: "task_queue_depth").record(self.queued)
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
