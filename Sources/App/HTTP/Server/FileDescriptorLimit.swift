#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's open-file limit, which every connection, database socket and file counts against.
enum FileDescriptorLimit {
    /// Raises the soft `RLIMIT_NOFILE` to the hard limit (the most an unprivileged process may hold) and returns the
    /// soft limit now in force.
    @discardableResult
    static func raiseToHardLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// The connection caps that fit the descriptor limit: all connections at most half the descriptors, so the other
    /// half stays for the store, artifacts, Kafka and the process itself.
    static func fitted(_ limits: ConnectionLimits, descriptors: Int) -> ConnectionLimits {
        var fitted = limits
        fitted.maxConnections = max(16, min(limits.maxConnections, descriptors / 2))
        fitted.maxConnectionsPerAddress = min(limits.maxConnectionsPerAddress, fitted.maxConnections)
        return fitted
    }
}
