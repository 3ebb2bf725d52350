import Actors
import Foundation
import Logging
import PredictionCore
import ServiceLifecycle
import Storage
import Testing

/// Registry and supervisor on a real SQLite store with the GOOG sample series cleaned into it.
@Suite struct RegistryAndSupervisorTests {
    static let goog = InstrumentKey(ticker: TickerSymbol("GOOG")!, exchange: ExchangeCode("NASDAQ")!)

    /// A store holding GOOG's cleaned bars, a registry and a supervisor, running until `body` returns.
    static func withSupervisor<T: Sendable>(
        maxQueued: Int = 100, _ body: @escaping @Sendable (SQLiteStore, ModelRegistry, TrainingSupervisor, URL) async throws -> T
    ) async throws -> T {
        let (store, dir) = try await PipelineFixtures.store()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await Self.storeGoog(in: store)
        let logger = Logger(label: "test")
        let registry = ModelRegistry(models: store, artifacts: LocalArtifactRepository(root: dir.appendingPathComponent("artifacts")), logger: logger)
        let hub = PredictionHub(predictions: store, prices: store, registry: registry, logger: logger)
        var configuration = TrainingSupervisor.Configuration()
        configuration.maxQueuedTasks = maxQueued
        configuration.progressInterval = .milliseconds(5)
        let supervisor = TrainingSupervisor(tasks: store, prices: store, registry: registry, hub: hub, configuration: configuration, logger: logger)
        let group = ServiceGroup(services: [registry, hub, supervisor], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        let outcome: Result<T, any Error>
        do { outcome = .success(try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            tasks.addTask {
                defer { Task { await group.triggerGracefulShutdown() } }
                return try await body(store, registry, supervisor, dir)
            }
            var result: T?
            for try await value in tasks where value != nil { result = value }
            return result!
        }) } catch { outcome = .failure(error) }
        await store.close()
        return try outcome.get()
    }

    /// Stores the first 600 sessions of the bundled GOOG sample, raw and cleaned.
    static func storeGoog(in store: SQLiteStore) async throws {
        let text = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/App/Resources/SampleData/goog.csv"), encoding: .utf8)
        let bars = text.split(separator: "\n").dropFirst().prefix(600).compactMap { line -> PriceBar? in
            let f = line.split(separator: ",")
            guard f.count == 6, let d = SessionDate(String(f[0])) else { return nil }
            return PriceBar(session: d, open: Double(f[1])!, high: Double(f[2])!, low: Double(f[3])!, close: Double(f[4])!, volume: Int64(f[5])!)
        }
        _ = try await store.upsertRawBars(bars, for: Self.goog, source: "test", runID: 0)
        _ = try await store.upsertCleanBars(BarCleaner.clean(bars: bars, actions: [], flagged: []), for: Self.goog)
    }

    static func newModel(_ type: ModelType, maxHorizon: Int = 5) -> NewModel {
        var parameters = HyperParameters(for: type)
        parameters.maxHorizon = maxHorizon
        parameters.refitEvery = 40
        parameters.nEstimators = 20
        return NewModel(instrument: Self.goog, modelType: type, features: ["MA5", "RSI"], valSize: 0.2, shuffle: false, trainStart: nil, trainEnd: nil, hyperParameters: parameters)
    }

    /// Training stores a content-addressed artifact; a tampered artifact is refused on load.
    @Test func artifactsAreVerifiedOnLoad() async throws {
        try await Self.withSupervisor { _, registry, supervisor, dir in
            let model = try await registry.register(Self.newModel(.linearRegression))
            let task = try await supervisor.submitTraining(modelID: model.id)
            let done = try await supervisor.waitUntilFinished(task.id)
            #expect(done.state == .completed, "\(done.error ?? "")")
            let trained = try await registry.model(model.id)
            let sha = try #require(trained.artifactSHA256)
            let (_, forecaster) = try await registry.forecaster(for: model.id)
            #expect(forecaster.maxHorizon == 5)
            // Tamper with the file: a fresh registry (no cache) must refuse it.
            let file = LocalArtifactRepository(root: dir.appendingPathComponent("artifacts")).url(for: sha)
            var bytes = try Data(contentsOf: file)
            bytes[bytes.count / 2] ^= 0x01
            try bytes.write(to: file)
            let coldStore = try await PipelineFixtures.reopen(dir)
            let cold = ModelRegistry(models: coldStore, artifacts: LocalArtifactRepository(root: dir.appendingPathComponent("artifacts")), logger: Logger(label: "t"))
            await #expect(throws: StorageError.self) { _ = try await cold.forecaster(for: model.id) }
            await coldStore.close()
        }
    }

    /// Promotion is gated, every move is audited, rollback returns to the previous champion, deleting the champion
    /// needs force.
    @Test func aliasesPromoteRollbackAndDelete() async throws {
        try await Self.withSupervisor { store, registry, supervisor, _ in
            var ids: [Int64] = []
            for type in [ModelType.drift, .linearRegression] {
                let model = try await registry.register(Self.newModel(type))
                let task = try await supervisor.submitTraining(modelID: model.id)
                #expect(try await supervisor.waitUntilFinished(task.id).state == .completed)
                ids.append(model.id)
            }
            #expect(try await registry.model(ids[1]).version == 2)
            _ = try await registry.promote(ids[0], actor: "test", force: true)
            _ = try await registry.promote(ids[1], actor: "test", force: true)
            #expect(try await registry.aliases(of: Self.goog) == [.champion: ids[1], .challenger: ids[0]])
            let back = try await registry.rollback(Self.goog, actor: "test")
            #expect(back.toModel == ids[0])
            #expect(back.fromModel == ids[1])
            // Champion and challenger swap: no model holds both aliases.
            #expect(try await registry.aliases(of: Self.goog) == [.champion: ids[0], .challenger: ids[1]])
            let history = try await registry.history(of: ids[0])
            #expect(history.count >= 3, "promote, demote to challenger, rollback")
            #expect(history.allSatisfy { $0.actor == "test" })
            await #expect(throws: RegistryError.self) { _ = try await registry.delete(ids[0], force: false, actor: "test") }
            _ = try await registry.delete(ids[0], force: true, actor: "test")
            #expect(try await registry.aliases(of: Self.goog)[.champion] == nil)
            #expect(try await store.aliasEvents(of: Self.goog, involving: ids[0], limit: 50).contains { $0.reason.contains("deleted") })
        }
    }

