import Dispatch

/// A `TaskExecutor` that runs every job it is given on one `DispatchQueue`.
///
/// Used with `withTaskExecutorPreference` so that a blocking librdkafka call (the consumer's timed poll) occupies a
/// thread of that queue instead of a thread of Swift's cooperative pool (the approach of swift-kafka-client PR #178).
final class DispatchQueueTaskExecutor: TaskExecutor {
    /// The queue the jobs run on.
    let queue: DispatchQueue

    /// Creates an executor on `queue`.
    init(_ queue: DispatchQueue) {
        self.queue = queue
    }

    /// Schedules `job` on the queue.
    func enqueue(_ job: consuming ExecutorJob) {
        let unownedJob = UnownedJob(job)
        self.queue.async {
            unownedJob.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }

    /// This executor as an unowned reference, as the runtime expects.
    func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }
}
