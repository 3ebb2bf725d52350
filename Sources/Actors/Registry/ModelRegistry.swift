import Foundation
import Logging
import PredictionCore
import ServiceLifecycle
import Storage

/// The model registry (replaces MLflow's registry and `model_metadata`): model records with versions per instrument,
/// content-addressed artifacts, loaded models kept in memory, and the `champion` / `challenger` aliases with a gated
/// promotion, one-call rollback and an audit log of every alias move.
public actor ModelRegistry: Service {
    /// Registry settings.
    public struct Configuration: Sendable {
        /// Loaded models kept in memory (least recently used evicted). Defaults to `32`.
        public var maxLoadedModels = 32
        /// Promotion gate: MASE at h = 1 must be below this. Defaults to `1.0` (beat naive).
        public var maxMASEForPromotion = 1.0

        /// The defaults.
        public init() {}
    }

    nonisolated let logger: Logger
    nonisolated let configuration: Configuration
    private let store: any ModelStore
    private let artifacts: any ArtifactRepository
    private var loaded: [Int64: (forecaster: Forecaster, sha: String, lastUse: UInt64)] = [:]
    private var useCounter: UInt64 = 0
    private let bus: any EventBus
    private let instance: String

    /// Creates the registry over its records (`models`) and artifact bytes (`artifacts`); changes are published on
    /// `model_events` through `bus`.
    public init(
        models: any ModelStore, artifacts: any ArtifactRepository, configuration: Configuration = .init(), bus: any EventBus = InProcessEventBus(),
        instance: String = "local", logger: Logger
    ) {
        self.store = models
        self.artifacts = artifacts
        self.bus = bus
        self.instance = instance
        self.configuration = configuration
        self.logger = logger
    }

    /// Nothing to do until shutdown; models are loaded on first use and kept.
    public func run() async throws {
        try? await gracefulShutdown()
        self.loaded.removeAll()
    }

    // MARK: Records

    /// Registers a model (validated by the caller against the data and feature catalog).
    public func register(_ model: NewModel) async throws -> ModelRecord {
        let created = try await self.store.createModel(model)
        self.publish("registered", created)
        return created
    }

    private func publish(_ action: String, _ model: ModelRecord, alias: ModelAlias? = nil) {
        self.bus.publish(BusEvent(ModelEvent(action: action, model: model, alias: alias?.rawValue), origin: self.instance))
    }

    /// One model; `modelNotFound` when absent.
    public func model(_ id: Int64) async throws -> ModelRecord {
        guard let model = try await self.store.model(id: id) else {
            throw RegistryError(.modelNotFound, "no model with id \(id)")
        }
        return model
    }

    /// One model, or `nil` when it was deleted.
    public func existingModel(_ id: Int64) async throws -> ModelRecord? {
        try await self.store.model(id: id)
    }

    /// Models ascending by id.
    public func models(skip: Int, limit: Int, of instrument: InstrumentKey? = nil) async throws -> [ModelRecord] {
        try await self.store.models(of: instrument, offset: skip, limit: limit)
    }

    /// Current aliases of an instrument.
    public func aliases(of instrument: InstrumentKey) async throws -> [ModelAlias: Int64] {
        try await self.store.aliases(of: instrument)
    }

    // MARK: Training results

    /// Marks a model as training (refused while it already trains, unless `takingOver`: the task's previous attempt
    /// died on another instance and left the model `training`).
    public func beginTraining(_ id: Int64, takingOver: Bool = false) async throws -> ModelRecord {
        var model = try await self.model(id)
        guard model.status != .training || takingOver else { throw RegistryError(.conflict, "model \(id) is already training") }
        model.status = .training
        model.error = nil
        try await self.store.updateModel(model)
        return model
    }

    /// Stores the artifact of a finished training and records its metrics and facts; with a `fence`, only while that
    /// task attempt is held (`.superseded` otherwise, and the model keeps the newer attempt's state).
    public func finishTraining(
        _ id: Int64, artifact: Data, metricsJSON: String, seconds: Double, dataStart: SessionDate?, dataEnd: SessionDate?,
        fence: TaskFence? = nil
    ) async throws -> ModelRecord {
        var model = try await self.model(id)
        let (uri, sha) = try await self.artifacts.put(artifact)
        let previousSHA = model.artifactSHA256
        model.status = .trained
        model.artifactURI = uri
        model.artifactSHA256 = sha
        model.metricsJSON = metricsJSON
        model.trainedAt = Date()
        model.trainingSeconds = seconds
        model.dataStart = dataStart
        model.dataEnd = dataEnd
        model.runID = "run-\(id)-\(Int(Date().timeIntervalSince1970))"
        model.modelURI = "models:/\(model.instrument.ticker)@\(model.instrument.exchange)/\(model.version)"
        model.error = nil
        do {
            try await self.store.updateModel(model, fencedBy: fence)
        } catch {
            if sha != previousSHA { await self.removeArtifactIfUnused(sha) }
            throw error
        }
        self.loaded[id] = nil
        if let previousSHA, previousSHA != sha { await self.removeArtifactIfUnused(previousSHA) }
        self.publish("trained", model)
        return model
    }

    /// Records a failed (or cancelled) training; a previously trained artifact stays usable. With a `fence`, only while
    /// that task attempt is held (`.superseded` otherwise).
    public func failTraining(_ id: Int64, error: String, fence: TaskFence? = nil) async throws {
        guard var model = try await self.store.model(id: id) else { return }
        model.status = model.artifactSHA256 == nil ? .failed : .trained
        model.error = error
        try await self.store.updateModel(model, fencedBy: fence)
        self.publish("training_failed", model)
    }

    // MARK: Serving

    /// The loaded forecaster of a trained model (artifact hash verified on load, then kept in memory).
    public func forecaster(for id: Int64) async throws -> (ModelRecord, Forecaster) {
        let model = try await self.model(id)
        guard let sha = model.artifactSHA256 else {
            throw RegistryError(.notTrained, "model \(id) is \(model.status.rawValue), not trained; POST /api/train {\"model_id\": \(id)} first")
        }
        self.useCounter += 1
        if let entry = self.loaded[id], entry.sha == sha {
            self.loaded[id]?.lastUse = self.useCounter
            return (model, entry.forecaster)
        }
        let bytes = try await self.artifacts.get(sha256: sha)
        let forecaster = try await ComputeQueue.run { try Forecaster(artifact: JSONDecoder().decode(ModelArtifact.self, from: bytes)) }
        if self.loaded.count >= self.configuration.maxLoadedModels,
            let oldest = self.loaded.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
        {
            self.loaded[oldest] = nil
        }
        self.loaded[id] = (forecaster, sha, self.useCounter)
        return (model, forecaster)
    }

    /// The model to predict with: `modelID` when given (it must belong to the instrument), else the champion.
    public func servingModel(for instrument: InstrumentKey, modelID: Int64?) async throws -> (ModelRecord, Forecaster) {
        if let modelID {
            let model = try await self.model(modelID)
            guard model.instrument == instrument else {
                throw RegistryError(.invalidRequest, "model \(modelID) is for \(model.instrument), not \(instrument)")
            }
            return try await self.forecaster(for: modelID)
        }
        guard let champion = try await self.store.aliases(of: instrument)[.champion] else {
            throw RegistryError(
                .noChampion, "\(instrument) has no champion model: promote a trained model (POST /api/models/{id}/promote) or pass model_id"
            )
        }
        return try await self.forecaster(for: champion)
    }

    // MARK: Aliases

    /// Promotes a trained model to champion when it passes the gate (the previous champion becomes challenger).
    /// With `force`, a model that fails the gate is promoted anyway and the audit log says so.
    public func promote(_ id: Int64, actor: String, force: Bool = false) async throws -> (event: AliasEvent, verdict: PromotionVerdict) {
        let model = try await self.model(id)
        guard model.status == .trained || model.artifactSHA256 != nil, let metrics = model.metricsJSON else {
            throw RegistryError(.notTrained, "model \(id) is \(model.status.rawValue); only trained models can be promoted")
        }
        let current = try await self.store.aliases(of: model.instrument)
        if current[.champion] == id {
            throw RegistryError(.conflict, "model \(id) is already the champion of \(model.instrument)")
        }
        var champion: (id: Int64, metricsJSON: String)?
        if let championID = current[.champion], let record = try await self.store.model(id: championID), let json = record.metricsJSON {
            champion = (championID, json)
        }
        let verdict = PromotionVerdict.evaluate(metricsJSON: metrics, maxMASE: self.configuration.maxMASEForPromotion, champion: champion)
        guard verdict.passed || force else {
            throw RegistryError(.gateFailed, "model \(id) does not pass the promotion gate: \(verdict.summary)")
        }
        if let previous = current[.champion] {
            _ = try await self.store.moveAlias(
                .challenger, of: model.instrument, to: previous, actor: actor, reason: "demoted: model \(id) promoted", metricsJSON: nil
            )
        }
        let reason = (verdict.passed ? "promote: " : "promote (forced past the gate): ") + verdict.summary
        let event = try await self.store.moveAlias(.champion, of: model.instrument, to: id, actor: actor, reason: reason, metricsJSON: verdict.json)
        self.logger.notice("champion changed", metadata: ["instrument": "\(model.instrument)", "model": "\(id)", "actor": "\(actor)"])
        self.publish("promoted", model, alias: .champion)
        return (event, verdict)
    }

    /// Moves the champion back to the model that held it before the current one.
    public func rollback(_ instrument: InstrumentKey, actor: String) async throws -> AliasEvent {
        guard let current = try await self.store.aliases(of: instrument)[.champion] else {
            throw RegistryError(.noChampion, "\(instrument) has no champion to roll back")
        }
        let history = try await self.store.aliasEvents(of: instrument, involving: nil, limit: 1000).filter { $0.alias == .champion }
        for event in history where event.toModel == current {
            guard let previous = event.fromModel, previous != current else { continue }
            guard let model = try await self.store.model(id: previous), model.artifactSHA256 != nil else { continue }
            let moved = try await self.store.moveAlias(
                .champion, of: instrument, to: previous, actor: actor, reason: "rollback from model \(current)", metricsJSON: model.metricsJSON
            )
            // The restored model was usually the challenger (promotion demoted it): the two swap, so no model holds both.
            if try await self.store.aliases(of: instrument)[.challenger] == previous {
                _ = try await self.store.moveAlias(
                    .challenger, of: instrument, to: current, actor: actor, reason: "demoted by rollback to model \(previous)", metricsJSON: nil
                )
            }
            self.publish("rolled_back", model, alias: .champion)
            return moved
        }
        throw RegistryError(.noChampion, "\(instrument) has no earlier champion that still exists to roll back to")
    }

    /// Alias moves involving a model, newest first.
    public func history(of id: Int64) async throws -> [AliasEvent] {
        let model = try await self.model(id)
        return try await self.store.aliasEvents(of: model.instrument, involving: id, limit: 500)
    }

    /// Deletes a model and its artifact. The current champion needs `force`, and its removal is logged.
    public func delete(_ id: Int64, force: Bool, actor: String) async throws -> ModelRecord {
        let model = try await self.model(id)
        guard model.status != .training else { throw RegistryError(.conflict, "model \(id) is training; cancel the task first") }
        let aliases = try await self.store.aliases(of: model.instrument)
        if aliases[.champion] == id {
            guard force else {
                throw RegistryError(.conflict, "model \(id) is the champion of \(model.instrument); add ?force=true to delete it anyway")
            }
            _ = try await self.store.moveAlias(.champion, of: model.instrument, to: nil, actor: actor, reason: "champion deleted (forced)", metricsJSON: model.metricsJSON)
        }
        if aliases[.challenger] == id {
            _ = try await self.store.moveAlias(.challenger, of: model.instrument, to: nil, actor: actor, reason: "challenger deleted", metricsJSON: nil)
        }
        _ = try await self.store.deleteModel(id: id)
        self.loaded[id] = nil
        if let sha = model.artifactSHA256 { await self.removeArtifactIfUnused(sha) }
        self.publish("deleted", model)
        return model
    }

    /// Removes an artifact no model names any more. Best effort: the records are already consistent, so a store that
    /// fails now leaves an unreferenced object behind (logged), never a record pointing at a missing one.
    private func removeArtifactIfUnused(_ sha: String) async {
        do {
            var offset = 0
            while true {
                let page = try await self.store.models(of: nil, offset: offset, limit: 500)
                if page.contains(where: { $0.artifactSHA256 == sha }) { return }
                if page.count < 500 { break }
                offset += 500
            }
            try await self.artifacts.remove(sha256: sha)
        } catch {
            self.logger.warning("unused artifact left in place", metadata: ["sha256": "\(sha)", "error": "\(error)"])
        }
    }
}
