import PredictionCore

/// Errors of the model registry and the training supervisor that reach API clients; `description` is safe to show.
public typealias RegistryError = CodedError<RegistryFailure>

/// The domain of `RegistryError`.
public enum RegistryFailure {}

extension ErrorCode where Domain == RegistryFailure {
    /// No model with that id (404).
    public static var modelNotFound: Self { Self("model_not_found") }
    /// No stored data for the instrument (404).
    public static var datasetNotFound: Self { Self("dataset_not_found") }
    /// No task with that id (404, never "pending").
    public static var taskNotFound: Self { Self("task_not_found") }
    /// The model has no trained artifact yet (409).
    public static var notTrained: Self { Self("model_not_trained") }
    /// The request conflicts with the current state (409): already training, already final, champion deletion.
    public static var conflict: Self { Self("conflict") }
    /// The model does not pass the promotion gate (409, with the numbers).
    public static var gateFailed: Self { Self("promotion_gate_failed") }
    /// No champion to predict with or roll back to (409).
    public static var noChampion: Self { Self("no_champion") }
    /// The request is invalid for this model or data (422).
    public static var invalidRequest: Self { Self("invalid_request") }
    /// The task queue is at its bound (429).
    public static var queueFull: Self { Self("queue_full") }
    /// The server is stopping (503).
    public static var shuttingDown: Self { Self("shutting_down") }
}
