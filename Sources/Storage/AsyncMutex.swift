import Synchronization

/// A first-in-first-out lock for async code: `withLock` runs its body with exclusive access, and waiting tasks
/// get the lock strictly in arrival order.
///
/// An actor is not enough to serialise a database transaction: actors are re-entrant, so a second call can start
/// while the first is suspended in the middle of `BEGIN … COMMIT`. This lock is held across suspension points.
///
/// A task cancelled while it waits leaves the queue and throws `CancellationError`; a task that already holds the
/// lock keeps it until its body returns. The queue holds at most one entry per waiting task (it is bounded by the
/// number of concurrent callers).
final class AsyncMutex: Sendable {
    private enum Continuation {
        case cancellable(CheckedContinuation<Void, any Error>)
        case uncancellable(CheckedContinuation<Void, Never>)

        func resume() {
            switch self {
            case .cancellable(let continuation): continuation.resume()
            case .uncancellable(let continuation): continuation.resume()
            }
        }
    }

    private struct Waiter {
        var id: UInt64
        var continuation: Continuation
    }

    private struct State {
        var isLocked = false
        var nextID: UInt64 = 0
        var waiters: [Waiter] = []
        /// Index of the first live waiter in `waiters` (the array is compacted when it is half consumed).
        var head = 0

        mutating func popFirst() -> Waiter? {
            guard self.head < self.waiters.count else { return nil }
            let first = self.waiters[self.head]
            self.head += 1
            if self.head * 2 >= self.waiters.count {
                self.waiters.removeFirst(self.head)
                self.head = 0
            }
            return first
        }

        mutating func remove(id: UInt64) -> Waiter? {
            guard let index = self.waiters[self.head...].firstIndex(where: { $0.id == id }) else { return nil }
            return self.waiters.remove(at: index)
        }
    }

    private let state = Mutex(State())

    /// Creates an unlocked mutex.
    init() {}

    /// Number of tasks currently waiting (for tests and diagnostics).
    var waitingCount: Int {
        self.state.withLock { $0.waiters.count - $0.head }
    }

    /// Runs `body` while holding the lock; waits (in FIFO order) until the lock is free.
    ///
    /// With `cancellable: false` the wait ignores task cancellation (for shutdown work that must run even in a
    /// cancelled task, such as closing connections).
    @discardableResult
    func withLock<Result: Sendable>(cancellable: Bool = true, _ body: () async throws -> Result) async throws -> Result {
        if cancellable {
            try await self.lock()
        } else {
            await self.lockIgnoringCancellation()
        }
        do {
            let result = try await body()
            self.unlock()
            return result
        } catch {
            self.unlock()
            throw error
        }
    }

    private func lock() async throws {
        let id = self.state.withLock { state -> UInt64 in
            state.nextID &+= 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Decision { case acquired, queued, cancelled }
                // `Task.isCancelled` is set before the cancellation handler runs, and both sides take the state
                // lock: either the handler finds this waiter queued, or this check sees the cancellation.
                let decision = self.state.withLock { state -> Decision in
                    if Task.isCancelled { return .cancelled }
                    if !state.isLocked {
                        state.isLocked = true
                        return .acquired
                    }
                    state.waiters.append(Waiter(id: id, continuation: .cancellable(continuation)))
                    return .queued
                }
                switch decision {
                case .acquired: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .queued: break
                }
            }
        } onCancel: {
            let waiter = self.state.withLock { $0.remove(id: id) }
            if case .cancellable(let continuation)? = waiter?.continuation {
                continuation.resume(throwing: CancellationError())
            }
        }
    }

    private func lockIgnoringCancellation() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = self.state.withLock { state -> Bool in
                if !state.isLocked {
                    state.isLocked = true
                    return true
                }
                state.nextID &+= 1
                state.waiters.append(Waiter(id: state.nextID, continuation: .uncancellable(continuation)))
                return false
            }
            if acquired { continuation.resume() }
        }
    }

    private func unlock() {
        // Ownership passes directly to the next waiter, so the lock is never free while someone waits.
        let next = self.state.withLock { state -> Waiter? in
            precondition(state.isLocked, "AsyncMutex unlocked while not locked")
            if let next = state.popFirst() { return next }
            state.isLocked = false
            return nil
        }
        next?.continuation.resume()
    }
}
