import Foundation
import PredictionCore
import Storage

/// `prediction` and `prediction_scored` on `stock_predictions` (docs/STREAMS.md): the original's fields plus
/// intervals, origin, horizon, model and — once scored — the realised error and that of naive from the same origin.
public struct PredictionEvent: EventBody {
    public static let topic = EventTopic.predictions
    public let type: String
    public let ticker: String?
    let exchange: String
    let targetDate: String
    let predictedClose: Double
    let actualClose: Double?
    let predictedAt: Date
    let modelMetadataId: Int64
    let msg: String
    let predictionId: Int64
    let originDate: String
    let originClose: Double
    let horizon: Int
    let modelType: String
    let modelVersion: Int
    let taskId: String?
    let lower80: Double
    let upper80: Double
    let lower95: Double
    let upper95: Double
    let error: Double?
    let absPctError: Double?
    let naiveAbsPctError: Double?
    let inside80: Bool?
    let inside95: Bool?

    private enum CodingKeys: String, CodingKey {
        case ticker, exchange, targetDate, predictedClose, actualClose, predictedAt, modelMetadataId, msg, predictionId
        case originDate, originClose, horizon, modelType, modelVersion, taskId, error, absPctError, naiveAbsPctError
        case lower80 = "lower_80", upper80 = "upper_80", lower95 = "lower_95", upper95 = "upper_95"
        case inside80 = "inside_80", inside95 = "inside_95"
    }

    /// The event of a stored prediction; scored when it has an actual close.
    public init(_ record: PredictionRecord, model: ModelRecord) {
        let scored = record.actualClose.map { PredictionScoring(record, actual: $0) }
        self.type = scored == nil ? "prediction" : "prediction_scored"
        self.ticker = record.instrument.ticker.rawValue
        self.exchange = record.instrument.exchange.rawValue
        self.targetDate = record.targetDate.description
        self.predictedClose = record.predictedClose
        self.actualClose = record.actualClose
        self.predictedAt = record.predictedAt
        self.modelMetadataId = record.modelID
        self.predictionId = record.id
        self.originDate = record.originDate.description
        self.originClose = record.originClose
        self.horizon = record.horizon
        self.modelType = model.modelType.rawValue
        self.modelVersion = model.version
        self.taskId = record.taskID
        (self.lower80, self.upper80, self.lower95, self.upper95) = (record.lower80, record.upper80, record.lower95, record.upper95)
        self.error = scored?.error
        self.absPctError = scored?.absPctError
        self.naiveAbsPctError = scored?.naiveAbsPctError
        self.inside80 = scored?.inside80
        self.inside95 = scored?.inside95
        let price = String(format: "%.2f", record.predictedClose)
        let band = String(format: "%.2f–%.2f", record.lower80, record.upper80)
        var msg = "\(record.instrument.ticker.rawValue) \(record.targetDate): predicted close \(price) (80% \(band))"
        msg += "\nmodel \(model.modelType.rawValue) v\(model.version) (id \(model.id)), \(record.horizon) session(s) after \(record.originDate)"
        if let scored { msg += "\nactual \(String(format: "%.2f", scored.actual)), error \(String(format: "%+.2f", scored.error))" }
        self.msg = msg
    }
}

/// How a prediction did against the actual close.
public struct PredictionScoring: Sendable, Equatable {
    public let actual: Double
    /// actual − predicted.
    public let error: Double
    /// |actual − predicted| / actual.
    public let absPctError: Double
    /// |actual − origin close| / actual: the naive forecast from the same origin.
    public let naiveAbsPctError: Double
    public let inside80: Bool
    public let inside95: Bool

    public init(_ record: PredictionRecord, actual: Double) {
        self.actual = actual
        self.error = actual - record.predictedClose
        self.absPctError = actual != 0 ? abs(self.error) / abs(actual) : 0
        self.naiveAbsPctError = actual != 0 ? abs(actual - record.originClose) / abs(actual) : 0
        self.inside80 = (record.lower80...record.upper80).contains(actual)
        self.inside95 = (record.lower95...record.upper95).contains(actual)
    }
}

/// `task` on `task_events`: every state change and progress step of a background task.
public struct TaskEvent: EventBody {
    public static let topic = EventTopic.tasks
    public let type = "task"
    public let ticker: String?
    let exchange: String?
    let taskId: String
    let kind: String
    let status: String
    let progress: Double
    let message: String
    let error: String?
    let modelId: Int64?
    let updatedAt: Date
    let points: [FuturePointPayload]?
    let result: TrainingResultPayload?

