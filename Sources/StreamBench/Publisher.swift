import Actors
import Synchronization

/// Publishes `count` prediction events on the bus at `rate` per second, paced against a fixed schedule (event i is due
/// at start + i / rate): it sleeps only when ahead, and when late publishes at once so the average rate holds. Each
/// event carries its actual publish time; how late that was against the schedule is recorded separately, since
/// latency measured from a late publish would hide the lateness (coordinated omission).
struct Publisher {
    let bus: any EventBus
    let payload: PredictionPayload
    let rate: Int
    let count: Int
    /// Peak RSS at which publishing stops early, bytes (checked every 100 events).
    let maxResidentBytes: Int
    /// Counts published events for the progress samples.
    let sampler: ProgressSampler

    /// What publishing took.
    struct Outcome: Sendable {
        /// Events published.
        let published: Int
        /// Why publishing stopped before `count`, if it did.
        let stoppedEarly: String?
        /// First and last publish (`MonotonicTime`).
        let startedAt: UInt64
        let endedAt: UInt64
        /// Publish time − scheduled time, µs.
        let lateness: LatencyHistogram
    }

    /// Publishes every event (or until the RSS limit), then the end frame.
    func run() async -> Outcome {
        var lateness = LatencyHistogram()
        let start = MonotonicTime.now()
        let interval = 1_000_000_000.0 / Double(self.rate)
        var published = 0
        var stoppedEarly: String?
        for index in 0..<self.count {
            if index % 100 == 0 {
                let peak = ProcessUsage.now().peakResidentBytes
                if peak > self.maxResidentBytes {
                    stoppedEarly = "peak RSS \(peak / 1_048_576) MiB passed the limit of \(self.maxResidentBytes / 1_048_576) MiB after \(index) events"
                    break
                }
            }
            let due = start + UInt64((Double(index) * interval).rounded())
            let now = MonotonicTime.now()
            if due > now { try? await Task.sleep(for: .nanoseconds(due - now)) }
            let sent = MonotonicTime.now()
            lateness.record(microseconds: (sent &- min(due, sent)) / 1000)
            self.bus.publish(self.payload.event(sentNanoseconds: sent))
            published += 1
            self.sampler.published.add(1, ordering: .relaxed)
        }
        let end = MonotonicTime.now()
        self.bus.publish(PredictionPayload.endEvent())
        return Outcome(published: published, stoppedEarly: stoppedEarly, startedAt: start, endedAt: end, lateness: lateness)
    }
}
