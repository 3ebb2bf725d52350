import Foundation

/// CPU, memory and file descriptors of this process, read from Linux's `/proc` (all zero elsewhere).
public struct ProcessStats: Sendable, Equatable {
    /// User + system CPU seconds.
    public var cpuSeconds: Double = 0
    /// Resident set size.
    public var residentBytes: Double = 0
    /// Open file descriptors.
    public var openFileDescriptors: Double = 0
    /// Process start, seconds since 1970.
    public var startTime: Double = 0

    /// Reads the current values.
    public static func current() -> ProcessStats {
        var stats = ProcessStats()
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        {
            // Fields after the command name: state is field 3; utime 14, stime 15, starttime 22 (1-based).
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 19, ticks > 0 {
                stats.cpuSeconds = ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / ticks
                if let bootTime = Self.bootTime() { stats.startTime = bootTime + (Double(fields[19]) ?? 0) / ticks }
            }
        }
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ")
            if fields.count > 1 { stats.residentBytes = (Double(fields[1]) ?? 0) * pageSize }
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            stats.openFileDescriptors = Double(entries.count)
        }
        return stats
    }

    private static func bootTime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
