import Actors
import Foundation
import Logging
import PredictionCore
import ServiceLifecycle
import Storage
import Testing

/// Several supervisors on one store, as several instances on one PostgreSQL: work is claimed (each task runs once),
/// leases expire into reclaims (then into "abandoned"), cancels cross instances, and an owner that lost its lease
/// writes nothing. (That each claim goes to one claimer under real concurrency is the store contract's, on both backends.)
@Suite struct ClaimedWorkTests {
    struct Instance: Sendable {
        let name: String
        let supervisor: TrainingSupervisor
        let group: ServiceGroup
    }

    /// Runs `body` with one shared store holding GOOG, one registry, and a supervisor per entry of `instances`
    /// (name, whether it runs tasks), all with short leases.
    static func withInstances<T: Sendable>(
        _ instances: [(String, Bool)], lease: Duration = .seconds(6),
        _ body: @escaping @Sendable (SQLiteStore, ModelRegistry, [Instance]) async throws -> T
    ) async throws -> T {
        let (store, dir) = try await PipelineFixtures.store()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await RegistryAndSupervisorTests.storeGoog(in: store)
        let logger = Logger(label: "test")
        let registry = ModelRegistry(models: store, artifacts: LocalArtifactRepository(root: dir.appendingPathComponent("artifacts")), logger: logger)
        let hub = PredictionHub(predictions: store, prices: store, registry: registry, logger: logger)
        let running = instances.map { name, works in
            var configuration = TrainingSupervisor.Configuration()
            configuration.claimsWork = works
            configuration.sharedStore = true
            configuration.leaseDuration = lease
            configuration.pollInterval = .milliseconds(50)
            configuration.progressInterval = .milliseconds(20)
            let supervisor = TrainingSupervisor(
                tasks: store, prices: store, registry: registry, hub: hub, instance: name, configuration: configuration, logger: logger)
            return Instance(
                name: name, supervisor: supervisor,
                group: ServiceGroup(services: [supervisor], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger))
        }
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await withThrowingTaskGroup(of: T?.self) { tasks in
                for instance in running { tasks.addTask { try await instance.group.run(); return nil } }
                tasks.addTask {
                    defer { Task { for instance in running { await instance.group.triggerGracefulShutdown() } } }
                    return try await body(store, registry, running)
                }
                var result: T?
                for try await value in tasks where value != nil { result = value }
                return result!
            })
        } catch { outcome = .failure(error) }
        await store.close()
        return try outcome.get()
    }

    static func slowModel(_ registry: ModelRegistry) async throws -> ModelRecord {
        var model = RegistryAndSupervisorTests.newModel(.xgboost, maxHorizon: 20)
        model.hyperParameters.nEstimators = 10_000
        model.hyperParameters.maxDepth = 8
        model.hyperParameters.refitEvery = 1000
        return try await registry.register(model)
    }

    /// Tasks queued on an instance that runs none are each run exactly once by the two workers.
    @Test(.timeLimit(.minutes(2))) func queuedTasksRunOnceEachOnTheWorkers() async throws {
        try await Self.withInstances([("api", false), ("w1", true), ("w2", true)]) { store, registry, instances in
            var ids: [String] = []
            for _ in 0..<8 {
                let model = try await registry.register(RegistryAndSupervisorTests.newModel(.drift))
                ids.append(try await instances[0].supervisor.submitTraining(modelID: model.id).id)
            }
            for id in ids {
                let done = try await instances[0].supervisor.waitUntilFinished(id)
                #expect(done.state == .completed, "\(done.error ?? "")")
                #expect(done.attempt == 1, "task \(id) ran \(done.attempt) times")
                #expect(done.owner == "w1" || done.owner == "w2", "owner \(done.owner ?? "none")")
            }
            #expect(Set(try await store.tasks(state: .completed, kind: nil, before: nil, limit: 20).compactMap(\.owner)).isSubset(of: ["w1", "w2"]))
        }
    }

    /// A task whose owner died (its lease ran out) is run again by another instance; after the last attempt it fails
    /// as abandoned instead.
    @Test(.timeLimit(.minutes(2))) func expiredLeasesAreReclaimedThenAbandoned() async throws {
        try await Self.withInstances([("survivor", true)]) { store, registry, instances in
            let model = try await registry.register(RegistryAndSupervisorTests.newModel(.drift))
            let past = Date().addingTimeInterval(-60)
            let orphan = TaskRecord(
                id: UUID().uuidString.lowercased(), kind: .train, state: .running, message: "fold 2", payloadJSON: "{\"model_id\":\(model.id)}",
                modelID: model.id, createdAt: past, startedAt: past, owner: "killed", leaseExpiresAt: past.addingTimeInterval(30), attempt: 1)
            try await store.createTask(orphan)
            let exhausted = TaskRecord(
                id: UUID().uuidString.lowercased(), kind: .train, state: .running, payloadJSON: "{\"model_id\":\(model.id)}", modelID: model.id,
                createdAt: past, startedAt: past, owner: "killed", leaseExpiresAt: past.addingTimeInterval(30), attempt: 2)
            try await store.createTask(exhausted)
            let rerun = try await instances[0].supervisor.waitUntilFinished(orphan.id)
            #expect(rerun.state == .completed && rerun.attempt == 2 && rerun.owner == "survivor", "\(rerun)")
            let abandoned = try await instances[0].supervisor.waitUntilFinished(exhausted.id)
            #expect(abandoned.state == .failed && abandoned.error?.hasPrefix("abandoned") == true, "\(abandoned)")
        }
    }

    /// A cancel asked on an instance that does not run the task reaches its owner through the lease heartbeat.
    @Test(.timeLimit(.minutes(1))) func aCancelOnAnotherInstanceStopsTheOwner() async throws {
        try await Self.withInstances([("api", false), ("worker", true)]) { _, registry, instances in
            let model = try await Self.slowModel(registry)
            let task = try await instances[0].supervisor.submitTraining(modelID: model.id)
            while try await instances[0].supervisor.task(task.id).state == .pending { try await Task.sleep(for: .milliseconds(20)) }
            let asked = ContinuousClock.now
            let answer = try await instances[0].supervisor.cancel(task.id)
            #expect(answer.state == .running && answer.cancelRequested)
            let end = try await instances[0].supervisor.waitUntilFinished(task.id)
            #expect(end.state == .cancelled, "\(end)")
            #expect(ContinuousClock.now - asked < .seconds(10))
            #expect(try await registry.model(model.id).status != .training)
        }
    }

    /// An owner whose lease was taken over (it was paused past its lease) stops and writes nothing: the task stays
    /// the new owner's, and the model is not registered by the old one.
    @Test(.timeLimit(.minutes(1))) func anOwnerThatLostItsLeaseWritesNothing() async throws {
        try await Self.withInstances([("slow", true)]) { store, registry, instances in
            let model = try await Self.slowModel(registry)
            let task = try await instances[0].supervisor.submitTraining(modelID: model.id)
            while try await store.task(id: task.id)?.state != .running { try await Task.sleep(for: .milliseconds(20)) }
            // Another instance claims it as if the lease had run out.
            let later = Date().addingTimeInterval(3600)
            let stolen = try #require(try await store.claimTask(instance: "thief", now: later, leaseUntil: later.addingTimeInterval(60), maxAttempts: 5))
            #expect(stolen.id == task.id && stolen.attempt == 2)
            // The old owner notices at its next heartbeat and stops; its outcome is dropped.
            try await Task.sleep(for: .seconds(2))
            #expect(await instances[0].supervisor.load.running == 0)
            let record = try #require(try await store.task(id: task.id))
            #expect(record.state == .running && record.owner == "thief" && record.attempt == 2, "\(record)")
            #expect(try await registry.model(model.id).artifactSHA256 == nil)
        }
    }
}
