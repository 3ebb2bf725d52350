import Synchronization

/// A value set once and awaited by any number of tasks (the server's port; the release of the stalled clients).
/// Waiters that arrive after it is set return at once. Holds at most one value and one continuation per waiter.
final class OneShot<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiters: [CheckedContinuation<Value, Never>] = []
    }

    private let state = Mutex(State())

    init() {}

    /// Sets the value (later calls are ignored) and resumes every waiter.
    func fulfil(_ value: Value) {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Value, Never>] in
            guard state.value == nil else { return [] }
            state.value = value
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }

    /// The value, once set. Not cancellable: the harness always fulfils what it waits on (the stalled clients'
    /// release is fulfilled on every path, the port before any client starts).
    func value() async -> Value {
        await withCheckedContinuation { continuation in
            let ready = self.state.withLock { state -> Value? in
                if let value = state.value { return value }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// The value if already set.
    var current: Value? { self.state.withLock { $0.value } }
}
