import Dispatch
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Consumes messages from Kafka topics in a consumer group through librdkafka, as a `Service`.
///
/// Read ``messages``; add the consumer to the `ServiceGroup` so ``run()`` subscribes, serves statistics, errors and
/// logs, and on graceful shutdown leaves the group cleanly. Offsets are committed automatically
/// (`enable.auto.commit=true`) for every message ``messages`` has handed out.
///
/// Backpressure is librdkafka's own: ``messages`` pulls one message per `next()` and nothing is buffered in Swift;
/// librdkafka's pre-fetch queue is bounded by ``KafkaConfiguration/queuedMaxMessagesKBytes``.
///
/// ```swift
/// let consumer = try KafkaConsumer(configuration: configuration, groupID: "predictions",
///                                  topics: ["prices"], startAt: .latest, logger: logger)
/// // in a task: for try await message in consumer.messages { ... }
/// ```
public final class KafkaConsumer: Service, Sendable {
    /// The librdkafka handle and its callback context (rebalance, statistics). Destroyed when the consumer and every
    /// iterator of ``messages`` are released, after ``run()`` has closed it.
    private let client: RDKafkaClient
    /// The only thread on which a message poll blocks (swift-kafka-client PR #178): serial, one per consumer.
    private let pollExecutor: DispatchQueueTaskExecutor
    private let state = NIOLockedValueBox(StateMachine())
    private let configuration: KafkaConfiguration
    private let topics: [String]
    private let logger: Logger

    /// Creates the consumer; it joins the group `groupID` when ``run()`` starts.
    ///
    /// - Parameters:
    ///   - configuration: Shared settings; the consumer uses ``KafkaConfiguration/queuedMaxMessagesKBytes`` and
    ///     ``KafkaConfiguration/statisticsInterval``.
    ///   - groupID: `group.id`: consumers with the same id share the topics' partitions.
    ///   - topics: Topics to subscribe to.
    ///   - startAt: Where to start on partitions the group has no committed offset for (`auto.offset.reset`).
    ///   - logger: Receives librdkafka's logs and errors.
    /// - Throws: ``KafkaError`` if librdkafka rejects the configuration.
    public init(
        configuration: KafkaConfiguration, groupID: String, topics: [String], startAt: KafkaStartPosition,
        logger: Logger
    ) throws {
        let context = RDKafkaClientContext(logger: logger)
        self.client = try RDKafkaClient(
            kind: .consumer, properties: configuration.consumerProperties(groupID: groupID, startAt: startAt),
            context: context
        )
        self.pollExecutor = DispatchQueueTaskExecutor(DispatchQueue(label: "KafkaBridge.consumer.\(groupID)"))
        self.configuration = configuration
        self.topics = topics
        self.logger = logger
    }

    /// The messages of the subscribed topics, pulled from librdkafka one `next()` at a time.
    ///
    /// Ends (returns `nil`) when graceful shutdown begins or the iterating task is cancelled. Iterate from one task
    /// at a time; several iterators share one stream of messages. Non-fatal consumer errors are logged and skipped;
    /// a fatal one is thrown.
    public var messages: KafkaConsumerMessages { KafkaConsumerMessages(consumer: self) }

    /// The latest consumer lag per topic: messages in this consumer's partitions beyond the group's committed
    /// offsets (librdkafka's `consumer_lag`, summed over partitions), from the statistics librdkafka emits every
    /// ``KafkaConfiguration/statisticsInterval``. Empty until the first statistics with a known lag (after the first
    /// commit); trails consumption by up to `auto.commit.interval.ms` (5 s by default).
    public func consumerLag() -> [String: Int64] {
        self.client.context.consumerLag
    }

    /// The partitions the group has currently assigned to this consumer (empty before joining and after leaving).
    public func assignment() -> Set<KafkaTopicPartition> {
        self.client.context.assignment
    }

    /// Subscribes, then serves statistics, errors and logs (`rd_kafka_poll(rk, 0)`) every
    /// ``KafkaConfiguration/pollInterval``. On graceful shutdown (or cancellation) ends ``messages``, waits for
    /// in-flight polls, closes the consumer on a dispatch queue (`rd_kafka_consumer_close`: revoke, commit, leave the
    /// group) and returns. Returns only then.
    ///
    /// - Throws: ``KafkaError`` if called twice or if subscribing fails.
    public func run() async throws {
        guard self.state.withLockedValue({ $0.startRunning() }) else {
            throw KafkaError(.state, "KafkaConsumer.run() called twice")
        }
        do {
            try await self.client.subscribe(topics: self.topics)
        } catch {
            await self.close()
            throw error
        }
        self.logger.debug("Kafka consumer subscribed", metadata: ["kafka.topics": "\(self.topics)"])

        await withGracefulShutdownHandler {
            while !Task.isCancelled, self.state.withLockedValue({ $0.isRunning }) {
                self.client.poll()
                try? await Task.sleep(for: self.configuration.pollInterval)
            }
        } onGracefulShutdown: {
            self.state.withLockedValue { $0.requestClose() }
        }
        await self.close()
    }

    /// Stops polling, waits for in-flight polls, closes the consumer and serves the last callbacks.
    private func close() async {
        self.state.withLockedValue { $0.requestClose() }
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            if self.state.withLockedValue({ $0.waitForPolls(waiter) }) {
                waiter.resume()
            }
        }
        let error = await self.client.consumerClose(timeout: self.configuration.closeTimeout)
        self.state.withLockedValue { $0.closed() }
        self.client.poll()
        if let error {
            self.logger.warning("Kafka consumer stopped without leaving its group cleanly", metadata: ["kafka.error": "\(error)"])
        } else {
            self.logger.debug("Kafka consumer closed and left its group")
        }
    }

    /// The next message for ``KafkaConsumerMessages``: a non-blocking poll first, then a blocking poll of
    /// ``KafkaConfiguration/pollInterval`` on ``pollExecutor``, repeated until a message arrives, closing begins or
    /// the task is cancelled.
    func nextMessage() async throws -> KafkaConsumerMessage? {
        let timeout = self.configuration.pollInterval.clampedMilliseconds
        while !Task.isCancelled {
            guard self.state.withLockedValue({ $0.startPoll() }) else { return nil }
            var result = self.client.consumerPoll(timeoutMilliseconds: 0)
            if result == nil {
                result = await withTaskExecutorPreference(self.pollExecutor) {
                    self.client.consumerPoll(timeoutMilliseconds: timeout)
                }
            }
            if let closer = self.state.withLockedValue({ $0.finishPoll() }) {
                closer.resume()
            }
            switch result {
            case .message(let message):
                return message
            case .error(let error) where error.isFatal:
                throw error
            case .error(let error):
                self.logger.warning("Kafka consumer error", metadata: ["kafka.error": "\(error)"])
            case nil:
                continue
            }
        }
        return nil
    }
}