    private enum CodingKeys: String, CodingKey {
        case ticker, exchange, taskId, kind, status, progress, message, error, modelId, updatedAt, points, result
    }

    public init(_ task: TaskRecord, instrument: InstrumentKey?, at time: Date = Date()) {
        self.ticker = instrument?.ticker.rawValue
        self.exchange = instrument?.exchange.rawValue
        self.taskId = task.id
        self.kind = task.kind.rawValue
        self.status = task.state.rawValue
        self.progress = task.progress
        self.message = task.message
        self.error = task.state == .failed || task.state == .cancelled ? task.error : nil
        self.modelId = task.modelID
        self.updatedAt = time
        let data = task.resultJSON.map { Data($0.utf8) }
        switch task.kind {
        case .forecast:
            self.points = data.flatMap {
                (try? JSONDecoder().decode([FuturePointPayload].self, from: $0))
                    ?? (try? JSONDecoder().decode(FutureResultPayload.self, from: $0))?.predictions
            }
            self.result = nil
        case .train:
            self.points = nil
            self.result = task.state == .completed ? data.flatMap { try? JSONDecoder().decode(TrainingResultPayload.self, from: $0) } : nil
        }
    }
}

/// `model` on `model_events`: registry changes.
public struct ModelEvent: EventBody {
    public static let topic = EventTopic.models
    public let type = "model"
    public let ticker: String?
    let exchange: String
    let action: String
    let modelId: Int64
    let version: Int
    let modelType: String
    let status: String
    let alias: String?

    private enum CodingKeys: String, CodingKey {
        case ticker, exchange, action, modelId, version, modelType, status, alias
    }

    public init(action: String, model: ModelRecord, alias: String? = nil) {
        self.ticker = model.instrument.ticker.rawValue
        self.exchange = model.instrument.exchange.rawValue
        self.action = action
        self.modelId = model.id
        self.version = model.version
        self.modelType = model.modelType.rawValue
        self.status = model.status.rawValue
        self.alias = alias
    }
}

/// `alert` on `stock_alerts`: raised or resolved.
public struct AlertEvent: EventBody {
    public static let topic = EventTopic.alerts
    public let type = "alert"
    public let ticker: String?
    let exchange: String?
    let id: Int64
    let kind: String
    let state: String
    let targetDate: String?
    let messages: [String]
    let details: RawJSONObject
    let raisedAt: Date
    let updatedAt: Date
    let resolvedAt: Date?

    private enum CodingKeys: String, CodingKey {
        case ticker, exchange, id, kind, state, targetDate, messages, details, raisedAt, updatedAt, resolvedAt
    }

    public init(_ alert: AlertRecord) {
        self.ticker = alert.instrument?.ticker.rawValue
        self.exchange = alert.instrument?.exchange.rawValue
        self.id = alert.id
        self.kind = alert.kind.rawValue
        self.state = alert.state.rawValue
        self.targetDate = alert.targetDate?.description
        self.messages = alert.messages
        self.details = RawJSONObject(alert.details)
        self.raisedAt = alert.raisedAt
        self.updatedAt = alert.updatedAt
        self.resolvedAt = alert.resolvedAt
    }
}

/// `metrics` on `monitoring_metrics`: the original's `{timestamp, metrics}` with real values, plus ours.
public struct MetricsEvent: EventBody {
    public static let topic = EventTopic.metrics
    public let type = "metrics"
    public var ticker: String? { nil }
    let timestamp: Int
    let metrics: [String: Double]

    private enum CodingKeys: String, CodingKey {
        case timestamp, metrics
    }

    public init(timestamp: Int, metrics: [String: Double]) {
        self.timestamp = timestamp
        self.metrics = metrics
    }
}

/// A flat JSON object given as text (alert details), encoded as a nested object of numbers, strings and booleans.
struct RawJSONObject: Encodable, Sendable {
    private let values: [String: Value]

    enum Value: Codable, Sendable {
        case bool(Bool), number(Double), string(String), null

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? container.decode(Double.self) {
                self = .number(value)
            } else if let value = try? container.decode(String.self) {
                self = .string(value)
            } else {
                self = .null
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .number(let value): try container.encode(value)
            case .string(let value): try container.encode(value)
            case .bool(let value): try container.encode(value)
            case .null: try container.encodeNil()
            }
        }
    }

    init(_ text: String) {
        self.values = (try? JSONDecoder().decode([String: Value].self, from: Data(text.utf8))) ?? [:]
    }

    func encode(to encoder: any Encoder) throws {
        try self.values.encode(to: encoder)
    }
}