    /// Unknown task ids are errors, never "pending"; the queue is bounded; pending tasks can be cancelled.
    @Test func unknownTasksBoundedQueueAndCancellation() async throws {
        try await Self.withSupervisor(maxQueued: 2) { _, registry, supervisor, _ in
            await #expect(throws: RegistryError.self) { _ = try await supervisor.task("no-such-task") }
            let model = try await registry.register(Self.newModel(.xgboost, maxHorizon: 10))
            let other = try await registry.register(Self.newModel(.drift))
            let first = try await supervisor.submitTraining(modelID: model.id)
            let second = try await supervisor.submitTraining(modelID: other.id)
            // cancel the second while it is pending (or running): it ends cancelled, never completed
            let cancelled = try await supervisor.cancel(second.id)
            #expect(cancelled.state == .cancelled || cancelled.state == .running)
            let end = try await supervisor.waitUntilFinished(second.id)
            #expect(end.state == .cancelled)
            _ = try await supervisor.waitUntilFinished(first.id)
            await #expect(throws: RegistryError.self) { _ = try await supervisor.cancel(second.id) }
        }
    }

    /// Issue 9 (7): cancel reaches a running XGBoost fit between boosting rounds, not at the next fold (it took
    /// 73 s). The training below takes well over a minute per fold (10,000 rounds × 20 horizons of depth-8 trees).
    @Test(.timeLimit(.minutes(1))) func cancelStopsATrainingBetweenBoostingRounds() async throws {
        try await Self.withSupervisor { _, registry, supervisor, _ in
            var model = Self.newModel(.xgboost, maxHorizon: 20)
            model.hyperParameters.nEstimators = 10_000
            model.hyperParameters.maxDepth = 8
            model.hyperParameters.refitEvery = 1000
            let registered = try await registry.register(model)
            let task = try await supervisor.submitTraining(modelID: registered.id)
            while try await supervisor.task(task.id).state == .pending { try await Task.sleep(for: .milliseconds(20)) }
            try await Task.sleep(for: .milliseconds(300))  // well inside the first fold's first horizon
            let asked = ContinuousClock.now
            _ = try await supervisor.cancel(task.id)
            let end = try await supervisor.waitUntilFinished(task.id)
            let took = ContinuousClock.now - asked
            #expect(end.state == .cancelled, "\(end)")
            #expect(took < .seconds(10), "cancel took \(took)")
            #expect(try await registry.model(registered.id).status != .training)
        }
    }

    /// The queue is bounded: a supervisor that is not running keeps every task queued, and the submission past the
    /// bound is refused with `queueFull` (HTTP 429) and stores nothing.
    @Test func queueIsBounded() async throws {
        let (store, dir) = try await PipelineFixtures.store()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logger = Logger(label: "t")
        let registry = ModelRegistry(models: store, artifacts: LocalArtifactRepository(root: dir), logger: logger)
        var configuration = TrainingSupervisor.Configuration()
        configuration.maxQueuedTasks = 2
        let supervisor = TrainingSupervisor(tasks: store, prices: store, registry: registry, hub: PredictionHub(predictions: store, prices: store, registry: registry, logger: logger), configuration: configuration, logger: logger)
        for _ in 0..<2 { _ = try await supervisor.submitForecast(.init(instrument: Self.goog, days: 3, modelID: nil)) }
        do {
            _ = try await supervisor.submitForecast(.init(instrument: Self.goog, days: 3, modelID: nil))
            Issue.record("the third submission should be refused")
        } catch let error as RegistryError {
            #expect(error.code == .queueFull)
        }
        #expect(try await store.tasks(state: nil, kind: nil, before: nil, limit: 10).count == 2)
        await store.close()
    }

    /// After a crash, tasks left running are failed with reason "interrupted" and pending ones run.
    @Test func restartMarksRunningTasksInterrupted() async throws {
        let (store, dir) = try await PipelineFixtures.store()
        defer { try? FileManager.default.removeItem(at: dir) }
        let stale = TaskRecord(id: UUID().uuidString.lowercased(), kind: .train, state: .running, progress: 0.4, message: "fold 3", payloadJSON: "{}", createdAt: Date())
        try await store.createTask(stale)
        await store.close()
        let staleID = stale.id
        let reopened = try await PipelineFixtures.reopen(dir)
        let logger = Logger(label: "t")
        let registry = ModelRegistry(models: reopened, artifacts: LocalArtifactRepository(root: dir), logger: logger)
        let supervisor = TrainingSupervisor(tasks: reopened, prices: reopened, registry: registry, hub: PredictionHub(predictions: reopened, prices: reopened, registry: registry, logger: logger), logger: logger)
        let group = ServiceGroup(services: [supervisor], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let task = try await supervisor.waitUntilFinished(staleID)
            #expect(task.state == .failed)
            #expect(task.error?.contains("interrupted") == true)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await reopened.close()
    }
}
