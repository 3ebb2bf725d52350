import MarketData
import Testing

@Suite struct TokenBucketTests {
    @Test func startsFullAndRefusesTheTokenAfterCapacity() async {
        let bucket = TokenBucket(capacity: 3, refillPerSecond: 0.001)
        #expect(await bucket.tryAcquire())
        #expect(await bucket.tryAcquire())
        #expect(await bucket.tryAcquire())
        #expect(await bucket.tryAcquire() == false)
    }

    /// The (N+1)th acquire is served only after a refill: it cannot return before one refill interval.
    @Test func acquireBeyondCapacityWaitsForTheRefill() async throws {
        let bucket = TokenBucket(capacity: 2, refillPerSecond: 20)  // one token every 50 ms
        let clock = ContinuousClock()
        try await bucket.acquire()
        try await bucket.acquire()
        #expect(await bucket.tryAcquire() == false)
        let start = clock.now
        try await bucket.acquire()
        #expect(start.duration(to: clock.now) >= .milliseconds(40))
    }

    /// Concurrent waiters are released one refill apart: the k-th to finish cannot finish before k intervals.
    @Test func waitersAreSpacedByTheRefillInterval() async throws {
        let bucket = TokenBucket(capacity: 1, refillPerSecond: 50)  // one token every 20 ms
        let clock = ContinuousClock()
        try await bucket.acquire()
        let start = clock.now
        let finished = try await withThrowingTaskGroup(of: Duration.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await bucket.acquire()
                    return start.duration(to: clock.now)
                }
            }
            var times: [Duration] = []
            for try await time in group { times.append(time) }
            return times.sorted()
        }
        for (index, time) in finished.enumerated() {
            #expect(time >= .milliseconds(18 * (index + 1)), "waiter \(index + 1) finished after \(time)")
        }
        #expect(await bucket.waiterCount == 0)
    }

    @Test func refusesWaitersBeyondTheBound() async throws {
        let bucket = TokenBucket(capacity: 1, refillPerSecond: 0.5, maxWaiters: 0)
        try await bucket.acquire()
        let error = await #expect(throws: ProviderError.self) { try await bucket.acquire() }
        #expect(error?.code == .rateLimited)
        let wait = try #require(error?.retryAfterSeconds)
        #expect(wait > 1.5 && wait <= 2.0)
    }

    @Test func cancelledWaiterStopsWaitingAndLeavesTheQueue() async throws {
        let bucket = TokenBucket(capacity: 1, refillPerSecond: 0.001)  // next token in ~17 minutes
        try await bucket.acquire()
        let waiter = Task { try await bucket.acquire() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(await bucket.waiterCount == 0)
    }
}
