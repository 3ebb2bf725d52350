/// Exponential backoff for ETL steps that fail with a transient error (HTTP 429/5xx, truncated body, lost connection).
///
/// The delay before attempt `n + 1` is `min(maxDelay, baseDelay × 2^(n−1))`, or the source's `Retry-After` when it
/// asks for longer (capped at `maxRetryAfter`). No jitter: one instance runs the schedule, so there is no herd to
/// spread, and deterministic delays keep runs reproducible.
public struct RetryPolicy: Hashable, Sendable {
    /// Attempts per step, the first included. Defaults to `4`.
    public var maxAttempts: Int = 4
    /// Delay after the first failure. Defaults to 500 ms.
    public var baseDelay: Duration = .milliseconds(500)
    /// Upper bound of the exponential delay. Defaults to 30 s.
    public var maxDelay: Duration = .seconds(30)
    /// Upper bound on a server-requested `Retry-After`. Defaults to 120 s.
    public var maxRetryAfter: Duration = .seconds(120)

    /// The default policy.
    public init() {}

    /// Creates a policy.
    public init(maxAttempts: Int, baseDelay: Duration, maxDelay: Duration = .seconds(30), maxRetryAfter: Duration = .seconds(120)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// How long to wait after failed attempt `attempt` (1-based), honouring `retryAfterSeconds` when given.
    public func delay(afterAttempt attempt: Int, retryAfterSeconds: Double?) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let exponential = min(self.maxDelay, self.baseDelay * (1 << exponent))
        guard let retryAfterSeconds, retryAfterSeconds > 0 else { return exponential }
        let requested = min(self.maxRetryAfter, .milliseconds(Int64(retryAfterSeconds * 1000)))
        return max(exponential, requested)
    }
}
