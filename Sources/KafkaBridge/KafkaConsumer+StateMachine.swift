extension KafkaConsumer {
    /// The consumer's lifecycle as a value: it decides, and the consumer performs the librdkafka calls.
    ///
    /// Its one invariant protects librdkafka: `rd_kafka_consumer_close` must not run while a message poll is in
    /// flight (the close redirects the consumer queue, and a concurrent poll could take the close's own reply, hanging
    /// it). So polls are counted, and the close starts only when the count is zero; no poll starts once closing began.
    struct StateMachine: Sendable {
        enum Phase: Sendable, Equatable {
            /// Constructed; ``KafkaConsumer/run()`` not called yet.
            case idle
            /// Subscribed; the event loop runs.
            case running
            /// Graceful shutdown requested: no new polls; waiting for in-flight polls, then closing.
            case closing
            /// `rd_kafka_consumer_close` returned; nothing more is polled.
            case closed
        }

        private(set) var phase = Phase.idle
        /// Message polls currently inside librdkafka.
        private(set) var pollsInFlight = 0
        /// The closer, waiting for `pollsInFlight` to reach zero.
        private var closeWaiter: CheckedContinuation<Void, Never>?

        /// ``KafkaConsumer/run()`` starts. Returns `false` if it already ran (or the consumer closed).
        mutating func startRunning() -> Bool {
            guard self.phase == .idle else { return false }
            self.phase = .running
            return true
        }

        /// Whether the event loop should keep going.
        var isRunning: Bool { self.phase == .running }

        /// A message poll wants to start. Returns `false` once closing began: the iterator then ends.
        mutating func startPoll() -> Bool {
            switch self.phase {
            case .idle, .running:
                self.pollsInFlight += 1
                return true
            case .closing, .closed:
                return false
            }
        }

        /// A message poll returned. Returns the closer to resume if it was waiting for this poll.
        mutating func finishPoll() -> CheckedContinuation<Void, Never>? {
            precondition(self.pollsInFlight > 0, "finishPoll without startPoll")
            self.pollsInFlight -= 1
            guard self.pollsInFlight == 0, let waiter = self.closeWaiter else { return nil }
            self.closeWaiter = nil
            return waiter
        }

        /// Graceful shutdown (or cancellation, or a failed start): stop polling. Idempotent.
        mutating func requestClose() {
            if self.phase == .idle || self.phase == .running {
                self.phase = .closing
            }
        }

        /// The closer waits until no poll is in flight. Returns `true` if it may proceed at once; otherwise `waiter`
        /// is resumed by the ``finishPoll()`` that brings the count to zero.
        mutating func waitForPolls(_ waiter: CheckedContinuation<Void, Never>) -> Bool {
            precondition(self.phase == .closing, "waitForPolls outside closing")
            precondition(self.closeWaiter == nil, "two closers")
            if self.pollsInFlight == 0 { return true }
            self.closeWaiter = waiter
            return false
        }

        /// `rd_kafka_consumer_close` returned.
        mutating func closed() {
            self.phase = .closed
        }
    }
}
