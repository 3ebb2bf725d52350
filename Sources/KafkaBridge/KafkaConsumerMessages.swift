/// The messages of a ``KafkaConsumer``, pulled one at a time (see ``KafkaConsumer/messages``).
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerMessage

    let consumer: KafkaConsumer

    /// Pulls messages from the consumer; holds it (and so its librdkafka handle) alive while iterating.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer

        /// The next message, or `nil` once the consumer is shutting down or the task is cancelled.
        ///
        /// - Throws: ``KafkaError`` for a fatal consumer error.
        public mutating func next() async throws -> KafkaConsumerMessage? {
            try await self.consumer.nextMessage()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(consumer: self.consumer)
    }
}
