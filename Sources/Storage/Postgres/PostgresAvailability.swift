import NIOConcurrencyHelpers

/// Whether PostgreSQL answers, as the store sees it:
/// - `up`: calls go to the pool;
/// - `suspect`: a connection failed or no connection was leased within the lease timeout. Calls still go to the pool
///   (a pool that is only busy is not an outage), and the next probe decides;
/// - `down`: a probe found the database unreachable. Every call fails at once with `unavailable` (an HTTP 503 with
///   `Retry-After`, never a wait) until a fresh connection pool answers a probe and the store switches to it.
final class PostgresAvailability: Sendable {
    enum State: Equatable {
        case up
        case suspect
        case down(since: ContinuousClock.Instant)
    }

    private let state = NIOLockedValueBox(State.up)

    /// The current state.
    var current: State { self.state.withLockedValue { $0 } }

    /// Whether calls fail fast.
    var isDown: Bool {
        if case .down = self.current { return true }
        return false
    }

    /// Asks for a probe; `true` when the store was `up` until now.
    @discardableResult
    func suspect() -> Bool {
        self.state.withLockedValue { state in
            guard state == .up else { return false }
            state = .suspect
            return true
        }
    }

    /// Records that a probe failed; `true` when this starts an outage.
    @discardableResult
    func markDown() -> Bool {
        self.state.withLockedValue { state in
            if case .down = state { return false }
            state = .down(since: .now)
            return true
        }
    }

    /// Records that a probe answered; returns how long the outage lasted when the store was `down`.
    @discardableResult
    func markUp() -> Duration? {
        self.state.withLockedValue { state in
            defer { state = .up }
            if case .down(let since) = state { return .now - since }
            return nil
        }
    }
}
