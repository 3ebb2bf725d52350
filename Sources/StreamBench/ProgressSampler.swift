import Foundation
import Synchronization

/// Once a second from the first publish until the live clients have drained: events published, frames the server's
/// pumps handed to `outbound.write`, frames the clients received, resident memory and CPU. The gap between written and
/// received is what sits in event-loop queues, NIO write buffers, socket buffers and client inbound buffers; its growth
/// next to the RSS shows where a backlog builds. Bounded: one sample per second for at most `maxSamples`.
final class ProgressSampler: Sendable {
    /// One sample.
    struct Sample: Encodable, Sendable {
        /// Seconds since the first publish.
        let t: Double
        let published: Int
        let serverWritten: Int
        let clientsReceived: Int
        /// Written but not yet received (live and stalled clients).
        let inFlight: Int
        let rssMb: Double
        let cpuSeconds: Double
    }

    /// Most samples kept.
    let maxSamples: Int
    /// Events published so far (the publisher adds one per event).
    let published = Atomic<Int>(0)
    private let samples = Mutex<[Sample]>([])
    private let stopped = Atomic<Bool>(false)

    init(maxSamples: Int) {
        self.maxSamples = maxSamples
    }

    /// Ends `run` (within a second).
    func stop() {
        self.stopped.store(true, ordering: .relaxed)
    }

    /// Samples every second until `stop()`, cancellation, or `maxSamples` samples.
    func run(from start: UInt64, counters: PumpCounters, tally: RunTally) async {
        var next = start
        while !Task.isCancelled, !self.stopped.load(ordering: .relaxed) {
            next += 1_000_000_000
            let now = MonotonicTime.now()
            if next > now { try? await Task.sleep(for: .nanoseconds(next - now)) }
            guard !Task.isCancelled, !self.stopped.load(ordering: .relaxed) else { return }
            let written = counters.framesWritten.load(ordering: .relaxed)
            let received = tally.receivedSoFar()
            let sample = Sample(
                t: (Double(MonotonicTime.now() - start) / 1e8).rounded() / 10, published: self.published.load(ordering: .relaxed),
                serverWritten: written, clientsReceived: received, inFlight: written - received,
                rssMb: (Double(Self.residentBytes()) / 1_048_576).rounded(), cpuSeconds: (ProcessUsage.now().cpuSeconds * 100).rounded() / 100
            )
            let full = self.samples.withLock { samples -> Bool in
                samples.append(sample)
                return samples.count >= self.maxSamples
            }
            if full { return }
        }
    }

    /// The samples taken.
    func taken() -> [Sample] {
        self.samples.withLock { $0 }
    }

    /// Resident set size now (`/proc/self/statm`, second field, in pages); 0 where unreadable.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
