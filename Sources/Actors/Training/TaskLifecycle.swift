import struct Foundation.Date
import Storage

/// The state machine of a background task, as a value: `pending → running → completed | failed | cancelled`.
///
/// The owner (`TrainingSupervisor`) feeds it events and performs the actions it returns; the machine itself does no
/// I/O, so every transition is tested without a store or a thread. Rules:
/// - `pending` may start, or be cancelled (it then never runs);
/// - `running` may report progress (clamped to 0…1, never going backwards), complete, fail, or be asked to cancel:
///   a cancel request is remembered and the work stops at its next fold, which then reports `stopped` → `cancelled`;
/// - a task found `running` after a restart is `interrupted` → `failed` ("interrupted"); tasks are not re-queued
///   automatically, because a half-done training may have been the cause of the crash — retrying is explicit;
/// - final states accept nothing.
public struct TaskLifecycle: Sendable, Hashable {
    /// Something that happened to a task.
    public enum Event: Sendable, Hashable {
        case start
        case progress(Double, message: String)
        /// Progress with the result so far (multi-day forecast points computed up to now).
        case partial(resultJSON: String, fraction: Double, message: String)
        case complete(resultJSON: String, message: String)
        case fail(String)
        case requestCancel
        /// The work acknowledged a cancel request and stopped.
        case stopped
        /// Found `running` at start-up: the process that ran it is gone.
        case interrupted
    }

    /// What the owner must do after an accepted event.
    public enum Action: Sendable, Hashable {
        /// Persist the new record (and publish it).
        case persist
        /// Persist, then begin the work.
        case persistAndStartWork
        /// Persist, then tell the running work to stop at its next fold.
        case persistAndSignalCancel
    }

    /// Why an event was refused.
    public struct Rejection: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String
    }

    /// The task as it stands.
    public private(set) var record: TaskRecord
    /// Whether a cancel was requested while running.
    public private(set) var cancelRequested = false

    /// Wraps a stored task.
    public init(_ record: TaskRecord) {
        self.record = record
    }

    /// Applies `event` at time `now`; returns the action to perform or the reason it is refused (state unchanged).
    public mutating func apply(_ event: Event, now: Date = Date()) -> Result<Action, Rejection> {
        switch (self.record.state, event) {
        case (.pending, .start):
            self.record.state = .running
            self.record.startedAt = now
            self.record.message = "started"
            return .success(.persistAndStartWork)
        case (.pending, .requestCancel):
            self.finish(.cancelled, message: "cancelled before it started", error: "cancelled", now: now)
            return .success(.persist)
        case (.running, .progress(let fraction, let message)):
            self.record.progress = max(self.record.progress, min(max(fraction, 0), 1))
            self.record.message = message
            return .success(.persist)
        case (.running, .partial(let result, let fraction, let message)):
            self.record.resultJSON = result
            self.record.progress = max(self.record.progress, min(max(fraction, 0), 1))
            self.record.message = message
            return .success(.persist)
        case (.running, .complete(let result, let message)):
            self.record.resultJSON = result
            self.record.progress = 1
            self.finish(.completed, message: message, error: nil, now: now)
            return .success(.persist)
        case (.running, .fail(let reason)):
            self.finish(.failed, message: "failed", error: reason, now: now)
            return .success(.persist)
        case (.running, .requestCancel):
            guard !self.cancelRequested else { return .failure(Rejection(description: "cancellation was already requested")) }
            self.cancelRequested = true
            self.record.message = "cancelling: stops at the next fold"
            return .success(.persistAndSignalCancel)
        case (.running, .stopped):
            self.finish(.cancelled, message: "cancelled", error: "cancelled on request", now: now)
            return .success(.persist)
        case (.running, .interrupted):
            self.finish(.failed, message: "interrupted", error: "interrupted: the server stopped while this task ran", now: now)
            return .success(.persist)
        case (let state, _) where state.isFinal:
            return .failure(Rejection(description: "task \(self.record.id) is already \(state.rawValue)"))
        case (let state, let event):
            return .failure(Rejection(description: "task \(self.record.id) is \(state.rawValue); \(Self.name(event)) is not possible"))
        }
    }

    private mutating func finish(_ state: TaskState, message: String, error: String?, now: Date) {
        self.record.state = state
        self.record.message = message
        self.record.error = error
        self.record.finishedAt = now
    }

    private static func name(_ event: Event) -> String {
        switch event {
        case .start: "start"
        case .progress, .partial: "progress"
        case .complete: "complete"
        case .fail: "fail"
        case .requestCancel: "cancel"
        case .stopped: "stopped"
        case .interrupted: "interrupted"
        }
    }
}

extension TaskLifecycle.Event {
    /// Whether the event completes the task.
    public var isCompletion: Bool {
        if case .complete = self { return true }
        return false
    }

    /// Why a task ending with this event did not complete (the model's error after a failed or stopped training).
    public var failureReason: String {
        switch self {
        case .fail(let reason): reason
        case .stopped: "cancelled on request"
        case .interrupted: "interrupted"
        default: "ended"
        }
    }
}
