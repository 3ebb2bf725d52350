#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Monotonic time in nanoseconds (`CLOCK_MONOTONIC`): the publisher stamps it into each event and the clients
/// subtract it from their own reading, which is meaningful because both run in this process.
enum MonotonicTime {
    /// Nanoseconds since an arbitrary fixed point.
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}

/// The process's CPU time and peak resident set size (`getrusage(RUSAGE_SELF)`) at one moment.
struct ProcessUsage: Sendable {
    /// User + system CPU seconds of every thread so far.
    let cpuSeconds: Double
    /// Peak resident set size so far, bytes.
    let peakResidentBytes: Int
    /// When it was taken (`MonotonicTime`).
    let at: UInt64

    /// The usage now.
    static func now() -> ProcessUsage {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        let seconds = { (time: timeval) in Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        #if canImport(Darwin)
        let peak = Int(usage.ru_maxrss)  // bytes on Darwin
        #else
        let peak = Int(usage.ru_maxrss) * 1024  // KiB on Linux
        #endif
        return ProcessUsage(cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime), peakResidentBytes: peak, at: MonotonicTime.now())
    }

    /// Raises the soft limit of open files to at least `needed` (at most the hard limit).
    ///
    /// - Returns: the soft limit in force afterwards.
    static func raiseOpenFileLimit(to needed: Int) -> Int {
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 0 }
        if Int(limit.rlim_cur) < needed {
            limit.rlim_cur = min(rlim_t(needed), limit.rlim_max)
            _ = setrlimit(resource, &limit)
            _ = getrlimit(resource, &limit)
        }
        return Int(limit.rlim_cur)
    }
}
