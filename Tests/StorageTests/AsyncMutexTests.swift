import Synchronization
import Testing

@testable import Storage

@Suite struct AsyncMutexTests {
    /// Records what the critical sections did, and signals when a given number of tasks wait for the lock.
    final class Journal: Sendable {
        let events = Mutex<[String]>([])
        func append(_ event: String) { self.events.withLock { $0.append(event) } }
        var all: [String] { self.events.withLock { $0 } }
    }

    @Test func sectionsDoNotInterleaveAcrossSuspensions() async throws {
        let mutex = AsyncMutex()
        let journal = Journal()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    try await mutex.withLock {
                        journal.append("begin \(index)")
                        for _ in 0..<3 { await Task.yield() }
                        journal.append("end \(index)")
                    }
                }
            }
            try await group.waitForAll()
        }
        let events = journal.all
        #expect(events.count == 100)
        for pair in stride(from: 0, to: events.count, by: 2) {
            let begin = events[pair]
            #expect(begin.hasPrefix("begin "))
            #expect(events[pair + 1] == "end " + begin.dropFirst("begin ".count))
        }
    }

    @Test func waitersAreServedInArrivalOrder() async throws {
        let mutex = AsyncMutex()
        let journal = Journal()
        let (holding, holdingContinuation) = AsyncStream<Void>.makeStream()
        let (release, releaseContinuation) = AsyncStream<Void>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await mutex.withLock {
                    holdingContinuation.yield()
                    for await _ in release { break }
                }
            }
            for await _ in holding { break }
            // Queue waiters one at a time: each is enqueued before the next starts.
            for index in 0..<5 {
                group.addTask { try await mutex.withLock { journal.append("\(index)") } }
                while mutex.waitingCount < index + 1 { await Task.yield() }
            }
            releaseContinuation.yield()
            try await group.waitForAll()
        }
        #expect(journal.all == ["0", "1", "2", "3", "4"])
    }

    @Test func cancelledWaiterLeavesTheQueue() async throws {
        let mutex = AsyncMutex()
        let journal = Journal()
        let (holding, holdingContinuation) = AsyncStream<Void>.makeStream()
        let (release, releaseContinuation) = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await mutex.withLock {
                holdingContinuation.yield()
                for await _ in release { break }
            }
        }
        for await _ in holding { break }
        let cancelled = Task { try await mutex.withLock { journal.append("cancelled ran") } }
        while mutex.waitingCount < 1 { await Task.yield() }
        let next = Task { try await mutex.withLock { journal.append("next ran") } }
        while mutex.waitingCount < 2 { await Task.yield() }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(mutex.waitingCount == 1)
        releaseContinuation.yield()
        try await holder.value
        try await next.value
        #expect(journal.all == ["next ran"])
        #expect(mutex.waitingCount == 0)
    }

    @Test func errorsReleaseTheLock() async throws {
        struct Failure: Error {}
        let mutex = AsyncMutex()
        await #expect(throws: Failure.self) { try await mutex.withLock { throw Failure() } }
        #expect(try await mutex.withLock { 42 } == 42)
    }
}
