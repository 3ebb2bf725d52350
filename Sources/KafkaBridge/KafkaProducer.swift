import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Produces messages to Kafka through librdkafka, as a `Service`.
///
/// ``send(_:)`` never blocks: it copies the message into librdkafka's bounded buffer
/// (``KafkaConfiguration/producerQueueMaxMessages``) and returns; librdkafka's threads deliver it. ``run()`` serves
/// delivery reports, errors and logs every ``KafkaConfiguration/pollInterval`` and, on graceful shutdown, flushes the
/// buffer for at most ``KafkaConfiguration/shutdownFlushTimeout``.
///
/// ```swift
/// let producer = try KafkaProducer(configuration: configuration, logger: logger)
/// // add `producer` to the ServiceGroup before the services that call `send`
/// let id = try producer.send(KafkaProducerMessage(topic: "prices", key: key, value: value))
/// ```
public final class KafkaProducer: Service, Sendable {
    /// Delivery reports, one per accepted message, in the order librdkafka serves them.
    ///
    /// Bounded: keeps the newest ``KafkaConfiguration/deliveryReportBufferSize`` reports and drops older ones
    /// (counted in ``droppedDeliveryReports``), so it may be ignored without memory growth. Iterate it from one task
    /// only. It finishes when ``run()`` returns.
    public let deliveryReports: AsyncStream<KafkaDeliveryReport>

    private let reportsContinuation: AsyncStream<KafkaDeliveryReport>.Continuation
    /// The librdkafka handle and its callback context (destroyed when the producer is released).
    private let client: RDKafkaClient
    private let configuration: KafkaConfiguration
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    /// Creates the producer. Nothing is sent until ``send(_:)``; callbacks are served once ``run()`` runs.
    ///
    /// - Throws: ``KafkaError`` if librdkafka rejects the configuration.
    public init(configuration: KafkaConfiguration, logger: Logger) throws {
        let (stream, continuation) = AsyncStream.makeStream(
            of: KafkaDeliveryReport.self,
            bufferingPolicy: .bufferingNewest(max(1, configuration.deliveryReportBufferSize))
        )
        let context = RDKafkaClientContext(logger: logger, deliveryReports: continuation)
        self.client = try RDKafkaClient(kind: .producer, properties: configuration.producerProperties, context: context)
        self.deliveryReports = stream
        self.reportsContinuation = continuation
        self.configuration = configuration
        self.logger = logger
    }

    deinit {
        self.reportsContinuation.finish()
    }

    /// Hands `message` to librdkafka and returns at once (`rd_kafka_produceva`, key and value copied).
    ///
    /// May be called before ``run()`` starts; not after graceful shutdown has begun, so every accepted message is
    /// covered by the shutdown flush.
    ///
    /// - Returns: The id its ``KafkaDeliveryReport`` will carry.
    /// - Throws: ``KafkaError`` with ``KafkaError/Code/queueFull`` when the bounded buffer is full (retriable, after
    ///   deliveries drain), ``KafkaError/Code/state`` after shutdown began, or librdkafka's error for an invalid
    ///   message (e.g. ``KafkaError/Code/msgSizeTooLarge``).
    @discardableResult
    public func send(_ message: KafkaProducerMessage) throws -> KafkaMessageID {
        // The lock is held across the non-blocking produce call so that shutdown cannot start flushing between the
        // state check and the message entering librdkafka's buffer.
        try self.state.withLockedValue { state in
            guard state.phase.acceptsMessages else {
                throw KafkaError(.state, "the Kafka producer is shutting down")
            }
            let id = KafkaMessageID(rawValue: state.lastMessageID + 1)
            try self.client.produce(message, id: id)
            state.lastMessageID = id.rawValue
            return id
        }
    }

    /// Messages accepted but not yet delivered or failed, plus librdkafka events (reports, logs) not yet served by
    /// ``run()`` (`rd_kafka_outq_len`): an upper bound of the buffered messages.
    public var pendingMessageCount: Int { self.client.outQueueLength }

    /// Delivery reports dropped because ``deliveryReports`` was not read fast enough.
    public var droppedDeliveryReports: Int { self.client.context.droppedDeliveryReports }

    /// Serves librdkafka's callbacks with the non-blocking `rd_kafka_poll(rk, 0)` every
    /// ``KafkaConfiguration/pollInterval``. On graceful shutdown (or cancellation) stops accepting messages, flushes
    /// on a dispatch queue for at most ``KafkaConfiguration/shutdownFlushTimeout``, finishes ``deliveryReports`` and
    /// returns. Returns only then.
    ///
    /// - Throws: ``KafkaError/Code/state`` if called a second time.
    public func run() async throws {
        try self.state.withLockedValue { state in
            guard case .idle = state.phase else { throw KafkaError(.state, "KafkaProducer.run() called twice") }
            state.phase = .running
        }
        defer { self.reportsContinuation.finish() }

        await withGracefulShutdownHandler {
            while !Task.isCancelled, self.state.withLockedValue({ $0.phase == .running }) {
                self.client.poll()
                try? await Task.sleep(for: self.configuration.pollInterval)
            }
        } onGracefulShutdown: {
            self.state.withLockedValue { $0.phase = .shuttingDown }
        }
        self.state.withLockedValue { $0.phase = .shuttingDown }

        let outstanding = await self.client.flush(timeout: self.configuration.shutdownFlushTimeout)
        if outstanding > 0 { self.client.purge() }
        self.client.poll()
        self.state.withLockedValue { $0.phase = .finished }
        if outstanding > 0 {
            self.logger.warning(
                "Kafka producer shut down with undelivered messages (dropped)",
                metadata: ["kafka.undelivered": "\(outstanding)"]
            )
        } else {
            self.logger.debug("Kafka producer flushed and stopped")
        }
    }
}

extension KafkaProducer {
    /// The producer's lifecycle and message counter, guarded by one lock.
    struct State: Sendable {
        enum Phase: Sendable, Equatable {
            /// Constructed; ``KafkaProducer/run()`` not called yet. Messages are accepted.
            case idle
            /// The poll loop runs. Messages are accepted.
            case running
            /// Graceful shutdown began: flushing. Messages are refused.
            case shuttingDown
            /// ``KafkaProducer/run()`` returned. Messages are refused.
            case finished

            var acceptsMessages: Bool { self == .idle || self == .running }
        }

        var phase = Phase.idle
        /// The id of the last accepted message (0 before the first).
        var lastMessageID: UInt64 = 0
    }
}
