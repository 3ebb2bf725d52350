import PredictionCore

/// Errors of the ETL pipeline that reach API clients. `description` is safe to show a user.
public typealias PipelineError = CodedError<PipelineFailure>

/// The domain of `PipelineError`.
public enum PipelineFailure {}

extension ErrorCode where Domain == PipelineFailure {
    /// No run with that id.
    public static var runNotFound: Self { Self("run_not_found") }
    /// Only failed runs can be retried.
    public static var notRetryable: Self { Self("run_not_retryable") }
    /// The server is stopping and takes no new runs.
    public static var shuttingDown: Self { Self("shutting_down") }
    /// The run is pending or running elsewhere (another instance), so this instance cannot wait for it.
    public static var runNotLocal: Self { Self("run_not_local") }
    /// The run queue is at its bound.
    public static var queueFull: Self { Self("queue_full") }
}
