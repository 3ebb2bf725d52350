/// Holds services back until start-up work (migrations) is done: `wait()` suspends until `open()`.
/// Waiting ends early with `CancellationError` when the waiting task is cancelled (a failed start-up).
public actor ReadinessGate {
    private var isOpen = false
    private var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
    private var nextID = 0

    /// A closed gate.
    public init() {}

    /// Opens the gate and releases every waiter; later `wait()` calls return at once.
    public func open() {
        self.isOpen = true
        for (_, waiter) in self.waiters { waiter.resume() }
        self.waiters.removeAll()
    }

    /// Suspends until the gate is open.
    public func wait() async throws {
        if self.isOpen { return }
        let id = self.nextID
        self.nextID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if self.isOpen || Task.isCancelled {
                    Task.isCancelled ? continuation.resume(throwing: CancellationError()) : continuation.resume()
                } else {
                    self.waiters[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    private func cancel(_ id: Int) {
        self.waiters.removeValue(forKey: id)?.resume(throwing: CancellationError())
    }
}
