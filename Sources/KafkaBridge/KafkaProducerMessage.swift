/// A message to produce. Key and value are copied into librdkafka by ``KafkaProducer/send(_:)``.
public struct KafkaProducerMessage: Sendable, Hashable {
    /// Topic to produce to.
    public var topic: String
    /// Message key; messages with the same key go to the same partition. `nil` for none.
    public var key: [UInt8]?
    /// Message value (payload).
    public var value: [UInt8]
    /// Partition to produce to; `nil` (the default) lets librdkafka's partitioner choose (by key when there is one).
    public var partition: Int32?

    /// Creates a message.
    public init(topic: String, key: [UInt8]? = nil, value: [UInt8], partition: Int32? = nil) {
        self.topic = topic
        self.key = key
        self.value = value
        self.partition = partition
    }
}
