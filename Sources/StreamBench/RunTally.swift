import Synchronization

/// Where clients report: counters the harness polls (connected, done) and the merged totals of each role. Every
/// client records exactly once (a slot per client), whether it finished, was cut off or never connected.
final class RunTally: Sendable {
    /// Totals of one role, merged from its clients.
    struct RoleTotals: Sendable {
        /// Clients that recorded.
        var clients = 0
        /// Clients that saw the end frame.
        var finished = 0
        /// Clients that never got the hello (connection refused, upgrade failed).
        var failedToConnect = 0
        /// Clients whose connection ended before the end frame, with the first error seen.
        var endedEarly = 0
        var firstError: String?
        var delivered = 0
        var dropped = 0
        var droppedNotices = 0
        var other = 0
        /// Clients with at least one dropped frame.
        var clientsWithDrops = 0
        /// Fewest events any client received.
        var minDelivered = Int.max
        /// Latest arrival of the end frame (`MonotonicTime`).
        var lastFinishedAt: UInt64 = 0
        /// Merged delivery latencies.
        var latency = LatencyHistogram()
    }

    private struct State {
        var recorded: [Bool]
        var live = RoleTotals()
        var stalled = RoleTotals()
    }

    private let state: Mutex<State>
    private let liveConnected = Atomic<Int>(0)
    private let stalledConnected = Atomic<Int>(0)
    private let liveDone = Atomic<Int>(0)
    private let stalledDone = Atomic<Int>(0)
    private let received = Atomic<Int>(0)

    /// A tally for `clients` clients.
    init(clients: Int) {
        self.state = Mutex(State(recorded: [Bool](repeating: false, count: clients)))
    }

    /// A client got its hello.
    func connected(_ role: FanOutClient.Role) {
        if role == .live { self.liveConnected.add(1, ordering: .relaxed) } else { self.stalledConnected.add(1, ordering: .relaxed) }
    }

    /// A client's outcome (ignored if the client already recorded).
    func record(_ index: Int, _ result: ClientResult) {
        let first = self.state.withLock { state -> Bool in
            guard !state.recorded[index] else { return false }
            state.recorded[index] = true
            if result.role == .live { Self.add(result, to: &state.live) } else { Self.add(result, to: &state.stalled) }
            return true
        }
        if first { self.countDone(result.role) }
    }

    /// A client that could not connect (ignored if it already recorded).
    func failed(_ index: Int, role: FanOutClient.Role, error: String) {
        let first = self.state.withLock { state -> Bool in
            guard !state.recorded[index] else { return false }
            state.recorded[index] = true
            if role == .live { Self.addFailure(error, to: &state.live) } else { Self.addFailure(error, to: &state.stalled) }
            return true
        }
        if first { self.countDone(role) }
    }

    /// Clients add the frames they received in steps (for the progress samples).
    func addReceived(_ frames: Int) {
        self.received.add(frames, ordering: .relaxed)
    }

    /// Frames received so far by all clients (each client adds in steps of `FanOutClient.progressStep`).
    func receivedSoFar() -> Int {
        self.received.load(ordering: .relaxed)
    }

    /// Clients of `role` that got their hello.
    func connectedCount(_ role: FanOutClient.Role) -> Int {
        role == .live ? self.liveConnected.load(ordering: .relaxed) : self.stalledConnected.load(ordering: .relaxed)
    }

    /// Clients of `role` that recorded (finished, ended early or failed).
    func doneCount(_ role: FanOutClient.Role) -> Int {
        role == .live ? self.liveDone.load(ordering: .relaxed) : self.stalledDone.load(ordering: .relaxed)
    }

    /// Clients of `role` that never connected.
    func failedCount(_ role: FanOutClient.Role) -> Int {
        self.state.withLock { role == .live ? $0.live.failedToConnect : $0.stalled.failedToConnect }
    }

    /// The merged totals of both roles.
    func totals() -> (live: RoleTotals, stalled: RoleTotals) {
        self.state.withLock { ($0.live, $0.stalled) }
    }

    private func countDone(_ role: FanOutClient.Role) {
        if role == .live { self.liveDone.add(1, ordering: .relaxed) } else { self.stalledDone.add(1, ordering: .relaxed) }
    }

    private static func add(_ result: ClientResult, to totals: inout RoleTotals) {
        totals.clients += 1
        totals.delivered += result.delivered
        totals.dropped += result.dropped
        totals.droppedNotices += result.droppedNotices
        totals.other += result.other
        totals.minDelivered = min(totals.minDelivered, result.delivered)
        if result.dropped > 0 { totals.clientsWithDrops += 1 }
        if result.finished {
            totals.finished += 1
            totals.lastFinishedAt = max(totals.lastFinishedAt, result.finishedAt)
        } else {
            totals.endedEarly += 1
            if totals.firstError == nil { totals.firstError = result.error ?? "the connection ended before the end frame" }
        }
        totals.latency.merge(result.latency)
    }

    private static func addFailure(_ error: String, to totals: inout RoleTotals) {
        totals.clients += 1
        totals.failedToConnect += 1
        totals.minDelivered = 0
        if totals.firstError == nil { totals.firstError = error }
    }
}
