/// Settings shared by ``KafkaProducer`` and ``KafkaConsumer``, with the librdkafka property each one sets.
///
/// Every buffer involved has a bound stated here: the producer's queue (``producerQueueMaxMessages``), the consumer's
/// fetch queue (``queuedMaxMessagesKBytes``) and the delivery-report stream (``deliveryReportBufferSize``).
public struct KafkaConfiguration: Sendable {
    /// `bootstrap.servers`: comma-separated `host:port` list. Defaults to `"localhost:9092"`.
    public var bootstrapServers: String
    /// `client.id`, shown in broker logs and statistics. Defaults to `"stockcast"`.
    public var clientID: String
    /// How often the producer's and consumer's `run()` loops serve librdkafka's callbacks (delivery reports,
    /// statistics, errors, logs), and how long one blocking consumer poll waits for a message. Defaults to 10 ms.
    public var pollInterval: Duration
    /// `queued.max.messages.kbytes`: the bound of the consumer's pre-fetch queue in KiB (librdkafka may overshoot it
    /// by one `fetch.max.bytes`). There is no Swift-side buffer on top of it. Defaults to `16_384` (16 MiB), set
    /// explicitly rather than relying on librdkafka's default (64 MiB).
    public var queuedMaxMessagesKBytes: Int
    /// `queue.buffering.max.messages`: the producer's bounded buffer of messages not yet delivered. When it is full,
    /// ``KafkaProducer/send(_:)`` throws ``KafkaError/Code/queueFull`` instead of blocking. Defaults to `10_000`.
    /// (Its byte bound is librdkafka's `queue.buffering.max.kbytes`, 1 GiB unless set in ``additional``.)
    public var producerQueueMaxMessages: Int
    /// `message.timeout.ms`: how long a message may wait for delivery before its report fails with
    /// ``KafkaError/Code/msgTimedOut``. `nil` (the default) retries forever within the bounded buffer
    /// (`message.timeout.ms=0`), so an outage costs buffer space, not messages.
    public var messageTimeout: Duration?
    /// `statistics.interval.ms` of the consumer: how often librdkafka reports statistics, from which
    /// ``KafkaConsumer/consumerLag()`` is read. `nil` turns statistics off. Defaults to 5 s. (The producer does not
    /// request statistics.)
    public var statisticsInterval: Duration?
    /// How many delivery reports ``KafkaProducer/deliveryReports`` keeps for a slow or absent reader; older ones
    /// are dropped first. Defaults to `1_024`.
    public var deliveryReportBufferSize: Int
    /// How long the producer's graceful shutdown waits for buffered messages to be delivered (`rd_kafka_flush`).
    /// Messages still undelivered afterwards are counted in a warning and dropped. Defaults to 10 s.
    public var shutdownFlushTimeout: Duration
    /// How long the consumer's graceful shutdown waits to leave its group (commit, revoke, LeaveGroup). With the
    /// brokers unreachable the group coordinator never answers and a plain `rd_kafka_consumer_close` would block
    /// forever; after this the consumer is destroyed without leaving, and the group evicts it after
    /// `session.timeout.ms`. Defaults to 10 s.
    public var closeTimeout: Duration
    /// Raw librdkafka properties, applied last, so they override everything above (for example
    /// `session.timeout.ms`, `security.protocol`, `debug`). Applied to producers and consumers alike; librdkafka logs
    /// a `CONFWARN` warning for a property that does not apply to the client's type and otherwise ignores it.
    public var additional: [String: String]

    /// Settings for `bootstrapServers`, with every other value at its documented default.
    public init(bootstrapServers: String = "localhost:9092", clientID: String = "stockcast") {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.pollInterval = .milliseconds(10)
        self.queuedMaxMessagesKBytes = 16_384
        self.producerQueueMaxMessages = 10_000
        self.messageTimeout = nil
        self.statisticsInterval = .seconds(5)
        self.deliveryReportBufferSize = 1_024
        self.shutdownFlushTimeout = .seconds(10)
        self.closeTimeout = .seconds(10)
        self.additional = [:]
    }
}

extension KafkaConfiguration {
    /// librdkafka properties for a producer, in the order they are applied (``additional`` last).
    var producerProperties: [(key: String, value: String)] {
        var properties: [(key: String, value: String)] = [
            ("bootstrap.servers", self.bootstrapServers),
            ("client.id", self.clientID),
            ("queue.buffering.max.messages", String(self.producerQueueMaxMessages)),
            ("message.timeout.ms", String(self.messageTimeout?.clampedMilliseconds ?? 0)),
        ]
        properties += self.additional.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return properties
    }

    /// librdkafka properties for a consumer in `groupID`, in the order they are applied (``additional`` last).
    func consumerProperties(groupID: String, startAt: KafkaStartPosition) -> [(key: String, value: String)] {
        var properties: [(key: String, value: String)] = [
            ("bootstrap.servers", self.bootstrapServers),
            ("client.id", self.clientID),
            ("group.id", groupID),
            ("enable.auto.commit", "true"),
            ("auto.offset.reset", startAt.autoOffsetReset),
            ("queued.max.messages.kbytes", String(self.queuedMaxMessagesKBytes)),
            ("allow.auto.create.topics", "true"),
            ("statistics.interval.ms", String(self.statisticsInterval?.clampedMilliseconds ?? 0)),
        ]
        properties += self.additional.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return properties
    }
}
