import Dispatch

/// Runs calls that block (librdkafka's `flush`, `consumer_close`, `subscribe`) on a private concurrent queue, so a
/// waiting librdkafka call never holds a thread of Swift's cooperative pool.
enum BlockingCall {
    /// The queue every blocking librdkafka call runs on. Concurrent: two clients closing at once do not wait for each
    /// other; GCD bounds its thread count.
    static let queue = DispatchQueue(label: "KafkaBridge.blocking", attributes: .concurrent)

    /// Runs `body` on ``queue`` and suspends (without blocking) until it returns.
    ///
    /// - Important: The call is not cancellable: `body` runs to completion even if the calling task is cancelled,
    ///   so every librdkafka call it makes has to be bounded by its own timeout.
    static func run<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            Self.queue.async {
                continuation.resume(returning: body())
            }
        }
    }
}
