/// A token-bucket rate limiter shared by all requests to one source.
///
/// The bucket holds up to `capacity` tokens and gains `refillPerSecond` tokens per second. `acquire()` takes one
/// token, suspending (a timed `Task.sleep`, never a busy loop) until it exists. Waiters are served in arrival
/// order: each one reserves the next token on arrival (the balance may go negative, meaning "owed") and sleeps
/// until that token's refill time, so later arrivals always wake later.
///
/// Bounded: at most `maxWaiters` callers may be waiting at once; one more gets `ProviderError.rateLimited` at once,
/// with `retryAfterSeconds` saying when a token would be free, instead of growing the queue. A cancelled waiter
/// throws `CancellationError` and gives its reserved token back.
public actor TokenBucket {
    /// Most tokens the bucket holds (the burst size).
    public nonisolated let capacity: Int
    /// Tokens added per second.
    public nonisolated let refillPerSecond: Double
    /// Most callers allowed to wait at once.
    public nonisolated let maxWaiters: Int

    private let clock = ContinuousClock()
    /// Tokens available as of `lastRefill`; negative when tokens are owed to sleeping waiters.
    private var balance: Double
    private var lastRefill: ContinuousClock.Instant
    private var waiting = 0

    /// Creates a full bucket. `capacity` and `maxWaiters` are clamped to at least 1 and 0; `refillPerSecond` must be > 0.
    public init(capacity: Int, refillPerSecond: Double, maxWaiters: Int = 1_000) {
        precondition(refillPerSecond > 0 && refillPerSecond.isFinite, "TokenBucket refill rate must be positive")
        self.capacity = max(1, capacity)
        self.refillPerSecond = refillPerSecond
        self.maxWaiters = max(0, maxWaiters)
        self.balance = Double(max(1, capacity))
        self.lastRefill = ContinuousClock().now
    }

    /// Takes one token, waiting for the refill when the bucket is empty.
    ///
    /// - Throws: `ProviderError.rateLimited` when `maxWaiters` callers are already waiting; `CancellationError`
    ///   when the calling task is cancelled while waiting.
    public func acquire() async throws {
        let now = self.refill()
        if self.balance >= 1 {
            self.balance -= 1
            return
        }
        // Seconds until the token after those already owed exists.
        let wait = (1 - self.balance) / self.refillPerSecond
        guard self.waiting < self.maxWaiters else {
            throw ProviderError(
                .rateLimited, "local rate limit: \(self.waiting) requests already waiting", retryAfterSeconds: wait)
        }
        self.balance -= 1
        self.waiting += 1
        defer { self.waiting -= 1 }
        do {
            try await Task.sleep(until: now.advanced(by: .seconds(wait)), clock: self.clock)
        } catch {
            self.balance += 1
            throw error
        }
    }

    /// Takes a token only if one is available now; never waits.
    public func tryAcquire() -> Bool {
        self.refill()
        guard self.balance >= 1 else { return false }
        self.balance -= 1
        return true
    }

    /// Number of callers currently waiting for a token.
    public var waiterCount: Int { self.waiting }

    /// Adds the tokens earned since the last refill, up to `capacity`; returns the current instant.
    @discardableResult
    private func refill() -> ContinuousClock.Instant {
        let now = self.clock.now
        let elapsed = self.lastRefill.duration(to: now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        self.balance = min(Double(self.capacity), self.balance + seconds * self.refillPerSecond)
        self.lastRefill = now
        return now
    }
}
