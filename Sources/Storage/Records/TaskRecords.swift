import struct Foundation.Date
import PredictionCore

/// Task states: `pending → running → completed | failed | cancelled` (the original's vocabulary plus `cancelled`).
public enum TaskState: String, Hashable, Sendable, Codable, CaseIterable {
    case pending, running, completed, failed, cancelled

    /// Whether the task has ended.
    public var isFinal: Bool { self == .completed || self == .failed || self == .cancelled }
}

/// What a task does.
public enum TaskKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Train a registered model.
    case train
    /// A multi-day forecast.
    case forecast
}

/// A background task as persisted (tasks survive restarts).
public struct TaskRecord: Hashable, Sendable {
    /// A UUID string.
    public var id: String
    public var kind: TaskKind
    public var state: TaskState
    /// 0 … 1 while running.
    public var progress: Double
    /// What the task is doing now, or how it ended.
    public var message: String
    /// The request, JSON.
    public var payloadJSON: String
    /// The result, JSON, when completed; partial results (forecast points so far) while running.
    public var resultJSON: String?
    /// Why it failed or was cancelled.
    public var error: String?
    /// The model concerned, when there is one.
    public var modelID: Int64?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// The instance running it (set by `claimTask`).
    public var owner: String?
    /// Until when the owner holds it; renewed by the owner's heartbeat.
    public var leaseExpiresAt: Date?
    /// 0 while never claimed, then 1, 2, ... per claim. Every update is fenced on it: a write by an owner whose attempt
    /// was superseded is refused (`.superseded`).
    public var attempt: Int
    /// Set by a cancel from any instance; the owner stops at its next heartbeat.
    public var cancelRequested: Bool

    public init(
        id: String, kind: TaskKind, state: TaskState, progress: Double = 0, message: String = "", payloadJSON: String,
        resultJSON: String? = nil, error: String? = nil, modelID: Int64? = nil, createdAt: Date, startedAt: Date? = nil,
        finishedAt: Date? = nil, owner: String? = nil, leaseExpiresAt: Date? = nil, attempt: Int = 0, cancelRequested: Bool = false
    ) {
        self.owner = owner
        self.leaseExpiresAt = leaseExpiresAt
        self.attempt = attempt
        self.cancelRequested = cancelRequested
        self.id = id
        self.kind = kind
        self.state = state
        self.progress = progress
        self.message = message
        self.payloadJSON = payloadJSON
        self.resultJSON = resultJSON
        self.error = error
        self.modelID = modelID
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// The attempt of a running task that a write belongs to: the write happens only while `instance` still holds attempt
/// `attempt` of task `taskID` (checked in the same statement), else it is refused with `.superseded`.
public struct TaskFence: Hashable, Sendable {
    public var taskID: String
    public var attempt: Int
    public var instance: String

    public init(taskID: String, attempt: Int, instance: String) {
        self.taskID = taskID
        self.attempt = attempt
        self.instance = instance
    }
}
