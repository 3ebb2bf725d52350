import Actors
import Foundation
import Hummingbird
import PredictionCore
import Storage

/// A model as `GET /api/models/{id}` shows it: the original's metadata fields plus registry facts.
struct ModelDTO: ResponseEncodable {
    let id: Int64
    let ticker: String
    let exchange: String
    let run_id: String
    let model_uri: String
    let features: [String]
    let model_type: String
    let val_size: Double
    let shuffle: Bool
    let train_start_date: String?
    let train_end_date: String?
    let created_at: Date
    let version: Int
    let status: String
    let hyper_parameters: HyperParameters
    let metrics: JSONValue
    let artifact_uri: String?
    let artifact_sha256: String?
    let trained_at: Date?
    let training_seconds: Double?
    let data_start: String?
    let data_end: String?
    let error: String?
    let aliases: [String]

    init(_ model: ModelRecord, aliases: [ModelAlias: Int64] = [:]) {
        self.id = model.id
        self.ticker = model.instrument.ticker.rawValue
        self.exchange = model.instrument.exchange.rawValue
        self.run_id = model.runID
        self.model_uri = model.modelURI
        self.features = model.features
        self.model_type = model.modelType.rawValue
        self.val_size = model.valSize
        self.shuffle = model.shuffle
        self.train_start_date = model.trainStart?.description
        self.train_end_date = model.trainEnd?.description
        self.created_at = model.createdAt
        self.version = model.version
        self.status = model.status.rawValue
        self.hyper_parameters = model.hyperParameters
        self.metrics = JSONValue(parsing: model.metricsJSON)
        self.artifact_uri = model.artifactURI
        self.artifact_sha256 = model.artifactSHA256
        self.trained_at = model.trainedAt
        self.training_seconds = model.trainingSeconds
        self.data_start = model.dataStart?.description
        self.data_end = model.dataEnd?.description
        self.error = model.error
        self.aliases = aliases.filter { $0.value == model.id }.map(\.key.rawValue).sorted()
    }
}

/// The shape the original UI read from `GET /api/mlflow/models` (`is_trained`, `metrics`, `params`, `artifact_uri`).
struct MLflowModelDTO: ResponseEncodable {
    let id: Int64
    let ticker: String
    let exchange: String
    let run_id: String
    let model_uri: String
    let features: [String]
    let model_type: String
    let val_size: Double
    let created_at: Date
    let train_start_date: String?
    let train_end_date: String?
    let shuffle: Bool
    let is_trained: Bool
    let metrics: [String: Double]?
    let params: [String: String]?
    let artifact_uri: String?

    init(_ model: ModelRecord) {
        self.id = model.id
        self.ticker = model.instrument.ticker.rawValue
        self.exchange = model.instrument.exchange.rawValue
        self.run_id = model.runID
        self.model_uri = model.modelURI
        self.features = model.features
        self.model_type = model.modelType.rawValue
        self.val_size = model.valSize
        self.created_at = model.createdAt
        self.train_start_date = model.trainStart?.description
        self.train_end_date = model.trainEnd?.description
        self.shuffle = model.shuffle
        self.is_trained = model.artifactSHA256 != nil
        self.artifact_uri = model.artifactURI
        if self.is_trained, let json = model.metricsJSON {
            let verdict = PromotionVerdict.evaluate(metricsJSON: json, maxMASE: 1)
            var metrics: [String: Double] = [:]
            metrics["rmse"] = verdict.rmse
            metrics["mase"] = verdict.mase
            metrics["theil_u"] = verdict.theilU
            metrics["directional_accuracy"] = verdict.directionalAccuracy
            metrics["up_rate"] = verdict.upRate
            metrics["val_size"] = model.valSize
            self.metrics = metrics
            self.params = [
                "ticker": model.instrument.ticker.rawValue, "features": model.features.joined(separator: ","),
                "model_type": model.modelType.rawValue, "n_estimators": String(model.hyperParameters.nEstimators),
                "shuffle": String(model.shuffle), "train_start_date": model.trainStart?.description ?? "None",
                "train_end_date": model.trainEnd?.description ?? "None",
            ]
        } else {
            self.metrics = nil
            self.params = nil
        }
    }
}

/// A task as `GET /api/train/status/{id}` and `/api/tasks` show it.
struct TaskDTO: ResponseEncodable {
    let task_id: String
    let kind: String
    let status: String
    let progress: Double
    let message: String
    let model_id: Int64?
    let created_at: Date
    let started_at: Date?
    let finished_at: Date?
    let result: JSONValue?
    let error: String?
    /// The instance running it (or that ran it last).
    let owner: String?
    /// 0 while queued, then 1 per claim (more than 1: its worker died and another took it over).
    let attempt: Int
    /// A cancel was asked; the owner stops at its next heartbeat.
    let cancel_requested: Bool

    init(_ task: TaskRecord, includeResult: Bool = true) {
        self.owner = task.owner
        self.attempt = task.attempt
        self.cancel_requested = task.cancelRequested
        self.task_id = task.id
        self.kind = task.kind.rawValue
        self.status = task.state.rawValue
        self.progress = task.progress
        self.message = task.message
        self.model_id = task.modelID
        self.created_at = task.createdAt
        self.started_at = task.startedAt
        self.finished_at = task.finishedAt
        self.result = includeResult && task.state == .completed ? JSONValue(parsing: task.resultJSON) : nil
        self.error = task.state == .failed || task.state == .cancelled ? task.error : nil
    }
}

/// `GET /api/predict/future/partial_status/{id}`: the points computed so far.
struct PartialStatusDTO: ResponseEncodable {
    let task_id: String
    let status: String
    let progress: Double
    let result: JSONValue
    let error: String?
}

/// One stored prediction, with the actual close once the ETL has brought it.
struct PredictionDTO: ResponseEncodable {
    let id: Int64?
    let ticker: String
    let exchange: String
    let target_date: String
    let origin_date: String
    let horizon: Int
    let predicted_close: Double
    let lower_80: Double
    let upper_80: Double
    let lower_95: Double
    let upper_95: Double
    let actual_close: Double?
    /// actual − predicted, once known.
    let error: Double?
    /// actual − close at the origin (the naive forecast's error), once known.
    let naive_error: Double?
    let model_metadata_id: Int64
    let predicted_at: Date
    let msg: String?

    /// A stored prediction with the actual close of its target session when that is known.
    init(_ row: PredictionRecord, actualClose actual: Double?, msg: String? = nil) {
        self.id = row.id
        self.ticker = row.instrument.ticker.rawValue
        self.exchange = row.instrument.exchange.rawValue
        self.target_date = row.targetDate.description
        self.origin_date = row.originDate.description
        self.horizon = row.horizon
        self.predicted_close = row.predictedClose
        self.lower_80 = row.lower80
        self.upper_80 = row.upper80
        self.lower_95 = row.lower95
        self.upper_95 = row.upper95
        self.actual_close = actual
        self.error = actual.map { $0 - row.predictedClose }
        self.naive_error = actual.map { $0 - row.originClose }
        self.model_metadata_id = row.modelID
        self.predicted_at = row.predictedAt
        self.msg = msg
    }
}
