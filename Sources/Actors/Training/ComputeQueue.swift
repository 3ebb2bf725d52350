import Dispatch
import Synchronization

/// Runs CPU-bound work (training, backtests, XGBoost, LAPACK) on a dedicated dispatch queue, never on Swift's
/// cooperative pool, and suspends the caller until it is done.
public enum ComputeQueue {
    private static let queue = DispatchQueue(label: "stockcast.compute", qos: .utility, attributes: .concurrent)

    /// Runs `body` on the compute queue and returns its result.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            self.queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}

/// Shared between a running task and its supervisor: the work writes progress and reads the cancel flag at each fold.
public final class TaskControl: Sendable {
    private struct State {
        var fraction = 0.0
        var message = ""
        var cancelled = false
        var superseded = false
        var version = 0
    }

    private let state = Mutex(State())

    /// A fresh control (no progress, not cancelled).
    public init() {}

    /// Called by the work: records progress and returns `false` when it must stop.
    public func report(_ fraction: Double, _ message: String) -> Bool {
        self.state.withLock { state in
            state.fraction = fraction
            state.message = message
            state.version += 1
            return !state.cancelled
        }
    }

    /// Asks the work to stop at its next fold.
    public func cancel() {
        self.state.withLock { $0.cancelled = true }
    }

    /// Whether a stop was requested.
    public var isCancelled: Bool { self.state.withLock { $0.cancelled } }

    /// The task's lease was lost (another instance reclaimed it): stop, and write nothing more.
    public func supersede() {
        self.state.withLock {
            $0.superseded = true
            $0.cancelled = true
        }
    }

    /// Whether the lease was lost.
    public var isSuperseded: Bool { self.state.withLock { $0.superseded } }

    /// The latest progress and a counter that changes with every report.
    public var snapshot: (fraction: Double, message: String, version: Int) {
        self.state.withLock { ($0.fraction, $0.message, $0.version) }
    }
}
