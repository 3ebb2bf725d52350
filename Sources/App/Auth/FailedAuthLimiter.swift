import Foundation

/// Counts failed authentications per client address and blocks an address for the rest of a one-minute window once
/// it exceeds the limit (then 429 with `Retry-After`). Holds at most `maxAddresses` addresses; the oldest windows are
/// dropped first, so a flood of addresses cannot grow memory.
actor FailedAuthLimiter {
    private struct Window {
        var start: ContinuousClock.Instant
        var failures: Int
    }

    private let limit: Int
    private let window: Duration
    private let maxAddresses: Int
    private var windows: [String: Window] = [:]

    /// - Parameters:
    ///   - limit: failures allowed per window.
    ///   - window: window length. Defaults to 60 s.
    ///   - maxAddresses: addresses tracked at once. Defaults to `10_000`.
    init(limit: Int, window: Duration = .seconds(60), maxAddresses: Int = 10_000) {
        self.limit = limit
        self.window = window
        self.maxAddresses = maxAddresses
    }

    /// Seconds until `address` may try again, or `nil` when it is not blocked.
    func blockedFor(_ address: String) -> Int? {
        guard let entry = self.windows[address] else { return nil }
        let elapsed = ContinuousClock.now - entry.start
        if elapsed >= self.window {
            self.windows[address] = nil
            return nil
        }
        guard entry.failures >= self.limit else { return nil }
        return max(1, Int((self.window - elapsed).components.seconds) + 1)
    }

    /// Records one failure of `address`.
    func recordFailure(_ address: String) {
        let now = ContinuousClock.now
        if var entry = self.windows[address], now - entry.start < self.window {
            entry.failures += 1
            self.windows[address] = entry
            return
        }
        if self.windows.count >= self.maxAddresses {
            let expired = self.windows.filter { now - $0.value.start >= self.window }.map(\.key)
            for key in expired { self.windows[key] = nil }
            if self.windows.count >= self.maxAddresses, let oldest = self.windows.min(by: { $0.value.start < $1.value.start })?.key {
                self.windows[oldest] = nil
            }
        }
        self.windows[address] = Window(start: now, failures: 1)
    }
}
