/// A message read by ``KafkaConsumer/messages``.
public struct KafkaConsumerMessage: Sendable, Hashable {
    /// Topic it was read from.
    public var topic: String
    /// Partition it was read from.
    public var partition: Int32
    /// Its offset within the partition.
    public var offset: Int64
    /// Message key, `nil` if it had none.
    public var key: [UInt8]?
    /// Message value (payload).
    public var value: [UInt8]

    /// Creates a message (the consumer builds these; public for test doubles in other modules).
    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
    }
}
