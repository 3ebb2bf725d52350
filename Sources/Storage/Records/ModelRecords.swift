import struct Foundation.Date
import PredictionCore

/// Lifecycle of a registered model.
public enum ModelStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case registered, training, trained, failed
}

/// A model in the registry: the original's `model_metadata` fields plus version, status, metrics and artifact.
public struct ModelRecord: Hashable, Sendable {
    public var id: Int64
    public var instrument: InstrumentKey
    /// Version number per (ticker, exchange), 1, 2, 3 … in registration order.
    public var version: Int
    public var modelType: ModelType
    /// Feature names as registered (the original's names or ours).
    public var features: [String]
    public var valSize: Double
    /// The original API's flag; accepted, never used to shuffle time series.
    public var shuffle: Bool
    public var trainStart: SessionDate?
    public var trainEnd: SessionDate?
    public var hyperParameters: HyperParameters
    public var status: ModelStatus
    /// `run-<id>-<n>`: one per training; empty until trained.
    public var runID: String
    /// `models:/<ticker>@<exchange>/<version>`; empty until trained.
    public var modelURI: String
    /// Backtest metrics and summary as JSON (owned by PredictionCore's report types).
    public var metricsJSON: String?
    /// Where the artifact lives (`file://…` content-addressed) and its SHA-256.
    public var artifactURI: String?
    public var artifactSHA256: String?
    public var trainedAt: Date?
    public var trainingSeconds: Double?
    /// The data window training actually used.
    public var dataStart: SessionDate?
    public var dataEnd: SessionDate?
    /// Why the last training failed.
    public var error: String?
    public var createdAt: Date

    public init(
        id: Int64, instrument: InstrumentKey, version: Int, modelType: ModelType, features: [String], valSize: Double,
        shuffle: Bool, trainStart: SessionDate?, trainEnd: SessionDate?, hyperParameters: HyperParameters,
        status: ModelStatus, runID: String = "", modelURI: String = "", metricsJSON: String? = nil, artifactURI: String? = nil,
        artifactSHA256: String? = nil, trainedAt: Date? = nil, trainingSeconds: Double? = nil, dataStart: SessionDate? = nil,
        dataEnd: SessionDate? = nil, error: String? = nil, createdAt: Date
    ) {
        self.id = id
        self.instrument = instrument
        self.version = version
        self.modelType = modelType
        self.features = features
        self.valSize = valSize
        self.shuffle = shuffle
        self.trainStart = trainStart
        self.trainEnd = trainEnd
        self.hyperParameters = hyperParameters
        self.status = status
        self.runID = runID
        self.modelURI = modelURI
        self.metricsJSON = metricsJSON
        self.artifactURI = artifactURI
        self.artifactSHA256 = artifactSHA256
        self.trainedAt = trainedAt
        self.trainingSeconds = trainingSeconds
        self.dataStart = dataStart
        self.dataEnd = dataEnd
        self.error = error
        self.createdAt = createdAt
    }
}

/// A model to register (the store assigns id, version and `createdAt`; status starts `registered`).
public struct NewModel: Hashable, Sendable {
    public var instrument: InstrumentKey
    public var modelType: ModelType
    public var features: [String]
    public var valSize: Double
    public var shuffle: Bool
    public var trainStart: SessionDate?
    public var trainEnd: SessionDate?
    public var hyperParameters: HyperParameters

    public init(
        instrument: InstrumentKey, modelType: ModelType, features: [String], valSize: Double, shuffle: Bool,
        trainStart: SessionDate?, trainEnd: SessionDate?, hyperParameters: HyperParameters
    ) {
        self.instrument = instrument
        self.modelType = modelType
        self.features = features
        self.valSize = valSize
        self.shuffle = shuffle
        self.trainStart = trainStart
        self.trainEnd = trainEnd
        self.hyperParameters = hyperParameters
    }
}

/// Aliases a model can hold per (ticker, exchange).
public enum ModelAlias: String, Hashable, Sendable, Codable, CaseIterable {
    case champion, challenger
}

/// One alias move in the audit log: who moved which alias from which model to which, when, why, with a metric snapshot.
public struct AliasEvent: Hashable, Sendable {
    public var id: Int64
    public var instrument: InstrumentKey
    public var alias: ModelAlias
    public var fromModel: Int64?
    public var toModel: Int64?
    /// Who: the API key's name/prefix, `cli`, or `system`.
    public var actor: String
    /// Why: `promote`, `rollback`, `delete (forced)`, plus the gate verdict.
    public var reason: String
    /// Metrics of `toModel` at the time, JSON.
    public var metricsJSON: String?
    public var at: Date

    public init(
        id: Int64, instrument: InstrumentKey, alias: ModelAlias, fromModel: Int64?, toModel: Int64?, actor: String, reason: String,
        metricsJSON: String?, at: Date
    ) {
        self.id = id
        self.instrument = instrument
        self.alias = alias
        self.fromModel = fromModel
        self.toModel = toModel
        self.actor = actor
        self.reason = reason
        self.metricsJSON = metricsJSON
        self.at = at
    }
}
