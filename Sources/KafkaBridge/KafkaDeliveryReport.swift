/// Where a delivered message was written.
public struct KafkaMessagePosition: Hashable, Sendable {
    /// Partition the message was written to.
    public var partition: Int32
    /// Offset the broker assigned.
    public var offset: Int64

    /// Creates a position.
    public init(partition: Int32, offset: Int64) {
        self.partition = partition
        self.offset = offset
    }
}

/// The outcome of one message accepted by ``KafkaProducer/send(_:)``.
public struct KafkaDeliveryReport: Sendable {
    /// The id ``KafkaProducer/send(_:)`` returned for the message.
    public var id: KafkaMessageID
    /// The message's topic.
    public var topic: String
    /// Where it was written, or why it was not delivered (for example ``KafkaError/Code/msgTimedOut``).
    public var result: Result<KafkaMessagePosition, KafkaError>

    /// Creates a report.
    public init(id: KafkaMessageID, topic: String, result: Result<KafkaMessagePosition, KafkaError>) {
        self.id = id
        self.topic = topic
        self.result = result
    }
}
