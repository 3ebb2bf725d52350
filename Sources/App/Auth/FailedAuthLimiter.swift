import Foundation

/// Counts failed authentications per (client address, presented key prefix) in one-minute windows. Beyond the limit
/// a pair is throttled for the rest of its window: its failures are answered 429 with `Retry-After` and logged once.
///
/// It never blocks a valid key (the authenticator checks the key first), and one pair's failures do not touch
/// another's, so a client behind the same proxy sending bad keys cannot lock anybody out. Holds at most `maxEntries`
/// pairs; the oldest windows are dropped first, so a flood of addresses or prefixes cannot grow memory.
actor FailedAuthLimiter {
    /// What one recorded failure means.
    struct Verdict: Equatable {
        /// Failures of this pair in the current window, this one included.
        var failures: Int
        /// Seconds until the pair may try again, when it is over the limit.
        var blockedFor: Int?
        /// Whether to log this failure (every failure up to the limit, then only the first beyond it).
        var shouldLog: Bool
    }

    private struct Window {
        var start: ContinuousClock.Instant
        var failures: Int
    }

    private let limit: Int
    private let window: Duration
    private let maxEntries: Int
    private var windows: [String: Window] = [:]

    /// - Parameters:
    ///   - limit: failures allowed per pair and window (`auth.max_failures_per_minute`).
    ///   - window: window length. Defaults to 60 s.
    ///   - maxEntries: pairs tracked at once. Defaults to `10_000`.
    init(limit: Int, window: Duration = .seconds(60), maxEntries: Int = 10_000) {
        self.limit = limit
        self.window = window
        self.maxEntries = maxEntries
    }

    /// Records one failure of `prefix` presented from `address`.
    func recordFailure(address: String, prefix: String) -> Verdict {
        let key = "\(address)|\(prefix)"
        let now = ContinuousClock.now
        var entry: Window
        if let existing = self.windows[key], now - existing.start < self.window {
            entry = existing
            entry.failures += 1
        } else {
            self.makeRoom(now: now)
            entry = Window(start: now, failures: 1)
        }
        self.windows[key] = entry
        guard entry.failures > self.limit else { return Verdict(failures: entry.failures, blockedFor: nil, shouldLog: true) }
        let remaining = self.window - (now - entry.start)
        return Verdict(
            failures: entry.failures, blockedFor: max(1, Int(remaining.components.seconds) + 1), shouldLog: entry.failures == self.limit + 1)
    }

    private func makeRoom(now: ContinuousClock.Instant) {
        guard self.windows.count >= self.maxEntries else { return }
        for (key, entry) in self.windows where now - entry.start >= self.window { self.windows[key] = nil }
        if self.windows.count >= self.maxEntries, let oldest = self.windows.min(by: { $0.value.start < $1.value.start })?.key {
            self.windows[oldest] = nil
        }
    }
}
