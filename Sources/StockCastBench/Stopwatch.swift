#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Monotonic time in nanoseconds (`CLOCK_MONOTONIC`), cheap enough to wrap a single sub-microsecond call.
enum Stopwatch {
    /// Nanoseconds since an arbitrary fixed point.
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Seconds `body` took, and its result.
    static func measure<T>(_ body: () throws -> T) rethrows -> (seconds: Double, value: T) {
        let start = self.now()
        let value = try body()
        return (Double(self.now() - start) / 1e9, value)
    }

    /// The seconds of `repeats` runs of `body` (each run timed on its own), and the last result.
    static func repeated<T>(_ repeats: Int, _ body: () throws -> T) rethrows -> (seconds: [Double], value: T) {
        precondition(repeats >= 1, "at least one run")
        var seconds: [Double] = []
        seconds.reserveCapacity(repeats)
        var last: T?
        for _ in 0..<repeats {
            let (elapsed, value) = try self.measure(body)
            seconds.append(elapsed)
            last = value
        }
        return (seconds, last!)
    }
}

/// Summary statistics of a list of timings.
struct TimingSummary: Codable {
    /// Number of timings.
    var count: Int
    /// Median.
    var median: Double
    /// Smallest.
    var min: Double
    /// Mean.
    var mean: Double
    /// 99th percentile (nearest rank).
    var p99: Double

    /// Summarises `values` (at least one).
    init(_ values: [Double]) {
        precondition(!values.isEmpty, "no timings")
        let sorted = values.sorted()
        self.count = sorted.count
        self.median = Self.percentile(sorted, 0.5)
        self.min = sorted[0]
        self.mean = sorted.reduce(0, +) / Double(sorted.count)
        self.p99 = Self.percentile(sorted, 0.99)
    }

    /// Nearest-rank percentile of ascending `sorted`.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
    }
}
